/**
 * Robustness of `simba()` on inputs DSPy handles: stateful programs, failures after something was
 * learned, runs where nothing happened, LM-judge metrics, the metric's trace argument, and a plain
 * function passed as the program. Scripted LMs only; each test names the promise it pins.
 */
import { describe, expect, it } from 'vitest'
import { Example } from '../../src/core/example/example.js'
import { Module } from '../../src/core/module/module.js'
import { Predict } from '../../src/core/predict/predict.js'
import { isSimbaError } from '../../src/errors.js'
import { LM } from '../../src/core/lm/lm.js'
import { forecastSimba } from '../../src/optimizer/simba/forecast.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import type { SimbaEvent, SimbaOptions } from '../../src/optimizer/simba/types.js'
import { adviceReply, exactMetric, taskReply, uppercaseLM, uppercaseSet } from './fixtures.js'
import { block, chatReply, ScriptedLM } from './scripted-lm.js'

const base = { bsize: 8, numCandidates: 3, maxSteps: 3, metric: exactMetric }

/** A program with instance state: a call counter and an answer cache, both changing its answers. */
class Stateful extends Module<{ word: string }, { answer: string }> {
  answer = new Predict('word -> answer')
  calls = 0
  cache = new Map<string, { answer: string }>()
  async forward(inputs: { word: string }): Promise<{ answer: string }> {
    this.calls++
    const hit = this.cache.get(inputs.word)
    if (hit) return hit
    const out = (await this.answer.forward(inputs)) as { answer: string }
    // After a few calls the program "gets tired": the answer depends on how often it ran before.
    const res = this.calls > 3 ? { answer: out.answer.toLowerCase() } : out
    this.cache.set(inputs.word, res)
    return res
  }
}

describe('stateful programs: every run gets its own copy', () => {
  it('same seed → same result under random latencies; the returned and the caller\'s program stay clean', async () => {
    const program = new Stateful()
    const outcomes = new Set<string>()
    let last: Stateful | undefined
    for (let i = 0; i < 4; i++) {
      const res = await simba(program, { ...base, trainset: uppercaseSet(12), lm: uppercaseLM({ latency: () => Math.floor(Math.random() * 4) }), seed: 1, concurrency: 5 })
      outcomes.add(JSON.stringify([res.program.state(), res.trialLogs, res.score]))
      last = res.program
    }
    expect(outcomes.size).toBe(1)
    expect(last?.calls).toBe(0)
    expect(last?.cache.size).toBe(0)
    expect(program.calls).toBe(0)
  })
})

describe('a failure after something was learned stops with the best program so far', () => {
  it('SIMBA_ALL_FAILED in step 1 returns step 0\'s winner with stoppedReason and failure', async () => {
    let down = false
    const lm = uppercaseLM({ reply: (i) => { if (down) throw new Error('401 key revoked'); return i.system.includes('module_advice') ? adviceReply(i) : taskReply(i) } })
    const events: SimbaEvent[] = []
    const res = await simba(new Predict('word -> answer'), {
      ...base, trainset: uppercaseSet(16), lm, seed: 3,
      onProgress: (e) => { events.push(e); if (e.type === 'step-end' && e.step === 0) down = true },
    })
    expect(res.stoppedReason).toBe('error:allFailed')
    expect(res.failure).toMatchObject({ code: 'SIMBA_ALL_FAILED', step: 1 })
    expect(res.failure?.message).toMatch(/401 key revoked/)
    expect(res.trialLogs.steps).toHaveLength(1)
    const winner = res.trialLogs.steps[0]!.winner!
    expect(res.score).toBe(winner.score)
    expect(res.program.state()).toEqual(res.candidatePrograms[0]!.program.state())
    const final = events.find((e) => e.type === 'final')
    expect(final).toMatchObject({ stoppedReason: 'error:allFailed' })
  })

  it('maxErrors exceeded after step 0 also stops early; before anything was learned it is still an error', async () => {
    let down = false
    const lm = uppercaseLM({ reply: (i) => { if (down) throw new Error('flaky'); return i.system.includes('module_advice') ? adviceReply(i) : taskReply(i) } })
    const res = await simba(new Predict('word -> answer'), {
      ...base, trainset: uppercaseSet(16), lm, seed: 3, maxErrors: 5, concurrency: 2,
      onProgress: (e) => { if (e.type === 'rollouts-done' && e.step === 1) down = true },
    })
    expect(res.stoppedReason).toBe('error:maxErrors')
    expect(res.failure?.step).toBe(1)
    const dead = new ScriptedLM({ reply: () => { throw new Error('401 bad api key') } })
    const err = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(8), lm: dead }).catch((e: unknown) => e)
    expect(isSimbaError(err, 'SIMBA_ALL_FAILED')).toBe(true)
  })
})

describe('saying when nothing happened', () => {
  const warningsOf = (events: SimbaEvent[]) => events.filter((e): e is Extract<SimbaEvent, { type: 'warning' }> => e.type === 'warning' && e.code === 'SIMBA_NO_PROGRESS')

  it('every rule call failed (401 from the prompt model): one warning with counts, summary counts', async () => {
    const writer = new ScriptedLM({ reply: () => { throw new Error('401 Incorrect API key provided') } })
    const events: SimbaEvent[] = []
    const res = await simba(new Predict('word -> answer'), { ...base, maxDemos: 0, trainset: uppercaseSet(16), lm: uppercaseLM(), promptModel: writer, seed: 2, onProgress: (e) => events.push(e) })
    const warned = warningsOf(events)
    expect(warned).toHaveLength(1)
    expect(warned[0]!.reasons).toContain('all-rules-failed')
    expect(warned[0]!.message).toMatch(/401 Incorrect API key/)
    expect(res.summary.ruleCalls).toBeGreaterThan(0)
    expect(res.summary.ruleFailures).toBe(res.summary.ruleCalls)
    expect(warned[0]!.message).toContain(`${res.summary.ruleFailures} of ${res.summary.ruleCalls}`)
    expect(res.warnings.map((w) => w.code)).toContain('SIMBA_NO_PROGRESS')
  })

  it('every bucket gated → warning "all-gated" and "unchanged"; step-end events carry per-step candidate counts', async () => {
    const lm = new ScriptedLM({ reply: () => chatReply({ answer: 'nope' }) })
    const events: SimbaEvent[] = []
    const res = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(8), lm, onProgress: (e) => events.push(e) })
    const warned = warningsOf(events)
    expect(warned).toHaveLength(1)
    expect(warned[0]!.reasons).toEqual(expect.arrayContaining(['all-gated', 'unchanged']))
    expect(res.summary).toMatchObject({ steps: 3, applied: 0, unchanged: true })
    for (const e of events.filter((x) => x.type === 'step-end')) {
      expect(e.type === 'step-end' && e.counts).toEqual({ built: 4, applied: 0, skipped: 4, gated: 4, failed: 0, merged: 0, ruleCalls: 0, ruleFailures: 0 })
    }
  })

  it('rule-writer failures count toward maxErrors', async () => {
    const writer = new ScriptedLM({ reply: () => { throw new Error('503 overloaded') } })
    const err = await simba(new Predict('word -> answer'), { ...base, maxDemos: 0, trainset: uppercaseSet(16), lm: uppercaseLM(), promptModel: writer, seed: 2, maxErrors: 1 }).catch((e: unknown) => e)
    expect(isSimbaError(err, 'SIMBA_ALL_FAILED')).toBe(true)
    expect((err as Error).message).toMatch(/maxErrors=1/)
    expect((err as Error).message).toMatch(/503 overloaded/)
    // After step 0 learned something, the same failure stops the run; the summary counts the
    // rule-writer failures of the step it cut short.
    // Rollouts are right on even rollout ids only, so every bucket passes the gates in every step.
    let down = false
    const flaky = new ScriptedLM({ reply: (i) => { if (down) throw new Error('503 overloaded'); return adviceReply(i) } })
    const mixed = new ScriptedLM({
      reply: (i) => {
        const word = block(i.last, 'word') ?? ''
        const right = i.rolloutId !== undefined ? i.rolloutId % 2 === 0 : i.system.includes('UPPERCASE')
        return chatReply({ answer: right ? word.toUpperCase() : word })
      },
    })
    const res = await simba(new Predict('word -> answer'), {
      ...base, maxDemos: 0, trainset: uppercaseSet(16), lm: mixed, promptModel: flaky, seed: 2, maxErrors: 1,
      onProgress: (e) => { if (e.type === 'step-start') down = e.step >= 1 },
    })
    expect(res.stoppedReason).toBe('error:maxErrors')
    expect(res.summary.steps).toBe(1)
    expect(res.summary.ruleFailures).toBeGreaterThanOrEqual(2)
    expect(res.failure?.message).toMatch(/rule writer: 503 overloaded/)
  })

  it('a run that learned something has no warning', async () => {
    const events: SimbaEvent[] = []
    const res = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(16), lm: uppercaseLM(), seed: 3, onProgress: (e) => events.push(e) })
    expect(warningsOf(events)).toEqual([])
    expect(res.summary.unchanged).toBe(false)
  })
})

describe('metrics that call an LM (judges)', () => {
  const judgeLM = () => new ScriptedLM({ reply: (i) => chatReply({ verdict: block(i.last, 'answer') === block(i.last, 'expected') ? 'yes' : 'no' }) })
  const judgeMetric = (judge: Predict) => async (ex: Example, pred: { answer?: string }) => {
    const r = (await judge.forward({ answer: pred.answer ?? '', expected: String(ex.data.answer) })) as { verdict: string }
    return r.verdict === 'yes' ? 1 : 0
  }

  it('judge calls count in usage, budgets and the forecast', async () => {
    const lm = uppercaseLM()
    const jlm = judgeLM()
    const judge = new Predict('answer, expected -> verdict', { lm: jlm })
    const opts: SimbaOptions = { ...base, metric: judgeMetric(judge), trainset: uppercaseSet(16), lm, seed: 3, metricLMCalls: 1 }
    const res = await simba(new Predict('word -> answer'), opts)
    expect(jlm.usage().calls).toBeGreaterThan(0)
    expect(res.usage.calls).toBe(lm.usage().calls + jlm.usage().calls)
    expect(res.forecast.judgeCalls).toBe(res.forecast.metricCalls)
    const plain = await simba(new Predict('word -> answer'), { ...opts, metricLMCalls: undefined })
    expect(res.forecast.totalCalls).toBe(plain.forecast.totalCalls + res.forecast.metricCalls)
    // The budget sees the judge's calls: 24 rollouts + 24 judge calls reach a cap of 40.
    const capped = await simba(new Predict('word -> answer'), { ...opts, metric: judgeMetric(new Predict('answer, expected -> verdict', { lm: judgeLM() })), budget: { maxCalls: 40 } })
    expect(capped.stoppedReason).toBe('budget:maxCalls')
    expect(capped.trialLogs.steps).toHaveLength(1)
    expect(capped.trialLogs.steps[0]!.candidates).toEqual([])
  })

  it('a judge without its own LM uses simba\'s lm and is counted', async () => {
    const lm = new ScriptedLM({ reply: (i) => (i.system.includes('`verdict`') ? judgeLM().options.reply(i) : uppercaseLM().options.reply(i)) })
    const res = await simba(new Predict('word -> answer'), { ...base, maxSteps: 1, metric: judgeMetric(new Predict('answer, expected -> verdict')), trainset: uppercaseSet(8), lm, seed: 3 })
    expect(lm.family.calls.some((c) => c.system.includes('`verdict`'))).toBe(true)
    expect(res.usage.calls).toBe(lm.usage().calls)
  })
})

describe('the metric\'s third argument', () => {
  it('is not passed by default (as DSPy\'s SIMBA); metricTrace: true passes the trace', async () => {
    for (const metricTrace of [undefined, true]) {
      const seen: unknown[] = []
      const metric = (ex: Example, pred: { answer?: string }, trace?: unknown) => {
        seen.push(trace)
        // A DSPy-style metric: stricter when a trace is given (here: impossible to satisfy).
        return trace === undefined ? exactMetric(ex, pred) : 0
      }
      const res = await simba(new Predict('word -> answer'), { ...base, maxSteps: 1, metric, trainset: uppercaseSet(8), lm: uppercaseLM(), seed: 3, metricTrace })
      expect(seen.length).toBeGreaterThan(0)
      if (metricTrace) {
        expect(seen.every((t) => Array.isArray(t) && t.length === 1)).toBe(true)
        expect(res.trialLogs.steps[0]!.rolloutMean).toBe(0)
      } else {
        expect(seen.every((t) => t === undefined)).toBe(true)
        expect(res.trialLogs.steps[0]!.rolloutMean).toBeGreaterThan(0)
      }
    }
  })
})

describe('simba(plainFunction)', () => {
  it('is a SIMBA_CONFIG error that says why and what to pass', async () => {
    const fn = async (i: { word: string }) => ({ answer: i.word })
    for (const program of [fn, undefined, { forward: fn }]) {
      const err = await simba(program as never, { ...base, trainset: uppercaseSet(4), lm: uppercaseLM() }).catch((e: unknown) => e)
      expect(isSimbaError(err, 'SIMBA_CONFIG')).toBe(true)
      expect((err as Error).message).toMatch(/Module/)
      expect((err as Error).message).toMatch(/Predict/)
    }
  })

  it('a Module without predictors is a SIMBA_CONFIG error before any LM call', async () => {
    class Empty extends Module<{ word: string }, { answer: string }> {
      async forward(i: { word: string }) {
        return { answer: i.word }
      }
    }
    const lm = uppercaseLM()
    const err = await simba(new Empty(), { ...base, trainset: uppercaseSet(4), lm }).catch((e: unknown) => e)
    expect(isSimbaError(err, 'SIMBA_CONFIG')).toBe(true)
    expect((err as Error).message).toMatch(/Empty has no predictors/)
    expect(lm.family.calls).toHaveLength(0)
  })
})


describe('cost: one price shape, the LM\'s own', () => {
  const prices = { inputPer1M: 2, outputPer1M: 10 }
  // ScriptedLM reports 10 prompt + 2 completion tokens per live call.
  const perCall = (10 * 2 + 2 * 10) / 1_000_000

  it('the forecast and the usage cost come from the LM\'s `prices` when simba() is given none', async () => {
    const lm = new ScriptedLM({ reply: uppercaseLM().options.reply, prices })
    const res = await simba(new Predict('word -> answer'), { ...base, maxSteps: 1, trainset: uppercaseSet(8), lm, seed: 3 })
    const f = res.forecast
    expect(f.cost).toBeCloseTo((f.totalCalls * (600 * 2 + 150 * 10)) / 1_000_000, 12)
    expect(Number.isFinite(res.usage.cost)).toBe(true)
  })

  it('simba({ prices }) takes the LM\'s shape, a per-model table included; usage cost is priced per call', async () => {
    const lm = new ScriptedLM({ reply: uppercaseLM().options.reply, model: 'm' })
    const res = await simba(new Predict('word -> answer'), { ...base, maxSteps: 1, trainset: uppercaseSet(8), lm, seed: 3, prices: { m: prices, other: { inputPer1M: 99, outputPer1M: 99 } } })
    expect(res.forecast.cost).toBeCloseTo((res.forecast.totalCalls * (600 * 2 + 150 * 10)) / 1_000_000, 12)
    expect(res.usage.cost).toBeCloseTo(res.usage.calls * perCall, 12)
    const unlisted = await simba(new Predict('word -> answer'), { ...base, maxSteps: 1, trainset: uppercaseSet(8), lm, seed: 3, prices: { other: prices } })
    expect(unlisted.forecast.cost).toBe(0)
  })

  it('the rule-writing calls are priced with the prompt model\'s prices', () => {
    const task = { trainsetSize: 32, bsize: 8, numCandidates: 3, maxSteps: 2, predictorsPerRun: 1 }
    const same = forecastSimba({ ...task, prices, model: 't' })
    const split = forecastSimba({ ...task, prices, model: 't', promptPrices: { inputPer1M: 0, outputPer1M: 0 }, promptModel: 'p' })
    const reflections = task.maxSteps * same.reflectionsPerStep
    expect(same.cost! - split.cost!).toBeCloseTo((reflections * (600 * 2 + 150 * 10)) / 1_000_000, 12)
    expect(forecastSimba(task).cost).toBeUndefined()
  })

  it('another price shape is a SIMBA_CONFIG error that shows the right one, from simba() and new LM()', async () => {
    const lm = uppercaseLM()
    const bad = { input: 2, output: 10 } as unknown as SimbaOptions['prices']
    const err = await simba(new Predict('word -> answer'), { ...base, trainset: uppercaseSet(8), lm, prices: bad }).then(() => undefined, (e: unknown) => e)
    expect(isSimbaError(err) && err.code).toBe('SIMBA_CONFIG')
    expect(String((err as Error).message)).toMatch(/prices .*inputPer1M/)
    expect(() => new LM({ model: 'm', baseURL: 'http://127.0.0.1:9', prices: { m: { inputPer1M: -1, outputPer1M: 1 } } })).toThrow(/price of model "m"/)
  })
})
