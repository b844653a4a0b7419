import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { JSONAdapter } from '../../../src/core/adapter/json.js'
import { withSettings } from '../../../src/core/module/settings.js'
import { ChainOfThought } from '../../../src/core/predict/chain-of-thought.js'
import { Predict } from '../../../src/core/predict/predict.js'
import { field } from '../../../src/core/signature/field.js'
import { signature } from '../../../src/core/signature/signature.js'
import { runWithTrace } from '../../../src/core/trace/trace.js'
import type { AdapterParseError } from '../../../src/errors.js'
import { chatReply, lastUser, ScriptedLM } from '../helpers/scripted-lm.js'

const sig = signature({
  instructions: 'Route the ticket.',
  inputs: { ticket: field(z.string(), 'The message') },
  outputs: { queue: z.enum(['billing', 'technical']) },
})

describe('Predict', () => {
  it('calls the LM once, parses typed outputs and records a trace step', async () => {
    const lm = new ScriptedLM(chatReply({ queue: 'billing' }))
    const p = new Predict(sig, { lm })
    expect(p.instructions).toBe('Route the ticket.')
    const run = await runWithTrace(() => p.forward({ ticket: 'charged twice' }))
    expect(run.result).toEqual({ queue: 'billing' })
    expect(lm.requests).toHaveLength(1)
    expect(lastUser(lm.requests[0]!)).toBe('[[ ## ticket ## ]]\ncharged twice')
    expect(run.trace).toEqual([{ predictor: p, inputs: { ticket: 'charged twice' }, outputs: { queue: 'billing' } }])
  })

  it('uses its current instructions and demos in the prompt', async () => {
    const lm = new ScriptedLM(chatReply({ queue: 'technical' }))
    const p = new Predict(sig, { lm })
    p.instructions = 'New rules.'
    p.demos = [{ ticket: 'crash', queue: 'technical' }]
    await p.forward({ ticket: 'x' })
    const msgs = lm.requests[0]!.messages
    expect(msgs[0]!.content.startsWith('New rules.\n')).toBe(true)
    expect(msgs.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
  })

  it('names the predictor and field when an input is missing', async () => {
    const p = new Predict(sig, { lm: new ScriptedLM('') })
    await expect(p.forward({} as never)).rejects.toThrow(/predictor "ticket -> queue" is missing input "ticket"/)
    const named = new Predict(sig, { lm: new ScriptedLM(''), name: 'router' })
    await expect(named.forward({ tix: 'x' } as never)).rejects.toMatchObject({ code: 'SIMBA_DATASET', message: expect.stringContaining('got keys: tix') })
  })

  it('resolves the LM: own, then settings, else SIMBA_NO_LM; mapLM receives the name', async () => {
    const p = new Predict(sig)
    await expect(p.forward({ ticket: 'x' })).rejects.toMatchObject({ code: 'SIMBA_NO_LM', message: expect.stringContaining('"ticket -> queue"') })
    const global = new ScriptedLM(chatReply({ queue: 'billing' }))
    const mapped = new ScriptedLM(chatReply({ queue: 'technical' }))
    expect(await withSettings({ lm: global }, () => p.forward({ ticket: 'x' }))).toEqual({ queue: 'billing' })
    const seen: Array<string | undefined> = []
    const out = await withSettings({ lm: global, mapLM: (lm, name) => (seen.push(name), lm === global ? mapped : lm) }, () => p.forward({ ticket: 'x' }))
    expect(out).toEqual({ queue: 'technical' })
    expect(seen).toEqual([undefined])
    const own = new ScriptedLM(chatReply({ queue: 'technical' }))
    const p2 = new Predict(sig, { lm: own })
    await withSettings({ lm: global }, () => p2.forward({ ticket: 'x' }))
    expect(own.requests).toHaveLength(1)
  })

  it('falls back to the JSON adapter once after a malformed chat reply', async () => {
    const lm = new ScriptedLM(['I think it is billing.', '```json\n{"queue": "billing"}\n```'])
    const p = new Predict(sig, { lm })
    const run = await runWithTrace(() => p.forward({ ticket: 'x' }))
    expect(run.result).toEqual({ queue: 'billing' })
    expect(lm.requests).toHaveLength(2)
    expect(lm.requests[1]!.responseFormat).toEqual({ type: 'json_object' })
    expect(run.trace).toHaveLength(1)
  })

  it('throws the chat parse error (mentioning the JSON retry) when both fail', async () => {
    const lm = new ScriptedLM(['nonsense', 'still nonsense'])
    const p = new Predict(sig, { lm, name: 'router' })
    const err = (await p.forward({ ticket: 'x' }).catch((e: unknown) => e)) as AdapterParseError
    expect(err.code).toBe('SIMBA_ADAPTER_PARSE')
    expect(err.predictor).toBe('router')
    expect(err.field).toBe('queue')
    expect(err.raw).toBe('nonsense')
    expect(err.message).toContain('retried with the JSON adapter, which failed too')
  })

  it('does not fall back when disabled or when the adapter is not chat', async () => {
    const lm = new ScriptedLM(['nonsense', chatReply({ queue: 'billing' })])
    await expect(withSettings({ jsonFallback: false }, () => new Predict(sig, { lm }).forward({ ticket: 'x' }))).rejects.toMatchObject({ code: 'SIMBA_ADAPTER_PARSE' })
    expect(lm.requests).toHaveLength(1)
    const lm2 = new ScriptedLM(['nonsense'])
    await expect(new Predict(sig, { lm: lm2, adapter: new JSONAdapter() }).forward({ ticket: 'x' })).rejects.toThrow(/json adapter/)
    expect(lm2.requests).toHaveLength(1)
  })

  it('accepts the shorthand, uses settings.adapter, passes LM errors through', async () => {
    const lm = new ScriptedLM('{"answer": "42"}')
    const p = new Predict('question -> answer', { lm })
    expect(await withSettings({ adapter: new JSONAdapter() }, () => p.forward({ question: 'q' }))).toEqual({ answer: '42' })
    const failing = { ...lm, call: async () => Promise.reject(new Error('HTTP 500')) }
    await expect(new Predict('q -> a', { lm: failing as never }).forward({ q: 'x' })).rejects.toThrow('HTTP 500')
  })
})

describe('ChainOfThought', () => {
  it('adds a reasoning output first and returns it', async () => {
    const lm = new ScriptedLM(chatReply({ reasoning: 'It mentions a charge.', queue: 'billing' }))
    const cot = new ChainOfThought(sig, { lm })
    expect(cot.predict.signature.outputFields.map((f) => f.name)).toEqual(['reasoning', 'queue'])
    expect(cot.namedPredictors().map(([n]) => n)).toEqual(['predict'])
    const out = await cot.forward({ ticket: 'x' })
    expect(out).toEqual({ reasoning: 'It mentions a charge.', queue: 'billing' })
    expect(lm.requests[0]!.messages[0]!.content).toContain('[[ ## reasoning ## ]]\n<value>\n[[ ## queue ## ]]')
  })
})
