import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { simulate } from '../../src/testing/sim/simulate.js'
import { startSimulator, type Simulator } from '../../src/testing/sim/server.js'
import { loadWorld, parseWorld } from '../../src/testing/world/load.js'
import { governingRule, keywordIn } from '../../src/testing/world/oracle.js'
import type { World, WorldLearning } from '../../src/testing/world/schema.js'
import { client, field, support, wireMessages } from './helpers.js'

const ctx0 = { temperature: 0, rollout: '', salt: '0' }
const withLearning = (learning: WorldLearning): World => parseWorld({ ...support, learning }, 'support+learning')
const rule = support.rules.find((r) => r.id === 'duplicate-charge')!
const allCases = [...support.train, ...support.test].map((c) => c.ticket as string)
/** Tickets governed by the duplicate-charge rule through keyword `kw`. */
const governedBy = (kw: string): string[] => allCases.filter((t) => governingRule(support, { ticket: t })?.id === rule.id && keywordIn(rule, [t]) === kw)

function answer(world: World, ticket: string, opts: { instructions?: string; demos?: Array<Record<string, unknown>>; ctx?: typeof ctx0 } = {}): string | undefined {
  const msgs = wireMessages({ instructions: opts.instructions, inputs: ['ticket'], outputs: [{ name: 'queue', type: `one of: ${support.labels.join(', ')}` }], values: { ticket }, demos: opts.demos })
  return field(simulate([world], msgs, undefined, opts.ctx ?? ctx0).content, 'queue')
}
/** Share of `tickets` answered with the rule's label. */
const share = (world: World, tickets: string[], opts: Parameters<typeof answer>[2] = {}): number =>
  tickets.filter((t) => answer(world, t, opts) === rule.label).length / tickets.length

describe('learning knobs: schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simba-learning-'))
  const file = (name: string, learning: unknown): string => {
    const path = join(dir, name)
    writeFileSync(path, JSON.stringify({ ...support, learning }))
    return path
  }

  it.each([
    ['bad-demo.json', { demo: 'sometimes' }, 'learning.demo'],
    ['bad-instructions.json', { instructions: 'none' }, 'learning.instructions'],
    ['unknown-key.json', { demos: 'rule' }, 'learning'],
    ['bad-budget.json', { budget: { tokens: -5, slipPerThousand: 0.1 } }, 'learning.budget.tokens'],
    ['budget-missing-field.json', { budget: { tokens: 100 } }, 'learning.budget.slipPerThousand'],
    ['budget-extra-field.json', { budget: { tokens: 100, slipPerThousand: 0.1, perToken: 1 } }, 'learning.budget'],
  ])('%s is rejected with an error naming the file and %s', (name, learning, path) => {
    const f = file(name, learning)
    expect(() => loadWorld(f)).toThrow(f)
    expect(() => loadWorld(f)).toThrow(`  - ${path}:`)
  })

  it('accepts every documented value', () => {
    for (const demo of ['rule', 'keyword', 'none'] as const) for (const instructions of ['rule', 'keyword'] as const) {
      expect(loadWorld(file(`ok-${demo}-${instructions}.json`, { demo, instructions, budget: { tokens: 500, slipPerThousand: 0.2 } })).learning?.demo).toBe(demo)
    }
  })
})

describe('learning knobs: what a prompt teaches', () => {
  const twice = governedBy('charged twice')
  const others = [...governedBy('double charge'), ...governedBy('duplicate payment'), ...governedBy('billed two times')]
  const demo = { ticket: twice[0], queue: 'billing' }
  const statementOne = 'Tickets saying they were charged twice go to billing.'

  it('the fixture has cases for several keywords of one rule, most of which the prior gets wrong', () => {
    expect(twice.length).toBeGreaterThanOrEqual(2)
    expect(others.length).toBeGreaterThanOrEqual(3)
    expect(share(support, others)).toBeLessThan(1)
  })

  it('demo "rule" (v1): one demo teaches every keyword of its rule; "keyword": only its own keyword; "none": nothing', () => {
    expect(share(withLearning({ demo: 'rule' }), others, { demos: [demo] })).toBe(1)
    const kw = withLearning({ demo: 'keyword' })
    expect(share(kw, twice.slice(1), { demos: [demo] })).toBe(1)
    expect(share(kw, others, { demos: [demo] })).toBe(share(support, others))
    const none = withLearning({ demo: 'none' })
    expect(share(none, [...twice.slice(1), ...others], { demos: [demo] })).toBe(share(support, [...twice.slice(1), ...others]))
    // "none" still learns from instructions
    expect(share(none, twice, { instructions: statementOne })).toBe(1)
  })

  it('instructions "keyword": a sentence teaches only the keywords it names; naming them all teaches the rule', () => {
    const kw = withLearning({ instructions: 'keyword' })
    expect(share(kw, twice, { instructions: statementOne })).toBe(1)
    expect(share(kw, others, { instructions: statementOne })).toBe(share(support, others))
    expect(share(kw, [...twice, ...others], { instructions: rule.statement })).toBeLessThan(1) // the statement names 2 of 4 keywords
    expect(share(kw, [...twice, ...others], { instructions: `Tickets that say ${rule.keywords.join(', ')} go to billing.` })).toBe(1)
    expect(share(withLearning({ instructions: 'rule' }), others, { instructions: statementOne })).toBe(1)
  })

  it('budget: past the free tokens, known rules slip at temperature 0 too, more as the prompt grows; under it nothing changes', () => {
    const budget = withLearning({ budget: { tokens: 300, slipPerThousand: 0.4 } })
    const governed = allCases.filter((t) => governingRule(support, { ticket: t }) !== undefined)
    const statements = support.rules.map((r) => r.statement).join(' ')
    const wrongAt = (padding: number): Set<string> => {
      const instructions = `${statements}\n${'Read the ticket. '.repeat(padding)}`
      return new Set(governed.filter((t) => answer(budget, t, { instructions }) !== governingRule(support, { ticket: t })!.label))
    }
    expect(wrongAt(0).size).toBe(0)
    const mid = wrongAt(300)
    const long = wrongAt(1200)
    expect(mid.size).toBeGreaterThan(0)
    expect(long.size).toBeGreaterThan(mid.size)
    for (const t of mid) expect(long.has(t)).toBe(true)
    // the same prompts on the v1 world: never a slip at temperature 0
    expect(governed.every((t) => answer(support, t, { instructions: `${statements}\n${'Read the ticket. '.repeat(1200)}` }) === governingRule(support, { ticket: t })!.label)).toBe(true)
  })

  it('keyword knowledge is monotone: adding demos never loses a case the rule answered (property)', () => {
    const kw = withLearning({ demo: 'keyword', instructions: 'keyword' })
    const train = support.train.map((c) => ({ ticket: c.ticket, queue: c.queue }))
    fc.assert(
      fc.property(fc.subarray(train, { maxLength: 6 }), fc.subarray(train, { maxLength: 3 }), fc.constantFrom(...allCases), (a, b, t) => {
        const r = governingRule(support, { ticket: t })
        fc.pre(r !== undefined)
        if (answer(kw, t, { demos: a }) === r!.label && answer(support, t) !== r!.label) expect(answer(kw, t, { demos: [...a, ...b] })).toBe(r!.label)
      }),
      { numRuns: 150 },
    )
  })
})

describe('learning knobs read only the prompt and the rollout id', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({ worlds: ['examples/worlds/news-desk.json'] })
  })
  afterAll(() => sim.close())

  it('model name, user, headers and API key do not change an answer', async () => {
    const news = loadWorld('examples/worlds/news-desk.json')
    const c = news.test[0] as Record<string, string>
    const messages = wireMessages({ inputs: ['headline', 'lede'], outputs: [{ name: 'section', type: `one of: ${news.labels.join(', ')}` }], values: { headline: c.headline, lede: c.lede }, demos: news.train.slice(0, 3) })
    const ask = async (model: string, key: string, headers: Record<string, string>, user?: string): Promise<string> => {
      const openai = client(sim.url)
      const r = await openai.withOptions({ apiKey: key }).chat.completions.create({ model, temperature: 1, messages, ...(user ? { user } : {}) }, { headers: { 'x-simba-rollout-id': '3', ...headers } })
      return r.choices[0]?.message.content ?? ''
    }
    const base = await ask('simba-sim-1', 'x', {})
    expect(await ask('gpt-4o-mini', 'another-key', { 'user-agent': 'dspy/3.0', 'x-optimizer': 'simba' }, 'someone')).toBe(base)
  })
})
