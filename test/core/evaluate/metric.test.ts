import { describe, expect, it } from 'vitest'
import { Example } from '../../../src/core/example/example.js'
import { scoreCase } from '../../../src/core/evaluate/metric.js'
import { Predict } from '../../../src/core/predict/predict.js'
import { recordStep } from '../../../src/core/trace/trace.js'

const ex = new Example({ q: 'x', a: 'y' }, ['q'], 'case-1')

describe('scoreCase', () => {
  it('accepts numbers, booleans and { score, feedback }', async () => {
    expect(await scoreCase(() => 0.5, ex, {})).toEqual({ score: 0.5 })
    expect(await scoreCase(() => true, ex, {})).toEqual({ score: 1 })
    expect(await scoreCase(async () => false, ex, {})).toEqual({ score: 0 })
    expect(await scoreCase(() => ({ score: 0.2, feedback: 'too long' }), ex, {})).toEqual({ score: 0.2, feedback: 'too long' })
  })

  it.each([
    ['NaN', () => NaN, /returned NaN/],
    ['Infinity', () => Infinity, /returned Infinity/],
    ['string', () => '1' as never, /returned "1"/],
    ['undefined', () => undefined as never, /returned undefined/],
    ['object without score', () => ({ feedback: 'x' }) as never, /score is undefined/],
    ['object with NaN score', () => ({ score: NaN }), /score NaN/],
    ['5 (above 1)', () => 5, /returned 5, outside \[0, 1\]/],
    ['-1 (below 0)', () => -1, /returned -1, outside \[0, 1\]/],
    ['object with score 1.5', () => ({ score: 1.5 }), /score 1.5, outside \[0, 1\]/],
    ['throws', () => { throw new Error('bad metric') }, /metric threw for case "case-1": bad metric/],
    ['rejects', async () => Promise.reject(new Error('async bad')), /async bad/],
  ])('turns %s into score 0 with an error naming the case', async (_, metric, pattern) => {
    const r = await scoreCase(metric as never, ex, {})
    expect(r.score).toBe(0)
    expect(r.error).toMatch(pattern)
    expect(r.error).toMatch(/case "case-1"|metric/)
  })

  it('any number in [0, 1] is kept as is; anything outside is never a score', async () => {
    const fc = (await import('fast-check')).default
    await fc.assert(
      fc.asyncProperty(fc.double({ noNaN: false }), async (x) => {
        const r = await scoreCase(() => x, ex, {})
        if (x >= 0 && x <= 1) expect(r).toEqual({ score: x })
        else {
          expect(r.score).toBe(0)
          expect(r.error).toContain(String(x))
        }
      }),
    )
  })

  it('passes the trace and isolates steps recorded by the metric', async () => {
    const trace = [{ predictor: new Predict('q -> a'), inputs: {}, outputs: {} }]
    let seen: unknown
    await scoreCase(
      (_e, _p, t) => {
        seen = t
        recordStep({ predictor: trace[0]!.predictor, inputs: {}, outputs: {} })
        return 1
      },
      ex,
      {},
      trace,
    )
    expect(seen).toBe(trace)
    expect(trace).toHaveLength(1)
  })
})
