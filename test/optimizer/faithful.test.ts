/**
 * The default mode (`faithful: true`) must reproduce DSPy's search; `faithful: false` turns on the
 * documented fixes that change it. One test per difference (listed in docs/simba.md).
 */
import { describe, expect, it } from 'vitest'
import { Example } from '../../src/core/example/example.js'
import { Predict } from '../../src/core/predict/predict.js'
import { isSimbaError } from '../../src/errors.js'
import { resolveOptions } from '../../src/optimizer/simba/options.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import { createRng } from '../../src/internal/rng/prng.js'
import { runAndScore } from '../../src/optimizer/simba/run.js'
import { softmaxPick } from '../../src/optimizer/simba/sampling.js'
import { appendADemo } from '../../src/optimizer/simba/strategies/append-demo.js'
import { appendARule } from '../../src/optimizer/simba/strategies/append-rule.js'
import type { RunRecord, StrategyContext } from '../../src/optimizer/simba/strategies/types.js'
import type { SimbaEvent } from '../../src/optimizer/simba/types.js'
import { adviceReply, exactMetric, uppercaseLM, uppercaseSet } from './fixtures.js'
import { block, chatReply, ScriptedLM, type CallInfo } from './scripted-lm.js'

const example = new Example({ word: 'ab', answer: 'AB' }, ['word'], 'case-ab')

function record(predictor: Predict, score: number, answer: string, meta: Record<string, unknown> = {}): RunRecord {
  return { prediction: { answer }, trace: [{ predictor, inputs: { word: 'ab' }, outputs: { answer } }], score, example, outputMetadata: meta }
}

function ruleContext(faithful: boolean, candidate: Predict, bucket: RunRecord[], writer: ScriptedLM): StrategyContext {
  return { bucket, candidate, nameOf: () => 'self', p10: 0, p90: 1, demoInputFieldMaxlen: 100_000, promptModel: writer, faithful }
}

const writerReplying = (tip: string, seen: CallInfo[] = []) => new ScriptedLM({ reply: (i) => (seen.push(i), chatReply({ discussion: 'd', module_advice: { self: tip } })) })

describe('faithful mode (the default) reproduces DSPy; faithful: false turns on the fixes', () => {
  it('appendARule: advice already in the instructions is appended again only in faithful mode', async () => {
    for (const faithful of [true, false]) {
      const rollout = new Predict('word -> answer')
      const cand = new Predict('word -> answer', { instructions: 'Answer.\n\nUse UPPERCASE.' })
      const out = await appendARule(ruleContext(faithful, cand, [record(rollout, 1, 'AB'), record(rollout, 0, 'ab')], writerReplying('Use UPPERCASE.')))
      expect(cand.instructions).toBe(faithful ? 'Answer.\n\nUse UPPERCASE.\n\nUse UPPERCASE.' : 'Answer.\n\nUse UPPERCASE.')
      expect(out.status).toBe(faithful ? 'applied' : 'skipped')
    }
  })

  it('appendARule: dedupeAdvice turns the advice de-duplication on or off independently of faithful', async () => {
    for (const [faithful, dedupeAdvice] of [[true, true], [false, false]] as const) {
      const rollout = new Predict('word -> answer')
      const cand = new Predict('word -> answer', { instructions: 'Answer.\n\nUse UPPERCASE.' })
      const out = await appendARule({ ...ruleContext(faithful, cand, [record(rollout, 1, 'AB'), record(rollout, 0, 'ab')], writerReplying('Use UPPERCASE.')), dedupeAdvice })
      expect(cand.instructions).toBe(dedupeAdvice ? 'Answer.\n\nUse UPPERCASE.' : 'Answer.\n\nUse UPPERCASE.\n\nUse UPPERCASE.')
      expect(out.status).toBe(dedupeAdvice ? 'skipped' : 'applied')
    }
    const resolve = (extra: Record<string, unknown>) => resolveOptions(new Predict('word -> answer'), { trainset: uppercaseSet(40), metric: exactMetric, lm: uppercaseLM(), ...extra }, () => {}).dedupeAdvice
    expect([resolve({}), resolve({ faithful: false }), resolve({ dedupeAdvice: true }), resolve({ faithful: false, dedupeAdvice: false })]).toEqual([false, true, true, false])
  })

  it('appendARule: empty advice for a listed module is appended (as DSPy) only in faithful mode', async () => {
    for (const faithful of [true, false]) {
      const rollout = new Predict('word -> answer')
      const cand = new Predict('word -> answer', { instructions: 'Answer.' })
      await appendARule(ruleContext(faithful, cand, [record(rollout, 1, 'AB'), record(rollout, 0, 'ab')], writerReplying('')))
      expect(cand.instructions).toBe(faithful ? 'Answer.\n\n' : 'Answer.')
    }
  })

  it('appendARule tie: the blanked better side keeps its reward info in faithful mode; label "Original Instructions"', async () => {
    for (const faithful of [true, false]) {
      const seen: CallInfo[] = []
      const rollout = new Predict('word -> answer')
      const cand = new Predict('word -> answer', { instructions: 'Answer.' })
      const bucket = [record(rollout, 0.5, 'Ab', { feedback: 'half right' }), record(rollout, 0.5, 'aB', { feedback: 'other half' })]
      await appendARule(ruleContext(faithful, cand, bucket, writerReplying('tip', seen)))
      const last = seen[0]!.last
      expect(block(last, 'better_reward_value')).toBe('N/A')
      expect(block(last, 'better_program_trajectory')).toBe('[]')
      expect(block(last, 'better_reward_info')).toBe(faithful ? JSON.stringify({ feedback: 'half right' }, null, 2) : '{}')
      expect(block(last, 'worse_reward_info')).toContain('other half')
      const defn = block(last, 'modules_defn') ?? ''
      expect(defn.includes('Original Instructions:')).toBe(faithful)
      expect(defn.includes('Current Instructions:')).toBe(!faithful)
    }
  })

  it('softmaxPick: uniform choice when every exp(score/τ) underflows, only in faithful mode', () => {
    const scores = [-1000, -500]
    const picks = (faithful: boolean) => {
      const rng = createRng(1)
      return new Set(Array.from({ length: 200 }, () => softmaxPick(rng, [0, 1], (id) => scores[id] as number, 0.2, faithful)))
    }
    expect(picks(true)).toEqual(new Set([0, 1]))
    expect(picks(false)).toEqual(new Set([1]))
  })

  it('runAndScore: a program that throws still gets metric(example, null) in faithful mode', async () => {
    const lm = new ScriptedLM({ reply: () => { throw new Error('boom') } })
    const metric = (_e: unknown, p: unknown) => (p === null ? { score: 0.25, feedback: 'no prediction' } : 1)
    for (const faithful of [true, false]) {
      const rec = await runAndScore(new Predict('word -> answer'), example, metric, { lm, mapLM: (x) => x, faithful })
      expect(rec.prediction).toBeNull()
      expect(rec.error).toMatchObject({ message: expect.stringContaining('boom') })
      expect(rec.score).toBe(faithful ? 0.25 : 0)
      expect(rec.outputMetadata).toEqual(faithful ? { feedback: 'no prediction' } : {})
    }
  })

  it('runAndScore: every non-score field of a metric record becomes reward info (DSPy output_metadata)', async () => {
    const lm = new ScriptedLM({ reply: () => chatReply({ answer: 'AB' }) })
    const metric = () => ({ score: 1, feedback: 'ok', rubric: { exact: true }, judge: 'j1' }) as never
    const rec = await runAndScore(new Predict('word -> answer'), example, metric, { lm, mapLM: (x) => x })
    expect(rec.score).toBe(1)
    expect(rec.outputMetadata).toEqual({ feedback: 'ok', rubric: { exact: true }, judge: 'j1' })
  })

  it('appendADemo: builds the demo before the name lookup, so a clash throws even for an unknown predictor', async () => {
    const known = new Predict('word -> answer')
    const stranger = new Predict('word -> answer')
    const best: RunRecord = {
      prediction: { answer: 'AB' },
      trace: [
        { predictor: stranger, inputs: { word: 'ab' }, outputs: { word: 'x' } },
        { predictor: known, inputs: { word: 'ab' }, outputs: { answer: 'AB' } },
      ],
      score: 1, example, outputMetadata: {},
    }
    const ctx: StrategyContext = { bucket: [best], candidate: new Predict('word -> answer'), nameOf: (p) => (p === known ? 'self' : undefined), p10: 0, p90: 1, demoInputFieldMaxlen: 0, promptModel: undefined, faithful: true }
    await expect(appendADemo(ctx)).rejects.toThrow(/both an input and an output/)
    const augmented: RunRecord = { ...best, trace: [{ predictor: known, inputs: { word: 'ab', augmented: false }, outputs: { answer: 'AB' } }] }
    await expect(appendADemo({ ...ctx, bucket: [augmented] })).rejects.toThrow(/augmented/)
  })

  it('appendADemo: truncation marker, latest call per predictor, augmented flag', async () => {
    const known = new Predict('word -> answer')
    const best: RunRecord = {
      prediction: { answer: 'B' },
      trace: [
        { predictor: known, inputs: { word: 'first' }, outputs: { answer: 'A' } },
        { predictor: known, inputs: { word: 'abcdefgh', n: 123456 }, outputs: { answer: 'B' } },
      ],
      score: 1, example, outputMetadata: {},
    }
    const cand = new Predict('word -> answer', { demos: [{ word: 'old', answer: 'OLD' }] })
    const ctx: StrategyContext = { bucket: [best], candidate: cand, nameOf: () => 'self', p10: 0, p90: 1, demoInputFieldMaxlen: 4, promptModel: undefined, faithful: true }
    expect(await appendADemo(ctx)).toEqual({ status: 'applied' })
    expect(cand.demos).toEqual([{ word: 'old', answer: 'OLD' }, { augmented: true, word: 'abcd\n\t\t... <TRUNCATED FOR BREVITY>', n: '1234\n\t\t... <TRUNCATED FOR BREVITY>', answer: 'B' }])
    expect(best.trace[1]!.inputs.word).toBe('abcdefgh') // records are not mutated
    expect(await appendADemo({ ...ctx, p10: 1 })).toMatchObject({ status: 'skipped' }) // gate: best <= p10
  })
})

describe('option checks (DSPy\'s defaults)', () => {
  const run = (extra: Record<string, unknown>) => simba(new Predict('word -> answer'), { trainset: uppercaseSet(4), metric: exactMetric, lm: uppercaseLM(), bsize: 4, numCandidates: 2, maxSteps: 1, ...extra })
  it('rejects a negative or fractional demoInputFieldMaxlen and a non-finite maxDemos, naming the option', async () => {
    for (const bad of [{ demoInputFieldMaxlen: -1 }, { demoInputFieldMaxlen: 2.5 }, { maxDemos: Number.NaN }, { maxDemos: Number.POSITIVE_INFINITY }]) {
      const err = await run(bad).catch((e: unknown) => e)
      expect(isSimbaError(err, 'SIMBA_CONFIG')).toBe(true)
      expect((err as Error).message).toContain(Object.keys(bad)[0]!)
    }
  })
  it('demoInputFieldMaxlen null disables truncation (0), as DSPy; the defaults are DSPy\'s', () => {
    const resolve = (extra: Record<string, unknown>) => resolveOptions(new Predict('word -> answer'), { trainset: uppercaseSet(40), metric: exactMetric, lm: uppercaseLM(), ...extra }, () => {})
    expect(resolve({ demoInputFieldMaxlen: null }).demoInputFieldMaxlen).toBe(0)
    expect(resolve({})).toMatchObject({ seed: 0, bsize: 32, numCandidates: 6, maxSteps: 8, maxDemos: 4, demoInputFieldMaxlen: 100_000, temperatureForSampling: 0.2, temperatureForCandidates: 0.2, faithful: true })
  })
})

describe('spec details pinned with stubbed draws and scripted LMs', () => {
  const stubRng = (ranges: number[]) => {
    const calls: number[] = []
    const rng = { random: () => 0, choice: <T>(x: readonly T[]) => x[0] as T, shuffle: <T>(x: T[]) => x, choices: <T>(x: readonly T[]) => x[0] as T, randrange: (n: number) => (calls.push(n), ranges.shift() ?? 0) }
    return { rng, calls }
  }
  it('demo-drop formula: k = min(max(Poisson(D/cap), D >= cap), D) draws of randrange(D), with replacement', async () => {
    const { dropPositions, withoutPositions } = await import('../../src/optimizer/simba/demo-drop.js')
    const lambdas: number[] = []
    const pois = (k: number) => ({ poisson: (l: number) => (lambdas.push(l), k) })
    let s = stubRng([1, 1, 0])
    expect(dropPositions([3, 1], 4, s.rng, pois(5)).sort()).toEqual([0, 1]) // k = min(5, 3) = 3, duplicates collapse
    expect(s.calls).toEqual([3, 3, 3])
    expect(lambdas).toEqual([3 / 4])
    s = stubRng([2])
    expect(dropPositions([4], 4, s.rng, pois(0))).toEqual([2]) // at capacity: at least one
    s = stubRng([])
    expect(dropPositions([2], 4, s.rng, pois(0))).toEqual([]) // below capacity, Poisson 0: nothing drawn
    expect(s.calls).toEqual([])
    lambdas.length = 0
    dropPositions([3], 0, stubRng([0]).rng, pois(0)) // maxDemos <= 0 → divisor 3
    expect(lambdas).toEqual([1])
    expect(withoutPositions(['a'], [0, 2])).toEqual([]) // positions past a shorter predictor's list are no-ops
  })

  it('rule-writer request fields: inputs, labels, both trajectories, outputs, rewards and module names', async () => {
    const seen: CallInfo[] = []
    const rollout = new Predict('word -> answer')
    const cand = new Predict('word -> answer', { instructions: 'Answer.' })
    const bucket = [record(rollout, 1, 'AB', { feedback: 'right' }), record(rollout, 0, 'ab', { feedback: 'wrong case' })]
    await appendARule(ruleContext(true, cand, bucket, writerReplying('Use UPPERCASE.', seen)))
    const b = (n: string) => block(seen[0]!.last, n)
    expect(JSON.parse(b('program_inputs')!)).toEqual({ word: 'ab' })
    expect(JSON.parse(b('oracle_metadata')!)).toEqual({ answer: 'AB' })
    expect(JSON.parse(b('better_program_trajectory')!)).toEqual([{ module_name: 'self', inputs: { word: 'ab' }, outputs: { answer: 'AB' } }])
    expect(JSON.parse(b('worse_program_outputs')!)).toEqual({ answer: 'ab' })
    expect([b('better_reward_value'), b('worse_reward_value')]).toEqual(['1', '0'])
    expect(JSON.parse(b('worse_reward_info')!)).toEqual({ feedback: 'wrong case' })
    expect(JSON.parse(b('module_names')!)).toEqual(['self'])
    expect(cand.instructions).toBe('Answer.\n\nUse UPPERCASE.')
  })

  it('final selection: finalists scored, candidatePrograms sorted (stable), ties favour the earlier finalist', async () => {
    const { selectFinal } = await import('../../src/optimizer/simba/final.js')
    const programs = [0, 1, 2, 3, 4].map((id) => new Predict('word -> answer', { instructions: `p${id}` }))
    const scoreOf: Record<string, number> = { p0: 0.5, p1: 0.9, p2: 0.2, p3: 0.9, p4: 0.5 }
    const winners = programs.map((_, id) => ({ id, step: id - 1 }))
    const sel = await selectFinal(winners, 7, (id) => programs[id]!, async (p) => [{ prediction: null, trace: [], score: scoreOf[(p as Predict).instructions] as number, example, outputMetadata: {} }])
    expect(sel.finalists.map((f) => f.winnerIndex)).toEqual([0, 1, 2, 3, 4]) // M = 4, K = 7 → dedupe of [0,1,1,2,3,3,4]
    expect(sel.bestScore).toBe(0.9)
    expect((sel.best as Predict).instructions).toBe('p1')
    expect(sel.candidatePrograms.map((c) => (c.program as Predict).instructions)).toEqual(['p1', 'p3', 'p0', 'p4', 'p2'])
  })
})

describe('fixes on in both modes that had no test', () => {
  const base = { bsize: 8, numCandidates: 3, metric: exactMetric }

  it('finalists with identical state are evaluated once (same scores, fewer calls)', async () => {
    const lm = new ScriptedLM({ reply: () => chatReply({ answer: 'nope' }) })
    const events: SimbaEvent[] = []
    const res = await simba(new Predict('word -> answer'), { ...base, maxSteps: 3, trainset: uppercaseSet(8), lm, onProgress: (e) => events.push(e) })
    expect(res.trialLogs.final.map((f) => f.winnerIndex)).toEqual([0, 1, 2, 3])
    expect(new Set(res.candidatePrograms.map((c) => JSON.stringify(c.program.state()))).size).toBe(1)
    const lastStep = events.filter((e) => e.type === 'step-end').at(-1) as Extract<SimbaEvent, { type: 'step-end' }>
    expect(res.usage.calls - lastStep.usage.calls).toBe(8) // one pass over the trainset, not four
  })

  it('finalScore is logged on the step that produced the winner, also when a step had no winner', async () => {
    // Rollouts are right on even rollout ids only, so every bucket is mixed and passes the gates;
    // the rule writer is down during step 1, so step 1 builds no candidate and has no winner.
    let writerDown = false
    const lm = new ScriptedLM({
      reply: (i) => {
        if (i.system.includes('module_advice')) {
          if (writerDown) throw new Error('writer down')
          return adviceReply(i)
        }
        const word = block(i.last, 'word') ?? ''
        const right = i.rolloutId !== undefined ? i.rolloutId % 2 === 0 : i.system.includes('UPPERCASE')
        return chatReply({ answer: right ? word.toUpperCase() : word })
      },
    })
    const res = await simba(new Predict('word -> answer'), {
      ...base, maxDemos: 0, maxSteps: 3, trainset: uppercaseSet(16), lm, seed: 1,
      onProgress: (e) => { if (e.type === 'step-start') writerDown = e.step === 1 },
    })
    const steps = res.trialLogs.steps
    expect(steps[1]!.winner).toBeNull()
    expect(steps[0]!.winner).not.toBeNull()
    expect(steps[2]!.winner).not.toBeNull()
    expect(res.trialLogs.final.map((f) => f.step)).toEqual([-1, 0, 2])
    // DSPy would key the last finalist's score by its position − 1 (step 1); ours is on step 2.
    expect(steps[1]!.finalScore).toBeUndefined()
    for (const f of res.trialLogs.final.filter((x) => x.step >= 0)) expect(steps[f.step]!.finalScore).toBe(f.score)
  })

  it('faithful: false scores the baseline on the first mini-batch, which changes which programs are sampled', async () => {
    // Every run is right, so every program averages 1 — except the unscored faithful baseline (0).
    const lm = new ScriptedLM({ reply: (i) => chatReply({ answer: (block(i.last, 'word') ?? '').toUpperCase() }) })
    const sources = async (faithful: boolean) => {
      const res = await simba(new Predict('word -> answer'), { ...base, maxSteps: 5, trainset: uppercaseSet(8), lm, seed: 4, faithful })
      return { res, fromBaseline: res.trialLogs.steps.slice(1).flatMap((s) => s.candidates).filter((c) => c.sourceId === 0).length }
    }
    const dspy = await sources(true)
    const fixed = await sources(false)
    expect(dspy.res.trialLogs.steps[0]!.baselineScore).toBeUndefined()
    expect(fixed.res.trialLogs.steps[0]!.baselineScore).toBe(1)
    // Weight of the baseline: exp(0/0.2) = 1 against exp(1/0.2) ≈ 148 for each candidate (faithful),
    // equal weights once it is scored.
    expect(dspy.fromBaseline).toBe(0)
    expect(fixed.fromBaseline).toBeGreaterThanOrEqual(3)
  })
})
