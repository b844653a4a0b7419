/**
 * How improved mode starts and ends: warm-start demos chosen by the cues they show, thinned
 * warm-start demos, the reflective start (rules from the starting program's failures) and the
 * race of the finalists.
 */
import { describe, expect, it } from 'vitest'
import { Example } from '../../src/core/example/example.js'
import { Predict } from '../../src/core/predict/predict.js'
import { selectFinal, type Winner } from '../../src/optimizer/simba/final.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import { thinWarmDemos } from '../../src/optimizer/simba/step.js'
import type { RunRecord } from '../../src/optimizer/simba/strategies/types.js'
import type { SimbaEvent } from '../../src/optimizer/simba/types.js'
import { labeledDemoOrder } from '../../src/optimizer/simba/warm-start.js'
import { adviceReply, exactMetric, taskReply, uppercaseSet } from './fixtures.js'
import { block, chatReply, ScriptedLM } from './scripted-lm.js'

describe('labelled demo order by cues', () => {
  // Two phrasings lead to "billing" and two to "account"; each phrasing appears in three tickets.
  const phrases: Array<[string, string]> = [['charged twice', 'billing'], ['gift card', 'billing'], ['promo code', 'account'], ['export my data', 'account']]
  const fillers = ['please help', 'since monday', 'on my phone']
  const set = phrases.flatMap(([p, label], k) => fillers.map((f, j) => new Example({ ticket: `ticket ${k * 3 + j}: ${p} ${f}`, queue: label }, ['ticket'], `t${k}-${j}`)))

  it('shows every phrasing of a label before a second demo of the same phrasing, whatever the seed', () => {
    for (let seed = 0; seed < 40; seed++) {
      const order = labeledDemoOrder(set, 6, seed)
      for (const label of ['billing', 'account']) {
        const mine = order.filter((i) => set[i]?.data.queue === label).map((i) => phrases.find(([p]) => String(set[i]?.data.ticket).includes(p))?.[0])
        const head = mine.slice(0, 2)
        expect(new Set(head).size, `seed ${seed}, ${label}: ${mine.join(', ')}`).toBe(head.length)
      }
    }
  })
})

describe('thinWarmDemos', () => {
  const warm = [{ word: 'a', answer: 'A' }, { word: 'b', answer: 'A' }, { word: 'c', answer: 'C' }, { word: 'd', answer: 'C' }]
  const keys = new Set(warm.map((d) => JSON.stringify(d)))
  const isWarm = (d: Record<string, unknown>) => keys.has(JSON.stringify(d))

  it('keeps one warm demo per output value (the newest), and every other demo', () => {
    const own = { word: 'z', answer: 'Z', augmented: true }
    const program = new Predict('word -> answer', { demos: [...warm, own] })
    const thin = thinWarmDemos(program, isWarm)
    expect(thin?.demos).toEqual([{ word: 'b', answer: 'A' }, { word: 'd', answer: 'C' }, own])
    expect(program.demos).toHaveLength(5) // the input program is not edited
  })

  it('is undefined when every warm demo already shows a different output', () => {
    expect(thinWarmDemos(new Predict('word -> answer', { demos: [warm[0]!, warm[2]!] }), isWarm)).toBeUndefined()
    expect(thinWarmDemos(new Predict('word -> answer', { demos: [{ word: 'x', answer: 'X' }, { word: 'y', answer: 'X' }] }), isWarm)).toBeUndefined()
  })

  /** Words labelled A or B (by their first letter), several per label. */
  const abSet = (n: number): Example[] => Array.from({ length: n }, (_, i) => new Example({ word: `${i % 2 === 0 ? 'a' : 'b'}${i}`, answer: i % 2 === 0 ? 'A' : 'B' }, ['word'], `ab-${i}`))
  /** Right when `ok(demos, word)`; the rule writer's advice teaches nothing. */
  const abLM = (ok: (demos: number, word: string) => boolean) =>
    new ScriptedLM({
      reply: (i) => {
        if (i.system.includes('module_advice')) return adviceReply(i, () => 'Answer the word.')
        const word = block(i.last, 'word') ?? ''
        return chatReply({ answer: ok((i.request.messages.length - 2) / 2, word) ? word[0]?.toUpperCase() : 'X' })
      },
    })
  const run = (lm: ScriptedLM, extra: Record<string, unknown> = {}) => simba(new Predict('word -> answer'), { trainset: abSet(24), metric: exactMetric, lm, mode: 'improved', bsize: 8, numCandidates: 2, maxSteps: 3, maxDemos: 0, labeledDemos: 6, reflectiveStart: false, patience: 0, seed: 1, ...extra })
  const thinOf = (r: Awaited<ReturnType<typeof run>>) => r.trialLogs.steps.flatMap((s) => s.candidates.filter((c) => c.strategy === 'thin').map((c) => ({ c, won: s.winner?.id === c.id })))

  it('in a run: a thinned copy (one warm demo per label) replaces the winner when it scores higher', async () => {
    // One to three demos teach the answer; with more the model gets only the A words right: thinning wins.
    const ok = (d: number, w: string) => (d >= 1 && d <= 3) || (d > 3 && w.startsWith('a'))
    const r = await run(abLM(ok))
    const thin = thinOf(r)
    expect(thin.filter((t) => t.won)).toHaveLength(1)
    expect(thin[0]?.c.score).toBe(1)
    expect(r.program.demos.map((d) => d.answer).sort()).toEqual(['A', 'B'])
    expect(r.score).toBe(1)
    const off = await run(abLM(ok), { thinDemos: false })
    expect(thinOf(off)).toEqual([])
    expect(off.program.demos.length).not.toBe(2)
  })

  it('logs and announces the thinned copy like any candidate, and its mini-batch scores make the best program\'s score', async () => {
    const ok = (d: number, w: string) => (d >= 1 && d <= 3) || (d > 3 && w.startsWith('a'))
    const events: SimbaEvent[] = []
    const r = await run(abLM(ok), { onProgress: (e: SimbaEvent) => events.push(e) })
    const [t] = thinOf(r)
    expect(t?.c).toMatchObject({ strategy: 'thin', outcome: 'applied', bucketExample: -1, droppedDemos: [], score: 1 })
    const step = r.trialLogs.steps.findIndex((s) => s.candidates.includes(t!.c))
    for (const phase of ['built', 'evaluated'] as const) {
      const e = events.find((x) => x.type === 'candidate' && x.phase === phase && x.candidate.strategy === 'thin')
      expect(e, phase).toMatchObject({ type: 'candidate', step, phase, candidate: { id: t?.c.id, strategy: 'thin', sourceId: t?.c.sourceId } })
    }
    expect(events.find((x) => x.type === 'best' && x.step === step)).toMatchObject({ score: 1 })
  })

  it('counts one warm demo per output value, reasoning aside', () => {
    const demos = [{ word: 'a', reasoning: 'first', answer: 'A' }, { word: 'b', reasoning: 'second', answer: 'A' }]
    const thin = thinWarmDemos(new Predict('word -> reasoning, answer', { demos }), () => true)
    expect(thin?.demos).toEqual([demos[1]])
  })

  it('stops trying after the first thinned copy that does not beat its winner', async () => {
    // Any demo teaches the answer: a thinned copy only ties.
    const r = await run(abLM((d) => d >= 1), { maxSteps: 4 })
    const thin = thinOf(r)
    expect(thin).toHaveLength(1)
    expect(thin[0]?.won).toBe(false)
    expect(r.program.demos.length).toBeGreaterThan(2)
    // A copy that scores no higher is a probe: skipped, not in the pool, not counted as a candidate.
    expect(thin[0]?.c).toMatchObject({ outcome: 'skipped', id: undefined })
    expect(thin[0]?.c.reason).toMatch(/^thinned copy scored 1 <= winner 1$/)
    const buckets = r.trialLogs.steps.flatMap((s) => s.candidates).filter((c) => c.strategy !== 'thin')
    expect(r.summary.skipped).toBe(buckets.filter((c) => c.outcome === 'skipped').length)
    expect(r.summary.applied).toBe(buckets.filter((c) => c.outcome === 'applied').length)
  })

  it('tries no thinned copy after one that did not beat its winner, though later winners could be thinned', async () => {
    // skipUnchanged off: every later step has a merged winner that still holds all six warm demos.
    const r = await run(abLM((d) => d >= 1), { maxSteps: 4, skipUnchanged: false })
    expect(r.trialLogs.steps.filter((s) => s.winner).length).toBe(4)
    expect(thinOf(r)).toHaveLength(1)
  })

  it('names the thinned candidate when its runs fail', async () => {
    // Only the thinned copy shows exactly two demos.
    const lm = new ScriptedLM({
      reply: (i) => {
        if (i.system.includes('module_advice')) return adviceReply(i, () => 'Answer the word.')
        if (i.request.messages.length === 6) throw new Error('task model down')
        const word = block(i.last, 'word') ?? ''
        return chatReply({ answer: i.request.messages.length > 2 ? word[0]?.toUpperCase() : 'X' })
      },
    })
    await expect(run(lm, { maxErrors: 0 })).rejects.toThrow(/last in thinned candidate evaluation \(step 0\)/)
  })

  it('a merge in a run keeps every labelled demo under the maxDemos cap', async () => {
    const r = await run(abLM((d) => d >= 1), { maxSteps: 4, maxDemos: 1, thinDemos: false, skipUnchanged: false })
    expect(r.trialLogs.steps.slice(1).every((s) => s.candidates.some((c) => c.strategy === 'merge' && c.id === s.winner?.id))).toBe(true)
    const warm = r.candidatePrograms.filter((c) => c.program.demos.length > 0)
    expect(warm.length).toBeGreaterThan(1)
    for (const c of warm) expect(c.program.demos.length).toBeGreaterThanOrEqual(6)
  })
})

/** Answers UPPERCASE only when told to; lowercase-expected words (`keep-…`) are right without a rule. */
function ruleLM(rule: string, seen: unknown[][] = []): ScriptedLM {
  return new ScriptedLM({
    reply: (i) => {
      if (i.system.includes('consolidated_advice')) {
        seen.push(JSON.parse(block(i.last, 'failed_cases') ?? '[]') as unknown[])
        return chatReply({ consolidated_advice: rule })
      }
      if (i.system.includes('module_advice')) return adviceReply(i)
      const word = block(i.last, 'word') ?? ''
      return chatReply({ answer: i.system.includes('UPPERCASE') ? word.toUpperCase() : word })
    },
  })
}

describe('reflective start', () => {
  it('runs the baseline on 4·bsize training cases, writes rules from its failures 8 per call, and keeps the result when it gains; it counts as a step', async () => {
    const seen: unknown[][] = []
    const events: SimbaEvent[] = []
    const r = await simba(new Predict('word -> answer'), { trainset: uppercaseSet(30), metric: exactMetric, lm: ruleLM('Answer in UPPERCASE.', seen), mode: 'improved', bsize: 5, numCandidates: 2, maxSteps: 2, labeledDemos: 0, seed: 4, onProgress: (e) => events.push(e) })
    const start = r.trialLogs.start
    expect(start).toMatchObject({ sourceId: 0, failed: 20, calls: 3, sourceScore: 0, score: 1, lost: 0 })
    expect(start?.examples).toHaveLength(20)
    expect(new Set(start?.examples).size).toBe(20)
    expect(seen.map((s) => s.length)).toEqual([8, 8, 4, ...seen.slice(3).map((s) => s.length)])
    expect(r.trialLogs.steps).toHaveLength(1) // maxSteps 2: the reflective start and one step
    expect(start?.id).toBeGreaterThan(0)
    // It is a winner: announced as the best program right away, and what the run returns here.
    const best = events.find((e) => e.type === 'best' && e.step === -1 && e.score === 1)
    expect(best).toBeDefined()
    expect(r.program.instructions).toContain('Answer in UPPERCASE.')
  })

  it('is rejected when the rules break a case the starting program got right, or gain nothing, and then takes no step', async () => {
    const mixed = [...uppercaseSet(8), ...Array.from({ length: 4 }, (_, i) => new Example({ word: `keep${i}`, answer: `keep${i}` }, ['word'], `keep-${i}`))]
    const r = await simba(new Predict('word -> answer'), { trainset: mixed, metric: exactMetric, lm: ruleLM('Answer in UPPERCASE.'), mode: 'improved', bsize: 6, numCandidates: 2, maxSteps: 1, labeledDemos: 0, seed: 1 })
    expect(r.trialLogs.start?.lost).toBeGreaterThan(0)
    expect(r.trialLogs.start?.id).toBeUndefined()
    // The cases the baseline got right ran first; after a loss the others are not run (no score).
    expect(r.trialLogs.start?.score).toBeUndefined()
    // A rejected start does not take the place of a step.
    expect(r.trialLogs.steps).toHaveLength(1)
    const none = await simba(new Predict('word -> answer'), { trainset: uppercaseSet(12), metric: exactMetric, lm: ruleLM('Answer the word.'), mode: 'improved', bsize: 6, numCandidates: 2, maxSteps: 1, labeledDemos: 0, seed: 1 })
    expect(none.trialLogs.start).toMatchObject({ sourceScore: 0, score: 0, lost: 0 })
    expect(none.trialLogs.start?.id).toBeUndefined()
  })

  it('starts from the warm start when there is one, and is off in faithful mode, with reflectiveStart: false or maxSteps 0', async () => {
    const warm = await simba(new Predict('word -> answer'), { trainset: uppercaseSet(12), metric: exactMetric, lm: ruleLM('Answer in UPPERCASE.'), mode: 'improved', bsize: 6, numCandidates: 2, maxSteps: 1, labeledDemos: 2, seed: 1 })
    expect(warm.trialLogs.start?.sourceId).toBe(1)
    for (const options of [{ mode: 'faithful' as const }, { mode: 'improved' as const, reflectiveStart: false }, { mode: 'improved' as const, maxSteps: 0 }]) {
      const seen: unknown[][] = []
      const r = await simba(new Predict('word -> answer'), { trainset: uppercaseSet(12), metric: exactMetric, lm: ruleLM('Answer in UPPERCASE.', seen), bsize: 6, numCandidates: 2, maxSteps: 1, seed: 1, ...options })
      expect(r.trialLogs.start).toBeUndefined()
      expect(seen).toEqual([])
    }
  })
})

describe('final race', () => {
  const example = new Example({ word: 'w', answer: 'W' }, ['word'])
  const rec = (score: number): RunRecord => ({ prediction: null, trace: [], score, example, outputMetadata: {} })
  // Per program: scores on 8 selection cases.
  const table: Record<number, number[]> = {
    0: [0, 0, 0, 0, 0, 0, 0, 0],
    1: [1, 1, 1, 1, 0, 0, 0, 0], // best on the first half, poor on the rest
    2: [1, 1, 1, 0, 1, 1, 1, 1], // second on the first half, best overall
    3: [1, 0, 0, 0, 1, 1, 1, 1], // would be second overall, but is dropped after the first half
  }
  const winners: Winner[] = [0, 1, 2, 3].map((id) => ({ id, step: id - 1 }))
  const programs = [0, 1, 2, 3].map((id) => new Predict('word -> answer', { instructions: `p${id}` }))
  const idOf = (p: Predict) => Number(p.instructions.slice(1))

  it('runs every finalist on the first half, only the two best on the rest, and returns the best of those on the whole set', async () => {
    const asked: Array<[number, number, number]> = []
    const score = async (p: Predict, start = 0, end = 8) => {
      asked.push([idOf(p), start, end])
      return (table[idOf(p)] as number[]).slice(start, end).map(rec)
    }
    const sel = await selectFinal(winners, 4, (id) => programs[id] as Predict, score, (i) => i, 8)
    expect(asked.filter(([, s]) => s === 0).map(([id, , e]) => [id, e]).sort()).toEqual([[0, 4], [1, 4], [2, 4], [3, 4]])
    expect(asked.filter(([, s]) => s === 4).map(([id]) => id).sort()).toEqual([1, 2])
    expect(idOf(sel.best)).toBe(2)
    expect(sel.bestScore).toBe(7 / 8)
    expect(sel.finalists.find((f) => f.id === 3)).toMatchObject({ score: 0.25, raced: true })
    expect(sel.finalists.find((f) => f.id === 1)).toMatchObject({ score: 0.5 })
    expect(sel.finalists.find((f) => f.id === 1)?.raced).toBeUndefined()
    expect(sel.candidatePrograms.map((c) => idOf(c.program))).toEqual([2, 1, 3, 0])
  })

  it('races from a selection set of 4 cases on (halves of 2), not below; ties on the first half keep the earlier finalists', async () => {
    // Scores on 4 cases: 0 and 1 tie on the first half, 2 trails.
    const small: Record<number, number[]> = { 0: [1, 0, 1, 1], 1: [1, 0, 0, 0], 2: [0, 0, 1, 1] }
    const asked: Array<[number, number, number]> = []
    const score = async (p: Predict, start = 0, end = 4) => {
      asked.push([idOf(p), start, end])
      return (small[idOf(p)] as number[]).slice(start, end).map(rec)
    }
    const three = winners.slice(0, 3)
    const sel = await selectFinal(three, 3, (id) => programs[id] as Predict, score, (i) => 3 - i, 4)
    expect(asked.filter(([, s]) => s === 0).map(([id, , e]) => [id, e]).sort()).toEqual([[0, 2], [1, 2], [2, 2]])
    expect(asked.filter(([, s]) => s === 2).map(([id]) => id).sort()).toEqual([0, 1])
    expect(idOf(sel.best)).toBe(0)
    asked.length = 0
    await selectFinal(three, 3, (id) => programs[id] as Predict, async (p, start = 0, end = 3) => {
      asked.push([idOf(p), start, end])
      return (small[idOf(p)] as number[]).slice(start, end).map(rec)
    }, (i) => 3 - i, 3)
    expect(asked.map(([, s, e]) => [s, e])).toEqual([[0, 3], [0, 3], [0, 3]])
  })

  it('runs everything on the whole set without race, or with two distinct finalists', async () => {
    const asked: number[] = []
    const score = async (p: Predict, start = 0, end = 8) => {
      asked.push(end - start)
      return (table[idOf(p)] as number[]).slice(start, end).map(rec)
    }
    const sel = await selectFinal(winners, 4, (id) => programs[id] as Predict, score, (i) => i)
    expect(asked).toEqual([8, 8, 8, 8])
    expect(idOf(sel.best)).toBe(2)
    asked.length = 0
    const two = await selectFinal(winners.slice(0, 2), 2, (id) => programs[id] as Predict, score, (i) => i, 8)
    expect(asked).toEqual([8, 8])
    expect(idOf(two.best)).toBe(1)
  })
})

describe('reflective start, case by case', () => {
  /** Words already in upper case: right with or without the rule. */
  const okSet = (n: number) => Array.from({ length: n }, (_, i) => new Example({ word: `OK${i}`, answer: `OK${i}` }, ['word'], `ok-${i}`))
  /** Words whose answer is the word itself: the UPPERCASE rule breaks them. */
  const keepSet = (n: number) => Array.from({ length: n }, (_, i) => new Example({ word: `keep${i}`, answer: `keep${i}` }, ['word'], `keep-${i}`))
  type Fail = 'baseline' | 'consolidate' | 'ruledOk' | 'ruledOther'
  /** Like ruleLM, and throws on the calls `fail` names. */
  const failingLM = (rule: string, fail?: Fail) =>
    new ScriptedLM({
      reply: (i) => {
        if (i.system.includes('consolidated_advice')) {
          if (fail === 'consolidate') throw new Error('rule writer down')
          return chatReply({ consolidated_advice: rule })
        }
        if (i.system.includes('module_advice')) return adviceReply(i)
        const word = block(i.last, 'word') ?? ''
        const ruled = i.system.includes('UPPERCASE')
        if ((fail === 'baseline' && !ruled) || (ruled && fail === (word.startsWith('OK') ? 'ruledOk' : 'ruledOther'))) throw new Error('task model down')
        return chatReply({ answer: ruled ? word.toUpperCase() : word })
      },
    })
  /** Runs simba with the reflective start and returns the result and the task calls made before the start ended. */
  const start = async (trainset: Example[], lm: ScriptedLM, extra: Record<string, unknown> = {}) => {
    let before = -1
    const r = await simba(new Predict('word -> answer'), { trainset, metric: exactMetric, lm, mode: 'improved', bsize: 3, numCandidates: 2, maxSteps: 1, labeledDemos: 0, seed: 2, onProgress: (e) => (e.type === 'reflective-start' ? (before = lm.family.calls.length) : undefined), ...extra })
    const ruledWords = lm.family.calls.slice(0, before).filter((c) => !c.system.includes('consolidated_advice') && c.system.includes('UPPERCASE')).map((c) => block(c.last, 'word'))
    return { r, ruledWords }
  }

  it('checks the cases the starting program got right first, a mini-batch at a time, then the rest, each once', async () => {
    const trainset = [...okSet(5), ...uppercaseSet(7)]
    const { r, ruledWords } = await start(trainset, failingLM('Answer in UPPERCASE.'))
    expect(r.trialLogs.start).toMatchObject({ failed: 7, calls: 1, lost: 0, sourceScore: 5 / 12, score: 1 })
    expect(r.trialLogs.start?.id).toBeGreaterThan(0)
    expect([...(r.trialLogs.start?.examples ?? [])].sort()).toEqual(trainset.map((e) => e.id).sort())
    expect(ruledWords).toHaveLength(12)
    expect(new Set(ruledWords).size).toBe(12)
    expect(ruledWords.slice(0, 5).sort()).toEqual(okSet(5).map((e) => e.data.word).sort())
    expect(r.summary.runErrors).toBe(0)
  })

  it('stops at the first mini-batch that loses a case', async () => {
    const { r, ruledWords } = await start([...keepSet(4), ...uppercaseSet(4)], failingLM('Answer in UPPERCASE.'), { bsize: 2 })
    expect(r.trialLogs.start).toMatchObject({ failed: 4, lost: 2 })
    expect(ruledWords).toHaveLength(2)
    for (const w of ruledWords) expect(w).toMatch(/^keep/)
  })

  it('makes one rule call per 8 failed cases, none for an empty remainder', async () => {
    const { r } = await start(uppercaseSet(8), failingLM(''), { bsize: 2 })
    expect(r.trialLogs.start).toMatchObject({ failed: 8, calls: 1 })
    expect(r.trialLogs.start?.id).toBeUndefined()
  })

  it('names the reflective start when its runs or its rule calls fail', async () => {
    const set = [...okSet(3), ...uppercaseSet(3)]
    await expect(start(set, failingLM('Answer in UPPERCASE.', 'baseline'))).rejects.toThrow(/every reflective start run failed/)
    for (const fail of ['consolidate', 'ruledOk', 'ruledOther'] as const) {
      await expect(start(set, failingLM('Answer in UPPERCASE.', fail), { maxErrors: 0 }), fail).rejects.toThrow(/last in reflective start\)/)
    }
  })
})

describe('baseline score in the first step', () => {
  it('comes from the rollouts it ran when they are credited, and from its own mini-batch run otherwise', async () => {
    const base = { trainset: uppercaseSet(12), metric: exactMetric, mode: 'improved' as const, bsize: 6, numCandidates: 3, maxSteps: 1, labeledDemos: 0, reflectiveStart: false, seed: 2 }
    const credited = await simba(new Predict('word -> answer'), { ...base, lm: ruleLM('Answer in UPPERCASE.') })
    expect(credited.trialLogs.steps[0]?.baselineScore).toBeUndefined()
    const own = await simba(new Predict('word -> answer'), { ...base, lm: ruleLM('Answer in UPPERCASE.'), creditRollouts: false })
    expect(own.trialLogs.steps[0]?.baselineScore).toBe(0)
  })
})
