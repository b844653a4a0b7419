import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { toExamples } from '../../../src/core/example/example.js'
import { evaluate } from '../../../src/core/evaluate/evaluate.js'
import { Module } from '../../../src/core/module/module.js'
import { Predict } from '../../../src/core/predict/predict.js'
import { signature } from '../../../src/core/signature/signature.js'
import { chatReply, lastUser, ScriptedLM, sleep } from '../helpers/scripted-lm.js'

const sig = signature({ inputs: { ticket: z.string() }, outputs: { queue: z.enum(['billing', 'technical']) } })
class Router extends Module<{ ticket: string }, { queue: string }> {
  classify = new Predict(sig)
  async forward(i: { ticket: string }) {
    return this.classify.forward(i)
  }
}
const rows = Array.from({ length: 12 }, (_, i) => ({ ticket: `t${i} ${i % 3 === 0 ? 'refund' : 'crash'}`, queue: i % 3 === 0 ? 'billing' : 'technical' }))
const examples = toExamples(rows, ['ticket'])
// Answers "billing" for refunds, otherwise "technical", after a delay that varies by ticket.
const routingLM = () =>
  new ScriptedLM(async (req) => {
    const u = lastUser(req)
    await sleep(Number(/t(\d+)/.exec(u)?.[1] ?? 0) % 4)
    return chatReply({ queue: u.includes('refund') ? 'billing' : 'technical' })
  })

describe('evaluate', () => {
  it('calls the metric without a trace by default (as DSPy does), with it when metricTrace is set', async () => {
    const seen: Array<number> = []
    const metric = (...args: unknown[]): number => {
      seen.push(args.length === 3 && Array.isArray(args[2]) ? (args[2] as unknown[]).length : -1)
      return 1
    }
    await evaluate(new Router(), examples.slice(0, 2), metric as never, { settings: { lm: routingLM() } })
    expect(seen).toEqual([-1, -1])
    seen.length = 0
    await evaluate(new Router(), examples.slice(0, 2), metric as never, { settings: { lm: routingLM() }, metricTrace: true })
    expect(seen).toEqual([1, 1])
  })

  it('scores every case index-aligned with per-case traces and usage', async () => {
    const lm = routingLM()
    const program = new Router()
    const progress: number[] = []
    const r = await evaluate(program, examples, (ex, pred) => pred.queue === ex.data.queue, {
      concurrency: 4,
      settings: { lm },
      onProgress: (p) => progress.push(p.done),
    })
    expect(r.mean).toBe(1)
    expect(r.cases.map((c) => c.index)).toEqual(rows.map((_, i) => i))
    expect(r.cases.map((c) => c.prediction)).toEqual(rows.map((row) => ({ queue: row.queue })))
    for (const c of r.cases) {
      expect(c.trace).toHaveLength(1)
      expect(c.trace[0]!.inputs).toEqual({ ticket: rows[c.index]!.ticket })
      expect(c.trace[0]!.predictor).toBe(program.classify)
    }
    expect(r.cases[0]!.name).toBe('t0 refund')
    expect(r.errors).toEqual([])
    expect(progress).toEqual(rows.map((_, i) => i + 1))
    expect(r.usage).toMatchObject({ calls: 12, totalTokens: 180 })
  })

  it('records program and metric failures per case instead of throwing', async () => {
    const fn = async (i: { ticket: string }) => {
      if (i.ticket.startsWith('t1 ')) throw new Error('kaput')
      return { queue: i.ticket.includes('refund') ? 'billing' : 'technical' }
    }
    const r = await evaluate(fn, examples.slice(0, 4), (ex, pred) => (ex.data.ticket.startsWith('t2') ? NaN : pred.queue === ex.data.queue ? 1 : 0))
    expect(r.cases.map((c) => c.score)).toEqual([1, 0, 0, 1])
    expect(r.cases[1]!.error).toBe('program failed on case "t1 crash": kaput')
    expect(r.cases[1]!.prediction).toBeUndefined()
    expect(r.cases[2]!.error).toMatch(/metric returned NaN .* "t2 crash"/)
    expect(r.errors.map((e) => e.index)).toEqual([1, 2])
    expect(r.mean).toBe(0.5)
    expect(r.usage).toBeUndefined()
  })

  it('records a missing LM as a per-case error', async () => {
    const r = await evaluate(new Router(), examples.slice(0, 2), () => 1)
    expect(r.cases[0]!.error).toMatch(/predictor "classify" has no LM/)
  })

  it('stops launching cases and throws once errors exceed maxErrors', async () => {
    let started = 0
    const fn = async () => {
      started++
      await sleep(1)
      throw new Error('down')
    }
    const err = (await evaluate(fn, examples, () => 1, { concurrency: 2, maxErrors: 2 }).catch((e: unknown) => e)) as Error & { code: string }
    expect(err.code).toBe('SIMBA_ALL_FAILED')
    expect(err.message).toMatch(/evaluation stopped: \d+ cases failed \(maxErrors 2\)/)
    expect(err.message).toContain('program failed on case "t0 refund": down')
    expect(started).toBeLessThan(12)
    expect(started).toBeGreaterThanOrEqual(3)
  })

  it('handles an empty dataset', async () => {
    expect(await evaluate(async () => ({}), [], () => 1)).toEqual({ mean: 0, cases: [], errors: [] })
  })

  it('gives the same results whatever the completion order', async () => {
    const a = await evaluate(new Router(), examples, (ex, p) => p.queue === ex.data.queue, { concurrency: 16, settings: { lm: routingLM() } })
    const b = await evaluate(new Router(), examples, (ex, p) => p.queue === ex.data.queue, { concurrency: 1, settings: { lm: routingLM() } })
    expect(a.cases.map((c) => [c.name, c.score, c.prediction])).toEqual(b.cases.map((c) => [c.name, c.score, c.prediction]))
  })
})

describe('evaluate input checks', () => {
  it('rejects rows that are not examples, or examples without input keys, before running', async () => {
    const { Example } = await import('../../../src/core/example/example.js')
    await expect(evaluate(async () => ({}), [{ ticket: 'x' }] as never, () => 1)).rejects.toThrow(/example #0 is not an Example/)
    await expect(evaluate(async () => ({}), [new Example({ a: 1 })], () => 1)).rejects.toMatchObject({ code: 'SIMBA_DATASET' })
  })
})
