import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Module } from '../../../src/core/module/module.js'
import { promptFingerprint } from '../../../src/core/module/fingerprint.js'
import { ChainOfThought } from '../../../src/core/predict/chain-of-thought.js'
import { Predict } from '../../../src/core/predict/predict.js'

class Program extends Module {
  a = new Predict('question, context -> answer')
  b = [new ChainOfThought('answer -> verdict')]
  async forward() {
    return {}
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown)
const demo = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'), jsonValue, { maxKeys: 4 })
const entry = fc.record({ instructions: fc.string(), demos: fc.array(demo, { maxLength: 3 }) })

describe('state round trip (property)', () => {
  it('state → JSON → loadState reproduces the state and the rendered prompts', () => {
    fc.assert(
      fc.property(entry, entry, (ea, eb) => {
        const src = new Program()
        src.loadState({ a: ea, 'b[0].predict': eb })
        const json = JSON.stringify(src.state())
        const dst = new Program()
        dst.loadState(JSON.parse(json))
        expect(dst.state()).toEqual(src.state())
        expect(JSON.stringify(dst.state())).toBe(json)
        expect(promptFingerprint(dst)).toBe(promptFingerprint(src))
      }),
      { numRuns: 150 },
    )
  })
})
