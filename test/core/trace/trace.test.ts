import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Predict } from '../../../src/core/predict/predict.js'
import { currentTrace, recordStep, runWithTrace } from '../../../src/core/trace/trace.js'
import { sleep } from '../helpers/scripted-lm.js'

const fake = {} as Predict
const step = (n: number) => ({ predictor: fake, inputs: { n }, outputs: { n } })

describe('runWithTrace', () => {
  it('records steps, returns result or error with the partial trace', async () => {
    const ok = await runWithTrace(async () => {
      recordStep(step(1))
      recordStep(step(2))
      return 'done'
    })
    expect(ok.result).toBe('done')
    expect(ok.trace.map((s) => s.inputs.n)).toEqual([1, 2])
    const bad = await runWithTrace(async () => {
      recordStep(step(1))
      throw new Error('boom')
    })
    expect(bad.error).toBeInstanceOf(Error)
    expect('result' in bad).toBe(false)
    expect(bad.trace).toHaveLength(1)
  })

  it('is a no-op outside a run, and nested runs are isolated', async () => {
    recordStep(step(0))
    expect(currentTrace()).toBeUndefined()
    const outer = await runWithTrace(async () => {
      recordStep(step(1))
      const inner = await runWithTrace(async () => recordStep(step(2)))
      expect(inner.trace.map((s) => s.inputs.n)).toEqual([2])
      recordStep(step(3))
    })
    expect(outer.trace.map((s) => s.inputs.n)).toEqual([1, 3])
  })

  it('caps the trace, dropping the oldest steps', async () => {
    const big = await runWithTrace(async () => {
      for (let i = 0; i < 10_005; i++) recordStep(step(i))
    })
    expect(big.trace).toHaveLength(10_000)
    expect(big.trace[0]!.inputs.n).toBe(5)
    const small = await runWithTrace(async () => [1, 2, 3, 4].forEach((i) => recordStep(step(i))), { maxSteps: 2 })
    expect(small.trace.map((s) => s.inputs.n)).toEqual([3, 4])
  })

  it('never mixes steps of concurrent runs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 5 }), { minLength: 2, maxLength: 20 }), async (plans) => {
        const runs = await Promise.all(
          plans.map((delays, id) =>
            runWithTrace(async () => {
              for (const [k, d] of delays.entries()) {
                await sleep(d)
                recordStep({ predictor: fake, inputs: { id, k }, outputs: {} })
              }
            }),
          ),
        )
        runs.forEach((r, id) => expect(r.trace.map((s) => s.inputs)).toEqual(plans[id]!.map((_, k) => ({ id, k }))))
      }),
      { numRuns: 15 },
    )
  })
})
