import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { toExamples } from '../../../src/core/example/example.js'
import { evaluate, TRIAL_ROLLOUT_BASE } from '../../../src/core/evaluate/evaluate.js'
import { CASE_ALPHA, MEAN_ALPHA, caseDropTest, meanDropTest, noiseInterval, summarizeTrials } from '../../../src/core/evaluate/stats.js'
import type { LanguageModel, LMRequest, LMResult, UsageTotals } from '../../../src/core/lm/types.js'
import { Predict } from '../../../src/core/predict/predict.js'
import { signature } from '../../../src/core/signature/signature.js'
import { trialCaseStatus, trialMeanVerdict } from '../../../src/vitest/runtime/compare.js'
import { chatReply } from '../helpers/scripted-lm.js'

const score = fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true }))
const trials = fc.array(score, { minLength: 1, maxLength: 8 })
const named = fc.uniqueArray(fc.record({ name: fc.string({ minLength: 1, maxLength: 6 }), base: trials, now: trials }), { selector: (c) => c.name, minLength: 1, maxLength: 12 })

describe('trial statistics', () => {
  it('identical samples never regress (case and mean)', () => {
    fc.assert(
      fc.property(fc.array(trials, { minLength: 1, maxLength: 12 }), fc.nat(0.5 * 100), (cases, tol) => {
        const paired = cases.map((xs, i) => ({ name: `c${i}`, base: xs, now: xs }))
        expect(trialMeanVerdict(paired, tol / 100).regressed).toBe(false)
        for (const xs of cases) expect(trialCaseStatus({ now: xs, base: xs, errored: false, tolerance: 0 }).status).not.toBe('regressed')
      }),
      { numRuns: 60 },
    )
  })

  it('the noise interval contains the mean and is symmetric around it', () => {
    fc.assert(
      fc.property(fc.array(trials, { minLength: 1, maxLength: 12 }), (cases) => {
        const i = noiseInterval(cases)
        expect(i.low).toBeLessThanOrEqual(i.mean + 1e-12)
        expect(i.high).toBeGreaterThanOrEqual(i.mean - 1e-12)
        expect(i.high - i.mean).toBeCloseTo(i.mean - i.low, 9)
      }),
    )
  })

  it('is deterministic and does not depend on the order of the cases', () => {
    fc.assert(
      fc.property(named, (cases) => {
        const a = meanDropTest(cases)
        const b = meanDropTest([...cases].reverse())
        expect(b.p).toBe(a.p)
        expect(b.drop).toBeCloseTo(a.drop, 12)
        for (const c of cases) expect(caseDropTest(c.base, c.now)).toBe(caseDropTest(c.base, c.now))
      }),
      { numRuns: 40 },
    )
  })

  it('p-values lie in (0, 1]; a rise is never significant as a drop', () => {
    fc.assert(
      fc.property(trials, trials, (a, b) => {
        const p = caseDropTest(a, b)
        expect(p).toBeGreaterThan(0)
        expect(p).toBeLessThanOrEqual(1)
        const hi = a.map(() => 1)
        const lo = b.map(() => 0)
        expect(caseDropTest(lo, hi)).toBeGreaterThan(CASE_ALPHA)
      }),
    )
  })

  it('one flipped trial out of five is flaky, not regressed; five of five flipping is a regression', () => {
    expect(trialCaseStatus({ base: [1, 1, 1, 1, 1], now: [1, 1, 0, 1, 1], errored: false, tolerance: 0 }).status).toBe('flaky')
    // Fisher's exact one-sided p for 5/5 → 0/5 is 1/252.
    const gone = trialCaseStatus({ base: [1, 1, 1, 1, 1], now: [0, 0, 0, 0, 0], errored: false, tolerance: 0 })
    expect(gone.status).toBe('regressed')
    expect(gone.p).toBeCloseTo(1 / 252, 12)
    expect(summarizeTrials([1, 0, 1, 1, 1])).toEqual({ n: 5, mean: 0.8, passRate: 0.8, passAll: false, passAny: true, flaky: true })
  })

  it('a mean drop needs significance and to exceed the tolerance', () => {
    const stable = Array.from({ length: 20 }, (_, i) => ({ name: `c${i}`, base: [1, 1, 1, 1, 1], now: [1, 1, 1, 1, 1] }))
    const twoGone = stable.map((c, i) => (i < 2 ? { ...c, now: [0, 0, 0, 0, 0] } : c))
    const v = trialMeanVerdict(twoGone, 0)
    expect(v.drop).toBeCloseTo(0.1, 12)
    expect(v.p).toBeLessThan(MEAN_ALPHA)
    expect(v.regressed).toBe(true)
    expect(trialMeanVerdict(twoGone, 0.15).regressed).toBe(false)
    // One trial flipped in a few cases: noise.
    const noisy = stable.map((c, i) => (i < 3 ? { ...c, now: [1, 1, 1, 0, 1] } : c))
    expect(trialMeanVerdict(noisy, 0).regressed).toBe(false)
  })
})

/** An LM whose answer depends on its rollout id (as a sampled model's does), recording the ids it saw. */
class RolloutLM implements LanguageModel {
  readonly model = 'rollout'
  readonly temperature = 0.7
  constructor(
    readonly rolloutId: number | undefined,
    readonly seen: Array<number | undefined>,
  ) {}
  async call(_req: LMRequest): Promise<LMResult> {
    this.seen.push(this.rolloutId)
    const id = this.rolloutId ?? 0
    return { text: chatReply({ queue: id % 2 === 0 ? 'billing' : 'technical' }), usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 }, cached: false, model: this.model }
  }
  copy(o: { rolloutId?: number | undefined }): LanguageModel {
    return new RolloutLM('rolloutId' in o ? o.rolloutId : this.rolloutId, this.seen)
  }
  usage(): UsageTotals {
    return { calls: this.seen.length, cachedCalls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: 0 }
  }
}

describe('evaluate with trials', () => {
  const sig = signature({ inputs: { ticket: z.string() }, outputs: { queue: z.enum(['billing', 'technical']) } })
  const examples = toExamples([{ ticket: 'refund', queue: 'billing' }], ['ticket'])
  const metric = (ex: { data: { queue: string } }, pred: { queue: string }): number => (pred.queue === ex.data.queue ? 1 : 0)

  it('runs each case k times, trial 0 on the LM unchanged and the others under their own rollout ids', async () => {
    const seen: Array<number | undefined> = []
    const r = await evaluate(new Predict(sig), examples, metric, { settings: { lm: new RolloutLM(undefined, seen) }, trials: 3 })
    expect([...seen].sort()).toEqual([TRIAL_ROLLOUT_BASE + 1, TRIAL_ROLLOUT_BASE + 2, undefined])
    const c = r.cases[0]
    expect(c?.trials?.map((t) => [t.rolloutId, t.score])).toEqual([
      [null, 1],
      [TRIAL_ROLLOUT_BASE + 1, 0],
      [TRIAL_ROLLOUT_BASE + 2, 1],
    ])
    expect(c?.score).toBeCloseTo(2 / 3, 12)
    expect(r.mean).toBeCloseTo(2 / 3, 12)
  })

  it('with one trial (the default) calls the LM once, unchanged, and reports no trials', async () => {
    const seen: Array<number | undefined> = []
    const r = await evaluate(new Predict(sig), examples, metric, { settings: { lm: new RolloutLM(undefined, seen) } })
    expect(seen).toEqual([undefined])
    expect(r.cases[0]?.trials).toBeUndefined()
  })

  it('trialOffset gives a fresh set of rollout ids', async () => {
    const seen: Array<number | undefined> = []
    await evaluate(new Predict(sig), examples, metric, { settings: { lm: new RolloutLM(undefined, seen) }, trials: 2, trialOffset: 3 })
    expect([...seen].sort()).toEqual([TRIAL_ROLLOUT_BASE + 6, TRIAL_ROLLOUT_BASE + 7])
  })
})
