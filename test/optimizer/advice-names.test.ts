/**
 * Which predictor a rule writer's advice goes to, and what a skipped rule says: advice for a nested
 * module's predictor by its leaf name reaches it (outside faithful mode), and the skip reason names
 * only the keys that matched no predictor, apart from advice that was already present or blank.
 */
import { describe, expect, it } from 'vitest'
import { Example } from '../../src/core/example/example.js'
import { Module } from '../../src/core/module/module.js'
import { Predict } from '../../src/core/predict/predict.js'
import { adviceTargets, appendARule } from '../../src/optimizer/simba/strategies/append-rule.js'
import type { RunRecord, StrategyContext } from '../../src/optimizer/simba/strategies/types.js'
import { chatReply, ScriptedLM } from './scripted-lm.js'

class Stage extends Module<{ text: string }, { answer: string }> {
  extract = new Predict('text -> word', { instructions: 'Extract.' })
  route = new Predict('word -> answer', { instructions: 'Route.' })
  async forward(): Promise<{ answer: string }> {
    return { answer: '' }
  }
}

class Outer extends Module<{ text: string }, { answer: string }> {
  pipeline = new Stage()
  async forward(): Promise<{ answer: string }> {
    return { answer: '' }
  }
}

const example = new Example({ text: 'ab', answer: 'AB' }, ['text'], 'case-ab')

function context(candidate: Module, advice: Record<string, string>, faithful: boolean): StrategyContext {
  const p = candidate.namedPredictors()[0]?.[1] as Predict
  const rec = (score: number, answer: string): RunRecord => ({ prediction: { answer }, trace: [{ predictor: p, inputs: { text: 'ab' }, outputs: { word: answer } }], score, example, outputMetadata: {} })
  const writer = new ScriptedLM({ reply: () => chatReply({ discussion: 'd', module_advice: advice }) })
  return { bucket: [rec(1, 'AB'), rec(0, 'ab')], candidate, nameOf: (x) => candidate.namedPredictors().find(([, q]) => q === x)?.[0], p10: 0, p90: 1, demoInputFieldMaxlen: 1000, promptModel: writer, faithful }
}

describe('rule advice reaches the predictors it names', () => {
  it('a nested module predictor named by its leaf name gets its advice (not in faithful mode, where DSPy matches names exactly)', async () => {
    const improved = new Outer()
    const out = await appendARule(context(improved, { extract: 'Keep the order number.', route: 'Refunds go to billing.' }, false))
    expect(out.status).toBe('applied')
    expect(improved.state()).toMatchObject({ 'pipeline.extract': { instructions: 'Extract.\n\nKeep the order number.' }, 'pipeline.route': { instructions: 'Route.\n\nRefunds go to billing.' } })
    const faithful = new Outer()
    const skipped = await appendARule(context(faithful, { extract: 'Keep the order number.', route: 'Refunds go to billing.' }, true))
    expect(skipped).toMatchObject({ status: 'skipped', reason: 'advice changed no module (unknown names extract, route (predictors: pipeline.extract, pipeline.route))' })
  })

  it('advice already present is reported as such, not as unknown names', async () => {
    const program = new Stage()
    program.extract.instructions = 'Extract.\n\nKeep the order number.'
    program.route.instructions = 'Route.\n\nRefunds go to billing.'
    const out = await appendARule(context(program, { extract: 'Keep the order number.', route: 'Refunds go to billing.' }, false))
    expect(out).toMatchObject({ status: 'skipped', reason: 'advice changed no module (already present in extract, route)' })
    const mixed = await appendARule(context(new Stage(), { extract: '  ', nowhere: 'Tip.' }, false))
    expect(mixed).toMatchObject({ status: 'skipped', reason: 'advice changed no module (blank for extract; unknown names nowhere (predictors: extract, route))' })
  })

  it('leaf names match only when they pick exactly one predictor that no key names exactly', () => {
    const names = ['a.extract', 'b.extract', 'a.route', 'self.x']
    expect(adviceTargets({ extract: 't' }, names, true)).toEqual({ targets: new Map(), unknown: ['extract'] })
    expect(adviceTargets({ route: 't', 'self.route': 'u' }, names, true)).toEqual({ targets: new Map([['a.route', 'route']]), unknown: ['self.route'] })
    expect(adviceTargets({ 'self.x': 't', x: 'u' }, names, true)).toEqual({ targets: new Map([['self.x', 'self.x']]), unknown: ['x'] })
    expect(adviceTargets({ 'a.route': 't' }, names, false)).toEqual({ targets: new Map([['a.route', 'a.route']]), unknown: [] })
  })
})
