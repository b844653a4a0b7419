import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Module } from '../../../src/core/module/module.js'
import { promptFingerprint, renderPrompt } from '../../../src/core/module/fingerprint.js'
import { currentSettings, withSettings } from '../../../src/core/module/settings.js'
import { ChainOfThought } from '../../../src/core/predict/chain-of-thought.js'
import { Predict } from '../../../src/core/predict/predict.js'
import { signature } from '../../../src/core/signature/signature.js'
import { runWithTrace } from '../../../src/core/trace/trace.js'
import { chatReply, lastUser, ScriptedLM } from '../helpers/scripted-lm.js'

class Client {
  inner = new Predict('a -> b') // inside a non-module class instance: not walked
}

class Nested extends Module<{ q: string }, { a: string }> {
  cot = new ChainOfThought('q -> a')
  async forward(i: { q: string }) {
    return this.cot.forward(i)
  }
}

class Big extends Module {
  first = new Predict('q -> a')
  nested = new Nested()
  hops = [new Predict('q -> a'), new Nested()]
  byKind = new Map<unknown, unknown>([
    ['x', new Predict('q -> a')],
    [1, new Predict('q -> a')],
  ])
  config = { judge: new Predict('q -> a'), deep: { more: [new Predict('q -> a')] } }
  client = new Client()
  fn = () => new Predict('q -> a')
  lm = new ScriptedLM('')
  alias = this.first // same predictor again: listed once
  self: Big = this // cycle
  async forward() {
    return {}
  }
}

describe('Module.namedPredictors', () => {
  it('walks props in order with dotted names, once per predictor, cycle-safe', () => {
    const names = new Big().namedPredictors().map(([n]) => n)
    expect(names).toEqual(['first', 'nested.cot.predict', 'hops[0]', 'hops[1].cot.predict', 'byKind[x]', 'config.judge', 'config.deep.more[0]'])
  })

  it('names a bare predictor "self" and labels walked predictors for errors', async () => {
    const p = new Predict('q -> a')
    expect(p.namedPredictors().map(([n]) => n)).toEqual(['self'])
    const m = new Nested()
    m.namedPredictors()
    expect(m.cot.predict.displayName).toBe('cot.predict')
    await expect(m.forward({ q: 'x' })).rejects.toThrow(/predictor "cot.predict" has no LM/)
  })
})

describe('Module.clone', () => {
  it('deep-copies modules, predictors, demos and containers; shares LMs and functions', () => {
    const big = new Big()
    big.first.demos.push({ q: 'one', a: 'two', meta: { tags: ['t'] } })
    const copy = big.clone()
    expect(copy).toBeInstanceOf(Big)
    expect(copy.first).not.toBe(big.first)
    expect(copy.first).toBeInstanceOf(Predict)
    expect(copy.alias).toBe(copy.first) // shared reference stays shared
    expect(copy.self).toBe(copy) // cycle preserved
    expect(copy.lm).toBe(big.lm)
    expect(copy.fn).toBe(big.fn)
    expect(copy.client).toBe(big.client)
    expect(copy.first.signature).toBe(big.first.signature)
    expect(copy.namedPredictors().map(([n]) => n)).toEqual(big.namedPredictors().map(([n]) => n))
    copy.first.instructions += '\n\nMore.'
    ;(copy.first.demos[0]!.meta as { tags: string[] }).tags.push('u')
    copy.hops.push(new Predict('q -> a'))
    ;(copy.byKind.get('x') as Predict).demos.push({ q: '1', a: '2' })
    expect(big.first.instructions).not.toContain('More.')
    expect(big.first.demos[0]).toEqual({ q: 'one', a: 'two', meta: { tags: ['t'] } })
    expect(big.hops).toHaveLength(2)
    expect((big.byKind.get('x') as Predict).demos).toEqual([])
    const ids = new Set(big.predictors())
    for (const p of copy.predictors()) expect(ids.has(p)).toBe(false)
  })

  it('clones a bare Predict and ChainOfThought', () => {
    const p = new Predict('q -> a', { demos: [{ q: '1', a: '2' }] })
    const c = p.clone()
    c.demos.push({ q: '3', a: '4' })
    expect(p.demos).toHaveLength(1)
    expect(new ChainOfThought('q -> a').clone().predict).toBeInstanceOf(Predict)
  })
})

describe('state / loadState', () => {
  it('round-trips and reproduces exactly the same rendered messages and fingerprint', () => {
    const a = new Big()
    a.first.instructions = 'Be exact.'
    a.nested.cot.predict.demos = [{ q: 'why', reasoning: 'because', a: 'so' }]
    const json = JSON.stringify(a.state())
    const b = new Big()
    expect(promptFingerprint(b)).not.toBe(promptFingerprint(a))
    b.loadState(JSON.parse(json))
    expect(promptFingerprint(b)).toBe(promptFingerprint(a))
    expect(renderPrompt(b.nested.cot.predict, { q: 'x' })).toEqual(renderPrompt(a.nested.cot.predict, { q: 'x' }))
    expect(b.state()).toEqual(a.state())
    // loading copies: later edits to the state object do not leak in
    const state = a.state()
    b.loadState(state)
    state.first!.demos.push({ q: 'leak', a: 'leak' })
    expect(b.first.demos).toEqual([])
  })

  it('names missing and unknown predictors, and bad shapes, changing nothing', () => {
    const m = new Nested()
    expect(() => m.loadState({})).toThrow(/missing predictors: cot.predict/)
    expect(() => m.loadState({ 'cot.predict': { instructions: 'x', demos: [] }, ghost: { instructions: 'x', demos: [] } })).toThrow(/unknown predictors: ghost/)
    expect(() => m.loadState({ 'cot.predict': { instructions: 1, demos: [] } } as never)).toThrow(/"cot.predict" in Nested must be/)
    expect(() => m.loadState({ 'cot.predict': { instructions: 'x', demos: [1] } } as never)).toThrow(/demo #0/)
    expect(() => m.loadState([] as never)).toThrow(/array/)
    expect(() => m.loadState({})).toThrow(expect.objectContaining({ code: 'SIMBA_STATE' }))
    expect(m.cot.predict.instructions).not.toBe('x')
    const p = new Predict('q -> a')
    p.loadState({ self: { instructions: 'Own.', demos: [] } })
    expect(p.instructions).toBe('Own.')
  })

  it('fingerprint changes with instructions and demos', () => {
    const p = new Predict('q -> a')
    const f0 = promptFingerprint(p)
    expect(f0).toMatch(/^[0-9a-f]{64}$/)
    p.demos.push({ q: '1', a: '2' })
    const f1 = promptFingerprint(p)
    p.instructions = 'x'
    expect(new Set([f0, f1, promptFingerprint(p)]).size).toBe(3)
    expect(lastUser(renderPrompt(p, { q: '<q>' }))).toBe('[[ ## q ## ]]\n<q>')
  })
})

describe('setLM and settings', () => {
  it('setLM sets every predictor', () => {
    const lm = new ScriptedLM('')
    const big = new Big().setLM(lm)
    for (const p of big.predictors()) expect(p.lm).toBe(lm)
  })

  it('withSettings nests by merging, and is async-context scoped', async () => {
    const lm = new ScriptedLM('')
    expect(currentSettings()).toEqual({})
    await withSettings({ lm, jsonFallback: false }, async () => {
      await withSettings({ jsonFallback: true, lm: undefined }, async () => {
        expect(currentSettings().lm).toBe(lm)
        expect(currentSettings().jsonFallback).toBe(true)
      })
      expect(currentSettings().jsonFallback).toBe(false)
    })
    expect(currentSettings()).toEqual({})
  })
})

describe('a two-predictor program end to end', () => {
  const classifySig = signature({ inputs: { ticket: z.string() }, outputs: { queue: z.enum(['billing', 'technical']) } })
  const replySig = signature({ inputs: { ticket: z.string(), queue: z.string() }, outputs: { reply: z.string(), urgent: z.boolean() } })
  class Support extends Module<{ ticket: string }, { queue: string; reply: string; urgent: boolean }> {
    classify = new Predict(classifySig)
    respond = new ChainOfThought(replySig)
    async forward({ ticket }: { ticket: string }) {
      const { queue } = await this.classify.forward({ ticket })
      const { reply, urgent } = await this.respond.forward({ ticket, queue })
      return { queue, reply, urgent }
    }
  }

  it('routes, replies and records both steps in order', async () => {
    const lm = new ScriptedLM((req) =>
      lastUser(req).includes('[[ ## queue ## ]]')
        ? chatReply({ reasoning: 'Refunds are billing.', reply: 'We will refund you.', urgent: false })
        : chatReply({ queue: 'billing' }),
    )
    const program = new Support()
    expect(program.namedPredictors().map(([n]) => n)).toEqual(['classify', 'respond.predict'])
    const run = await withSettings({ lm }, () => runWithTrace(() => program.forward({ ticket: 'refund please' })))
    expect(run.result).toEqual({ queue: 'billing', reply: 'We will refund you.', urgent: false })
    expect(run.trace.map((s) => s.predictor)).toEqual([program.classify, program.respond.predict])
    expect(run.trace[1]!.outputs).toEqual({ reasoning: 'Refunds are billing.', reply: 'We will refund you.', urgent: false })
    expect(lm.requests).toHaveLength(2)
    const clone = program.clone()
    clone.classify.instructions = 'Changed.'
    await withSettings({ lm }, () => clone.forward({ ticket: 'x' }))
    expect(lm.requests[2]!.messages[0]!.content.startsWith('Changed.')).toBe(true)
    expect(program.classify.instructions).not.toBe('Changed.')
  })
})
