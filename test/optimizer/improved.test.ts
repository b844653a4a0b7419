/**
 * The improved mode's options, each on its own against scripted LMs (each test fails with the
 * option off), plus the `mode` preset and its determinism.
 */
import { describe, expect, it } from 'vitest'
import { isSimbaError } from '../../src/errors.js'
import { Example } from '../../src/core/example/example.js'
import { Predict } from '../../src/core/predict/predict.js'
import { resolveOptions } from '../../src/optimizer/simba/options.js'
import { Pool } from '../../src/optimizer/simba/pool.js'
import { bestIndices } from '../../src/optimizer/simba/select.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import { mergeCandidates } from '../../src/optimizer/simba/step.js'
import type { BuiltCandidate } from '../../src/optimizer/simba/candidates.js'
import type { SimbaEvent } from '../../src/optimizer/simba/types.js'
import { adviceReply, exactMetric, taskReply, TwoStage, uppercaseLM, uppercaseSet } from './fixtures.js'
import { block, chatReply, hash, ScriptedLM } from './scripted-lm.js'

const base = { bsize: 8, numCandidates: 3, maxSteps: 3, metric: exactMetric }
const built = (program: Predict, sourceId: number): BuiltCandidate<Predict> => ({ program, runs: [], log: { id: 1, sourceId, bucketExample: 0, strategy: 'append_a_rule', outcome: 'applied', droppedDemos: [] } })

/** Advice that names the bucket's word, so every candidate's tip differs. */
const perWordLM = () => uppercaseLM({ reply: (i) => (i.system.includes('module_advice') ? adviceReply(i, () => `Answer in UPPERCASE, as for ${JSON.parse(block(i.last, 'program_inputs') ?? '{}').word}.`) : taskReply(i)) })

/** Every answer is wrong: all rollout scores are equal, so every bucket is gated. */
const hopelessLM = () => new ScriptedLM({ reply: (i) => (i.system.includes('module_advice') ? 'never called' : chatReply({ answer: 'nope' })) })

describe('mergeAdvice', () => {
  it('merges what other candidates added to their sources: new paragraphs (case/space-insensitive) and new demos, newest maxDemos kept', () => {
    const source = new Predict('word -> answer', { instructions: 'Answer.', demos: [{ word: 'a', answer: 'A' }] })
    const pool = new Pool(source)
    const winner = new Predict('word -> answer', { instructions: 'Answer.\n\nTip one.', demos: [{ word: 'a', answer: 'A' }, { word: 'b', answer: 'B' }] })
    const other = new Predict('word -> answer', { instructions: 'Answer.\n\ntip   ONE.\n\nTip two.', demos: [{ word: 'a', answer: 'A' }, { word: 'c', answer: 'C' }] })
    const merged = mergeCandidates(pool, built(winner, 1), [built(other, 0)], 2)
    expect(merged?.instructions).toBe('Answer.\n\nTip one.\n\nTip two.')
    expect(merged?.demos).toEqual([{ word: 'b', answer: 'B' }, { word: 'c', answer: 'C' }])
    expect(winner.instructions).toBe('Answer.\n\nTip one.') // the winner itself is not edited
    expect(mergeCandidates(pool, built(winner, 1), [built(winner.clone(), 0)], 2)?.instructions).toBe(undefined) // nothing new: no merge
  })

  it('adds a merged candidate to a step, built on the winner, holding several tips', async () => {
    const run = (mergeAdvice: boolean) => simba(new Predict('word -> answer'), { ...base, maxDemos: 0, maxSteps: 1, trainset: uppercaseSet(8), lm: perWordLM(), seed: 1, mergeAdvice })
    const on = await run(true)
    const step = on.trialLogs.steps[0]!
    const merged = step.candidates.find((c) => c.strategy === 'merge')
    expect(merged).toBeDefined()
    expect(step.candidates.filter((c) => c.strategy !== 'merge')).toHaveLength(3) // N ordinary candidates, then the merge
    expect(merged!.score).toBe(1)
    const off = await run(false)
    expect(off.trialLogs.steps[0]!.candidates.some((c) => c.strategy === 'merge')).toBe(false)
    expect(off.trialLogs.steps[0]!.candidates).toHaveLength(4)
  })
})

describe('skipUnchanged', () => {
  it('does not evaluate candidates whose strategy changed nothing', async () => {
    const run = async (skipUnchanged: boolean) => {
      const lm = hopelessLM()
      const res = await simba(new Predict('word -> answer'), { ...base, maxSteps: 1, trainset: uppercaseSet(8), lm, skipUnchanged })
      return { res, calls: lm.family.calls.length }
    }
    const on = await run(true)
    expect(on.res.trialLogs.steps[0]!.candidates.every((c) => c.outcome === 'skipped' && c.id === undefined)).toBe(true)
    expect(on.res.trialLogs.steps[0]!.candidates).toHaveLength(8) // every bucket tried
    expect(on.res.trialLogs.steps[0]!.candidates.every((c) => c.kept === false)).toBe(true)
    expect(on.res.summary).toMatchObject({ built: 0, skipped: 8, gated: 8 })
    expect(on.res.warnings.find((w) => w.code === 'SIMBA_NO_PROGRESS')?.reasons).toContain('all-gated')
    expect(on.calls).toBe(3 * 8 + 8) // rollouts + the final selection of the baseline only
    const off = await run(false)
    expect(off.calls).toBe(3 * 8 + 4 * 8 + 8)
  })
})

describe('patience', () => {
  it('stops after `patience` steps that changed nothing, then still runs the final selection', async () => {
    const run = (patience: number) => simba(new Predict('word -> answer'), { ...base, maxSteps: 5, trainset: uppercaseSet(8), lm: hopelessLM(), patience })
    const on = await run(2)
    expect(on.stoppedReason).toBe('plateau')
    expect(on.summary.steps).toBe(2)
    expect(on.trialLogs.final.length).toBeGreaterThan(0)
    const off = await run(0)
    expect(off.stoppedReason).toBe('completed')
    expect(off.summary.steps).toBe(5)
  })
})

describe("finalists: 'best'", () => {
  it('picks the baseline plus the best-scoring winners (later first on ties), in winner order', () => {
    const s = [0, 0.5, 0.9, 0.7, 0.9]
    expect(bestIndices(5, 3, (i) => s[i]!)).toEqual([0, 2, 4])
    expect(bestIndices(5, 4, (i) => s[i]!)).toEqual([0, 2, 3, 4])
    expect(bestIndices(1, 4, () => 0)).toEqual([0])
  })
  it('scores fewer, better finalists than the evenly spaced ones', async () => {
    const run = (finalists: 'best' | 'spaced') => simba(new Predict('word -> answer'), { ...base, numCandidates: 4, maxSteps: 6, trainset: uppercaseSet(16), lm: uppercaseLM(), seed: 2, finalists })
    const best = await run('best')
    expect(best.trialLogs.final.length).toBe(4) // baseline + ceil((N + 1) / 2) winners
    const spaced = await run('spaced')
    expect(spaced.trialLogs.final.map((f) => f.winnerIndex)).toEqual([0, 2, 3, 4, 6])
  })
})

describe('rulesAtDemoCap', () => {
  it('writes a rule instead of a drawn demo when the source already holds maxDemos demos; the draws are unchanged', async () => {
    const demos = [{ word: 'a', answer: 'A' }, { word: 'b', answer: 'B' }]
    const run = (rulesAtDemoCap: boolean) => simba(new Predict('word -> answer', { demos }), { ...base, maxDemos: 2, maxSteps: 1, trainset: uppercaseSet(8), lm: perWordLM(), seed: 4, rulesAtDemoCap })
    const on = (await run(true)).trialLogs.steps[0]!.candidates
    const off = (await run(false)).trialLogs.steps[0]!.candidates
    expect(off.some((c) => c.strategy === 'append_a_demo')).toBe(true)
    expect(on.length).toBeGreaterThan(0)
    expect(on.every((c) => c.strategy === 'append_a_rule')).toBe(true)
    expect(on.map((c) => [c.sourceId, c.droppedDemos])).toEqual(off.map((c) => [c.sourceId, c.droppedDemos]))
  })
})

describe('creditRollouts', () => {
  it("adds later rollouts to a program's pool average (a program that is only lucky at temperature 0 sinks)", async () => {
    // Knows the rule at temperature 0, but half of its temperature-1 rollouts go wrong.
    const shaky = uppercaseLM({
      reply: (i) => {
        if (i.system.includes('module_advice')) return adviceReply(i)
        const word = block(i.last, 'word') ?? ''
        const hot = i.temperature > 0.5
        const right = i.system.includes('UPPERCASE') ? !(hot && hash(`${i.rolloutId}:${word}`) % 2 === 0) : hot && hash(`${i.rolloutId}:${word}`) % 3 === 0
        return chatReply({ answer: right ? word.toUpperCase() : word })
      },
    })
    const opts = { ...base, maxDemos: 0, trainset: uppercaseSet(16), lm: shaky, seed: 3 }
    const events: SimbaEvent[] = []
    await simba(new Predict('word -> answer'), { ...opts, maxSteps: 1, onProgress: (e) => events.push(e) })
    const step0 = events.find((e) => e.type === 'step-end') as Extract<SimbaEvent, { type: 'step-end' }>
    expect(step0.winner?.score).toBe(1)
    // Stop right after step 1's rollouts: the result is the winner with the best pool average.
    const stopAfterRollouts = (creditRollouts: boolean) => simba(new Predict('word -> answer'), { ...opts, maxSteps: 2, budget: { maxCalls: step0.usage.calls + 1 }, creditRollouts })
    const off = await stopAfterRollouts(false)
    const on = await stopAfterRollouts(true)
    expect(off.stoppedReason).toBe('budget:maxCalls')
    expect(off.score).toBe(1)
    expect(on.score).toBeGreaterThan(0)
    expect(on.score).toBeLessThan(1)
  })
})

describe("mode: 'improved'", () => {
  const resolve = (extra: Record<string, unknown>) => resolveOptions(new Predict('word -> answer'), { trainset: uppercaseSet(40), metric: exactMetric, lm: uppercaseLM(), ...extra }, () => {})
  it('turns on every improvement, each still settable on its own; faithful stays the default', () => {
    expect(resolve({})).toMatchObject({ mode: 'faithful', faithful: true, mergeAdvice: false, skipUnchanged: false, rulesAtDemoCap: false, creditRollouts: false, finalists: 'spaced', patience: 0, temperatureForCandidates: 0.2, dedupeAdvice: false })
    expect(resolve({ mode: 'improved' })).toMatchObject({ mode: 'improved', faithful: false, mergeAdvice: true, skipUnchanged: true, rulesAtDemoCap: true, creditRollouts: true, finalists: 'best', patience: 2, temperatureForCandidates: 0.02, dedupeAdvice: true })
    expect(resolve({ mode: 'improved', mergeAdvice: false, patience: 0 })).toMatchObject({ mergeAdvice: false, patience: 0, skipUnchanged: true })
  })
  it('rejects contradictions and unknown values, naming the option', () => {
    for (const bad of [{ mode: 'improved', faithful: true }, { mode: 'faithful', faithful: false }, { mode: 'fast' }, { finalists: 'all' }, { patience: -1 }]) {
      let err: unknown
      try {
        resolve(bad)
      } catch (e) {
        err = e
      }
      expect(isSimbaError(err, 'SIMBA_CONFIG')).toBe(true)
      expect((err as Error).message).toContain(Object.keys(bad).at(-1)!)
    }
  })
  it('same seed → identical program, logs and calls under random latencies, in both schedules', async () => {
    const runOnce = async (schedule: 'concurrent' | 'sequential') => {
      const trainset = uppercaseSet(12).map((e) => new Example({ text: `${e.data.word} please`, answer: e.data.answer }, ['text']))
      const res = await simba(new TwoStage(), { ...base, mode: 'improved', trainset, lm: uppercaseLM({ latency: () => Math.floor(Math.random() * 4) }), seed: 11, schedule, concurrency: 7 })
      return JSON.stringify([res.program.state(), res.trialLogs, res.score, res.usage.calls])
    }
    const a = await runOnce('concurrent')
    expect(await runOnce('concurrent')).toBe(a)
    expect(await runOnce('sequential')).toBe(a)
  })
})
