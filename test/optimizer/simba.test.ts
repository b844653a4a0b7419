import { describe, expect, it } from 'vitest'
import { isSimbaError } from '../../src/errors.js'
import { Example } from '../../src/core/example/example.js'
import { Predict } from '../../src/core/predict/predict.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import type { SimbaEvent } from '../../src/optimizer/simba/types.js'
import { trajectoryFromLogs } from '../../src/report/model.js'
import { adviceReply, exactMetric, TwoStage, uppercaseLM, uppercaseSet } from './fixtures.js'
import { block, chatReply, hash, ScriptedLM, type CallInfo } from './scripted-lm.js'

const base = { bsize: 8, numCandidates: 3, maxSteps: 3, metric: exactMetric }

describe('simba', () => {
  it('raises the score of a weak program (demo or rule needed to answer right)', async () => {
    const lm = uppercaseLM()
    const program = new Predict('word -> answer')
    const res = await simba(program, { ...base, trainset: uppercaseSet(16), valset: uppercaseSet(8, 100), lm, seed: 3 })
    const baseline = res.trialLogs.final.find((f) => f.winnerIndex === 0)
    expect(baseline?.score).toBe(0)
    expect(res.score).toBe(1)
    expect(res.stoppedReason).toBe('completed')
    const st = res.program.state().self
    expect(st && (st.demos.length > 0 || st.instructions.includes('UPPERCASE'))).toBe(true)
    expect(program.demos).toEqual([]) // caller's program untouched
    expect(lm.rolloutId).toBeUndefined()
  })

  it('same seed → identical program and logs under random latencies, and in both schedules', async () => {
    const runOnce = async (schedule: 'concurrent' | 'sequential') => {
      const res = await simba(new TwoStage(), { ...base, trainset: uppercaseSet(12).map((e) => new Example({ text: `${e.data.word} please`, answer: e.data.answer }, ['text'])), lm: uppercaseLM({ latency: () => Math.floor(Math.random() * 4) }), seed: 11, schedule, concurrency: 7 })
      return JSON.stringify([res.program.state(), res.trialLogs, res.score, res.usage.calls])
    }
    const a = await runOnce('concurrent')
    expect(await runOnce('concurrent')).toBe(a)
    expect(await runOnce('sequential')).toBe(a)
  })

  it('makes the documented number of LM calls per step (rollouts + candidate runs + rule calls; docs/simba.md)', async () => {
    for (const faithful of [true, false]) {
      const events: SimbaEvent[] = []
      const lm = uppercaseLM()
      const res = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(16), lm, seed: 5, faithful, onProgress: (e) => events.push(e) })
      let prev = 0
      const ends = events.filter((e) => e.type === 'step-end')
      expect(ends).toHaveLength(3)
      for (const e of ends) {
        const log = res.trialLogs.steps[e.step]!
        const q = log.candidates.filter((c) => c.ruleCall !== undefined).length
        const c = log.candidates.filter((x) => x.outcome !== 'failed').length
        expect(c).toBe(4)
        const extra = !faithful && e.step === 0 ? 8 : 0
        expect(e.usage.calls - prev).toBe(3 * 8 + c * 8 + q + extra)
        prev = e.usage.calls
      }
      expect(res.usage.calls).toBe(lm.usage().calls)
    }
  })

  it('skips both strategies when all rollout scores are equal (p10 = p90)', async () => {
    const lm = new ScriptedLM({ reply: (i) => (i.system.includes('module_advice') ? 'never called' : chatReply({ answer: 'nope' })) })
    const res = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(8), lm })
    expect(res.trialLogs.steps.length).toBeGreaterThan(0)
    for (const s of res.trialLogs.steps) {
      expect(s.p10).toBe(s.p90)
      expect(s.candidates.length).toBeGreaterThan(0)
      expect(s.candidates.every((c) => c.outcome === 'skipped')).toBe(true)
    }
    expect(lm.family.calls.some((c) => c.system.includes('module_advice'))).toBe(false)
    expect(res.trialLogs.final.map((f) => f.winnerIndex)).toEqual([0, 1, 2, 3])
  })

  it('lands advice on the right predictor by name', async () => {
    const lm = uppercaseLM({ reply: (i) => (i.system.includes('module_advice') ? chatReply({ discussion: 'd', module_advice: { label: 'UPPERCASE the word.', extract: 'EXTRACT-TIP', ghost: 'ignored' } }) : (i.system.includes('`text`') ? chatReply({ word: i.last.split('\n')[1]?.split(' ')[0] }) : uppercaseLM().options.reply(i))) })
    const trainset = uppercaseSet(8).map((e) => new Example({ text: `${e.data.word} now`, answer: e.data.answer }, ['text']))
    const res = await simba(new TwoStage(), { ...base, maxDemos: 0, trainset, lm, seed: 2 })
    const rules = res.trialLogs.steps.flatMap((s) => s.candidates).filter((c) => c.outcome === 'applied')
    expect(rules.length).toBeGreaterThan(0)
    const all = res.candidatePrograms.map((c) => c.program.state())
    const withRule = all.find((s) => s.label!.instructions.includes('UPPERCASE the word.'))
    expect(withRule).toBeDefined()
    expect(withRule!.extract!.instructions.endsWith('\n\nEXTRACT-TIP')).toBe(true)
    expect(withRule!.label!.instructions.includes('EXTRACT-TIP')).toBe(false)
  })

  it('drops demos and keeps each predictor at or under max(initial, maxDemos)', async () => {
    const demos = uppercaseSet(5, 50).map((e) => ({ word: e.data.word, answer: e.data.answer }))
    const program = new Predict('word -> answer', { demos })
    const res = await simba(program, { ...base, maxDemos: 2, maxSteps: 4, trainset: uppercaseSet(10), lm: uppercaseLM(), seed: 9 })
    const cands = res.trialLogs.steps.flatMap((s) => s.candidates)
    const fromInitial = cands.filter((c) => c.sourceId === 0)
    expect(fromInitial.length).toBeGreaterThan(0) // else the next line holds vacuously
    expect(fromInitial.every((c) => c.droppedDemos.length >= 1)).toBe(true)
    for (const c of res.candidatePrograms) expect(c.program.state().self!.demos.length).toBeLessThanOrEqual(5)
  })

  it('stops early with SIMBA_ALL_FAILED naming the first error', async () => {
    const lm = new ScriptedLM({ reply: () => { throw new Error('401 bad api key') } })
    const events: SimbaEvent[] = []
    const err = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(8), lm, onProgress: (e) => events.push(e) }).catch((e: unknown) => e)
    expect(isSimbaError(err, 'SIMBA_ALL_FAILED')).toBe(true)
    expect((err as Error).message).toMatch(/401 bad api key/)
    expect(lm.family.calls.length).toBe(3 * 8)
    expect(events.some((e) => e.type === 'step-end')).toBe(false)
  })

  it('enforces maxErrors', async () => {
    let n = 0
    const lm = uppercaseLM({ reply: (i) => { if (++n % 5 === 0) throw new Error('flaky'); return uppercaseLM().options.reply(i) } })
    const err = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(8), lm, maxErrors: 2, concurrency: 1 }).catch((e: unknown) => e)
    expect(isSimbaError(err, 'SIMBA_ALL_FAILED')).toBe(true)
    expect((err as Error).message).toMatch(/maxErrors=2/)
  })

  it('stops cleanly at a budget cap, returning the best so far', async () => {
    const res = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(16), lm: uppercaseLM(), budget: { maxCalls: 30 } })
    expect(res.stoppedReason).toBe('budget:maxCalls')
    expect(res.usage.calls).toBeLessThan(100)
    expect(res.trialLogs.final).toEqual([])
    expect(res.program.state().self).toBeDefined()
    const cost = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(16), lm: uppercaseLM(), budget: { maxCost: 0.05 } })
    expect(cost.stoppedReason).toBe('budget:maxCost')
  })

  it('validates input: empty trainset, small trainset clamps bsize with a warning', async () => {
    const lm = uppercaseLM()
    const err = await simba(new Predict('word -> answer'), { ...base, trainset: [], lm }).catch((e: unknown) => e)
    expect(isSimbaError(err, 'SIMBA_DATASET')).toBe(true)
    const noLm = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(4) }).catch((e: unknown) => e)
    expect(isSimbaError(noLm, 'SIMBA_NO_LM')).toBe(true)
    const warnings: SimbaEvent[] = []
    const res = await simba(new Predict('word -> answer'), { ...base, maxSteps: 1, trainset: uppercaseSet(4), lm, onProgress: (e) => e.type === 'warning' && warnings.push(e) })
    expect(warnings[0]).toMatchObject({ code: 'SIMBA_BSIZE_CLAMPED' })
    expect(res.trialLogs.steps[0]!.batch).toHaveLength(4)
  })
})

describe("the 'best' event (anytime curve)", () => {
  it('announces the baseline at the start, each change of the best winner with its usage, and the final choice', async () => {
    const events: SimbaEvent[] = []
    const res = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(16), lm: uppercaseLM(), seed: 3, onProgress: (e) => events.push(e) })
    const best = events.filter((e): e is Extract<SimbaEvent, { type: 'best' }> => e.type === 'best')
    expect(best[0]).toMatchObject({ step: -1, usage: { calls: 0 } })
    expect(best[0]?.program).toEqual(new Predict('word -> answer').state())
    // Between the start and the final choice: one event per change, calls never decreasing, scores rising.
    const during = best.slice(1, -1)
    for (let i = 1; i < during.length; i++) {
      expect(during[i]!.usage.calls).toBeGreaterThanOrEqual(during[i - 1]!.usage.calls)
      expect(during[i]!.score).toBeGreaterThan(during[i - 1]!.score)
      expect(JSON.stringify(during[i]!.program)).not.toBe(JSON.stringify(during[i - 1]!.program))
    }
    expect(during.length).toBeGreaterThan(0)
    const last = best.at(-1)!
    expect(last.final).toBe(true)
    expect(last.program).toEqual(res.program.state())
    expect(last.usage).toEqual(res.usage)
  })
})

describe('simba progress: best so far', () => {
  it('step-end bestSoFar is the running best step-winner score (as the report shows it): it never goes down', async () => {
    // Noisy task: even a program that knows the rule misses some words, differently per prompt,
    // so winners' scores vary from step to step (and rollout credits move pool averages).
    const noisy = (i: CallInfo): string => {
      if (i.system.includes('module_advice')) return adviceReply(i, () => `Always answer in UPPERCASE (${i.system.length % 7}).`)
      const word = block(i.last, 'word') ?? ''
      const knows = i.system.includes('UPPERCASE') || i.request.messages.length > 2
      const miss = hash(`${word}:${i.system.length}:${i.request.messages.length}`) % 3 === 0
      const lucky = i.rolloutId !== undefined && hash(`${i.rolloutId}:${word}`) % 3 === 0
      return chatReply({ answer: (knows && !miss) || lucky ? word.toUpperCase() : word })
    }
    for (const seed of [1, 2]) {
      const events: SimbaEvent[] = []
      const res = await simba(new Predict('word -> answer'), { ...base, maxSteps: 5, mode: 'improved', trainset: uppercaseSet(24), lm: new ScriptedLM({ reply: noisy }), seed, onProgress: (e) => events.push(e) })
      const shown = trajectoryFromLogs(res.trialLogs.steps).steps.map((s) => s.bestSoFar ?? null)
      const ends = events.flatMap((e) => (e.type === 'step-end' ? [e.bestSoFar] : []))
      expect(ends, `seed ${seed}`).toEqual(shown)
      for (let i = 1; i < ends.length; i++) expect(ends[i] ?? -1).toBeGreaterThanOrEqual(ends[i - 1] ?? -1)
    }
  })
})
