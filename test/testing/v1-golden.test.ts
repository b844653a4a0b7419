/**
 * Format-v1 worlds answer byte-identically: a fixed, seeded corpus of requests (both adapters, demos,
 * rule statements, noise, temperatures 0 and 1 with rollouts, rule-writing and other-module calls)
 * is answered by the simulator and hashed. The digest was taken on the simulator before the learning
 * knobs and foreign layouts existed; a change of any single answer changes it.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ChatAdapter } from '../../src/core/adapter/chat.js'
import { JSONAdapter } from '../../src/core/adapter/json.js'
import { signature } from '../../src/core/signature/signature.js'
import { sha256 } from '../../src/internal/hash/sha256.js'
import { simulate } from '../../src/testing/sim/simulate.js'
import { parseWorld } from '../../src/testing/world/load.js'
import type { World } from '../../src/testing/world/schema.js'
import { expense, support } from './helpers.js'

const worlds = [support, expense]
const GOLDEN = '3494db72a3e25537966176340f9b4f61e5d534980934508b328b77c78db612cc'

function signatureOf(world: World, cot: boolean) {
  const inputs = Object.fromEntries(world.inputs.map((k) => [k, z.string()]))
  const outputs = { ...(cot ? { reasoning: z.string() } : {}), [world.output]: z.enum(world.labels as [string, ...string[]]) }
  return signature({ inputs, outputs })
}

interface Req { messages: Array<{ role: string; content: string }>; responseFormat: unknown; ctx: { temperature: number; rollout: string; salt: string } }

/** A deterministic corpus of requests: pure function of the index. */
function corpus(n: number): Req[] {
  return Array.from({ length: n }, (_, i) => request(i))
}

/** Request number `i` of the corpus; `extra` is appended to its instructions. */
function request(i: number, extra = ''): Req {
  {
    const world = worlds[i % 2] as World
    const cases = [...world.train, ...world.test]
    const pick = (k: number): Record<string, unknown> => cases[(i * 7 + k * 13) % cases.length] as Record<string, unknown>
    const statements = world.rules.filter((_, r) => (i >> r) % 3 === 0).map((r) => r.statement ?? '')
    const noise = ['Be careful.', 'Think about the customer.', 'Answer with a label.', ''][i % 4] as string
    const instructions = [noise, ...statements, extra].join(' ').trim() || 'Classify.'
    const demos = Array.from({ length: i % 5 }, (_, k) => pick(k + 1))
    const adapter = i % 3 === 0 ? new JSONAdapter() : new ChatAdapter()
    const req = adapter.format({ signature: signatureOf(world, i % 4 === 1), instructions, demos, inputs: Object.fromEntries(world.inputs.map((k) => [k, pick(0)[k]])) })
    const hot = i % 5 === 2
    return { messages: req.messages, responseFormat: req.responseFormat, ctx: { temperature: hot ? 1 : 0, rollout: hot ? String(i % 7) : '', salt: i % 11 === 0 ? '3' : '0' } }
  }
}

function digest(ws: readonly World[], n: number): string {
  return sha256(corpus(n).map((r) => simulate(ws, r.messages, r.responseFormat, r.ctx).content).join('\u0000'))
}

describe('format-v1 worlds answer byte-identically', () => {
  it('a 600-request corpus hashes to the digest taken before the learning knobs existed', () => {
    expect(digest(worlds, 600)).toBe(GOLDEN)
  })

  it('an explicit default `learning` block gives the same response as none, for any request (property)', () => {
    const defaults = { demo: 'rule', instructions: 'rule', budget: { tokens: 0, slipPerThousand: 0 } }
    const explicit = worlds.map((w) => parseWorld({ ...w, learning: defaults }, w.name))
    const partial = worlds.map((w) => parseWorld({ ...w, learning: {} }, w.name))
    const text = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom(...worlds.flatMap((w) => w.rules.map((r) => r.statement ?? ''))))
    fc.assert(
      fc.property(fc.nat(100_000), text, (i, extra) => {
        const r = request(i, extra)
        const v1 = simulate(worlds, r.messages, r.responseFormat, r.ctx)
        expect(simulate(explicit, r.messages, r.responseFormat, r.ctx)).toEqual(v1)
        expect(simulate(partial, r.messages, r.responseFormat, r.ctx)).toEqual(v1)
      }),
      { numRuns: 300 },
    )
  })
})
