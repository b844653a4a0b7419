/**
 * Meta-requests of another optimizer library, recognised by content: request bodies captured from
 * Ax (AxGEPA's feedback summary and instruction proposal, AxACE's reflector and curator) are answered
 * in the layout asked for, with advice drawn only from the cases shown; ordinary task requests in
 * Ax's layout and ours are answered exactly as before (digest taken on the simulator before
 * meta-requests were recognised).
 */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha256 } from '../../src/internal/hash/sha256.js'
import { simulate } from '../../src/testing/sim/simulate.js'
import type { SampleContext } from '../../src/testing/sim/seed.js'
import { loadWorld, parseWorld } from '../../src/testing/world/load.js'
import { governingRule } from '../../src/testing/world/oracle.js'
import type { World } from '../../src/testing/world/schema.js'
import { expense, support } from './helpers.js'

interface Body { messages: Array<{ role: string; content: string }>; response_format?: unknown }
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/ax-requests.json', import.meta.url), 'utf8')) as Array<{ name: string; body: Body }>
const body = (name: string): Body => structuredClone(fixtures.find((f) => f.name === name)!.body)
const ctx: SampleContext = { temperature: 0, rollout: '', salt: '0' }
const ask = (b: Body, worlds: readonly World[] = [support], c = ctx) => simulate(worlds, b.messages, b.response_format, c)
/** `key: value` lines of an Ax-style reply. */
const lines = (text: string): Record<string, string> => Object.fromEntries(text.split('\n').map((l) => /^(\w+):\s?(.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m![1]!, m![2]!]))
const quotedCues = (text: string): string[] => [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1]!.toLowerCase())
const ticketsIn = (text: string): string[] => [...text.matchAll(/"ticket":\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string)

describe('meta-requests from Ax, recognised by content', () => {
  it('the captured fixtures hold no key or auth header', () => {
    const text = readFileSync(new URL('./fixtures/ax-requests.json', import.meta.url), 'utf8').toLowerCase()
    for (const s of ['authorization', 'bearer', 'api_key', 'apikey', 'sk-']) expect(text).not.toContain(s)
  })

  it('AxGEPA feedback summary: a `feedbackSummary:` line of rules whose cues come from the minibatch shown', () => {
    const b = body('ax-gepa-feedback-summary')
    const r = ask(b)
    expect(r.kind).toBe('meta')
    const out = lines(r.content)
    expect(Object.keys(out)).toEqual(['feedbackSummary'])
    const shown = ticketsIn(b.messages.at(-1)!.content).join('\n').toLowerCase()
    expect(quotedCues(out.feedbackSummary!).length).toBeGreaterThan(0)
    for (const cue of quotedCues(out.feedbackSummary!)) expect(shown).toContain(cue)
  })

  it('AxGEPA proposal: `newValue:` keeps the current value and adds the summary\'s rules', () => {
    const b = body('ax-gepa-new-value')
    const r = ask(b)
    expect(r.kind).toBe('meta')
    const user = b.messages.at(-1)!.content
    const current = /Current Value: (.*)/.exec(user)![1]!
    const summary = /Feedback Summary: (.*)/.exec(user)![1]!
    const out = lines(r.content)
    expect(Object.keys(out)).toEqual(['newValue'])
    expect(out.newValue).toContain(current.split('. ')[0])
    for (const cue of quotedCues(summary)) expect(out.newValue!.toLowerCase()).toContain(`"${cue}"`)
  })

  it('AxACE reflector: every output field on its line, bulletTags a JSON array; a failed case is named as an error', () => {
    for (const name of ['ax-ace-reflector', 'ax-ace-reflector-failed']) {
      const r = ask(body(name))
      expect(r.kind).toBe('meta')
      const out = lines(r.content)
      expect(Object.keys(out)).toEqual(['reasoning', 'errorIdentification', 'rootCauseAnalysis', 'correctApproach', 'keyInsight', 'bulletTags'])
      expect(Array.isArray(JSON.parse(out.bulletTags!))).toBe(true)
      if (name.endsWith('failed')) expect(out.errorIdentification).not.toMatch(/^no error/i)
      else expect(out.errorIdentification).toMatch(/^no error/i)
    }
  })

  it('AxACE curator: `operations` is a JSON list of ADD operations carrying the reflection\'s rules into a playbook section', () => {
    const b = body('ax-ace-curator')
    const r = ask(b)
    expect(r.kind).toBe('meta')
    const out = lines(r.content)
    const ops = JSON.parse(out.operations!) as Array<{ type: string; section: string; content: string }>
    expect(ops.length).toBeGreaterThan(0)
    const reflection = /Reflection: (.*)/.exec(b.messages.at(-1)!.content)![1]!
    for (const op of ops) {
      expect(op.type).toBe('ADD')
      expect(op.section).toBe('Guidelines')
      for (const cue of quotedCues(op.content)) expect(reflection.toLowerCase()).toContain(cue)
    }
  })

  it('a correction turn after the original request ("required field not found") is still answered as the meta-request', () => {
    const b = body('ax-ace-curator')
    b.messages.push({ role: 'assistant', content: '{}' }, { role: 'user', content: "Invalid Field: Required field not found: 'Reasoning'" })
    const r = ask(b)
    expect(r.kind).toBe('meta')
    expect(Object.keys(lines(r.content))).toEqual(['reasoning', 'operations'])
  })

  it('advice is drawn only from the cases shown, under the world\'s reflection noise (property)', () => {
    const noisy = parseWorld({ ...support, learning: { reflection: { vague: 0.3, wrong: 0.4 } } }, 'noisy')
    const template = body('ax-gepa-feedback-summary')
    const user = template.messages.at(-1)!.content
    const prefix = user.slice(0, user.indexOf('Minibatch:'))
    fc.assert(
      fc.property(fc.subarray(support.train, { minLength: 1, maxLength: 6 }), fc.nat(50), (cases, salt) => {
        const minibatch = cases.map((c) => ({ input: { ticket: c.ticket, queue: c.queue }, prediction: { queue: 'other' }, score: 0 }))
        const b = structuredClone(template)
        b.messages[b.messages.length - 1]!.content = `${prefix}Minibatch: ${JSON.stringify(minibatch, null, 2)}`
        const r = ask(b, [noisy], { ...ctx, salt: String(salt) })
        expect(r.kind).toBe('meta')
        const shown = cases.map((c) => (c.ticket as string).toLowerCase()).join('\n')
        for (const cue of quotedCues(lines(r.content).feedbackSummary!)) expect(shown).toContain(cue)
        // deterministic
        expect(ask(b, [noisy], { ...ctx, salt: String(salt) }).content).toBe(r.content)
      }),
      { numRuns: 60 },
    )
  })

  it('the reflection shares hold for another optimizer\'s summaries too (seeded count over many minibatches)', () => {
    const noisy = parseWorld({ ...support, learning: { reflection: { vague: 0.5, wrong: 0.3 } } }, 'noisy')
    const template = body('ax-gepa-feedback-summary')
    const user = template.messages.at(-1)!.content
    const prefix = user.slice(0, user.indexOf('Minibatch:'))
    const ruled = [...support.train, ...support.test].filter((c) => governingRule(support, c))
    const n = { right: 0, wrong: 0, vague: 0 }
    for (let salt = 0; salt < 8; salt++) for (const c of ruled) {
      const b = structuredClone(template)
      b.messages[b.messages.length - 1]!.content = `${prefix}Minibatch: ${JSON.stringify([{ input: { ticket: c.ticket, queue: c.queue }, prediction: { queue: 'other' }, score: 0 }])}`
      const cues = quotedCues(lines(ask(b, [noisy], { ...ctx, salt: String(salt) }).content).feedbackSummary!)
      const rule = governingRule(support, c)!
      if (cues.length === 0) n.vague++
      else if (rule.keywords.some((k) => cues.includes(k.toLowerCase()))) n.right++
      else n.wrong++
    }
    const total = n.right + n.wrong + n.vague
    expect(n.vague / total).toBeGreaterThan(0.4)
    expect(n.vague / total).toBeLessThan(0.6)
    expect(n.wrong / total).toBeGreaterThan(0.2)
    expect(n.wrong / total).toBeLessThan(0.4)
  })
})

describe('ordinary task requests are answered exactly as before', () => {
  const news = loadWorld('examples/worlds/news-desk.json')
  const worlds = [support, expense, news]
  const axTask = body('ax-task')
  /** Task requests in Ax's layout (with and without an instruction naming rules or wrong labels), DSPy-style markers and plain lines. */
  function corpus(): Body[] {
    const out: Body[] = []
    const cases = [...support.train, ...support.test]
    cases.forEach((c, i) => {
      const b = structuredClone(axTask)
      const extra = i % 3 === 0 ? '' : i % 3 === 1 ? `\n<task_definition>\n${support.rules[i % 8]!.statement}\n</task_definition>` : `\n<task_definition>\nTickets that mention "${support.rules[i % 8]!.keywords[0]}" go to other.\n</task_definition>`
      b.messages[0]!.content = b.messages[0]!.content.replace('<formatting_rules>', `${extra}\n<formatting_rules>`)
      b.messages[1]!.content = `Ticket: ${c.ticket as string}`
      out.push(b)
      out.push({
        messages: [
          { role: 'system', content: `Your input fields are:\n1. \`ticket\` (str)\nYour output fields are:\n1. \`queue\` (Literal[${support.labels.join(', ')}])\nAll interactions will be structured in the following way:\n\n[[ ## ticket ## ]]\n{ticket}\n\n[[ ## queue ## ]]\n{queue}\n\n[[ ## completed ## ]]\nIn adhering to this structure, your objective is: Route the ticket. Expected score 1.` },
          { role: 'user', content: `[[ ## ticket ## ]]\n${c.ticket as string}\n\nRespond with the corresponding output fields, starting with the field \`[[ ## queue ## ]]\`.` },
        ],
      })
      out.push({ messages: [{ role: 'system', content: 'Classify the ticket. Reply with one line, Queue: <queue>. Examples: {"ticket": "refund please", "queue": "billing", "score": 1}' }, { role: 'user', content: `Ticket: ${c.ticket as string}` }] })
    })
    return out
  }
  it('Ax, DSPy-style and plain-line task requests hash to the digest taken before meta-requests were recognised', () => {
    const replies = corpus().map((b, i) => simulate(worlds, b.messages, b.response_format, { temperature: i % 4 === 1 ? 1 : 0, rollout: String(i % 5), salt: String(i % 2) }))
    expect(replies.every((r) => r.kind !== 'meta')).toBe(true)
    expect(sha256(replies.map((r) => r.content).join('\u0000'))).toBe('b58431a8f4af173d19443763d89e9817a8b8155b14a3a91d0f395976eadd2c95')
  })
})

describe('a MIPRO-style instruction proposal in the project\'s marker layout', () => {
  it('examples written as `Ticket:`/`Queue:` groups are read as cases; the proposed instruction states their rules', async () => {
    const { wireMessages, field } = await import('./helpers.js')
    const shown = support.train.filter((c) => governingRule(support, c)).slice(0, 5)
    const demos = shown.map((c) => `Ticket: ${c.ticket as string}\nQueue: ${c.queue as string}`).join('\n\n')
    const msgs = wireMessages({
      instructions: 'Propose an instruction that will help a language model do this task well.',
      inputs: ['dataset_description', 'task_demos', 'basic_instruction'],
      outputs: ['proposed_instruction'],
      values: { dataset_description: 'Customer support tickets routed to queues.', task_demos: demos, basic_instruction: 'Route the ticket.' },
    })
    const r = simulate([support], msgs, undefined, ctx)
    expect(r.kind).toBe('meta')
    const proposed = field(`${r.content}\n\n[[ ## x ## ]]`, 'proposed_instruction')!
    const text = shown.map((c) => (c.ticket as string).toLowerCase()).join('\n')
    expect(quotedCues(proposed).length).toBeGreaterThan(0)
    for (const cue of quotedCues(proposed)) expect(text).toContain(cue)
    // the same examples shown as a task request's demos are still a task request
    const task = wireMessages({ inputs: ['ticket'], outputs: ['queue'], values: { ticket: shown[0]!.ticket }, demos: shown.slice(1).map((c) => ({ ticket: c.ticket, queue: c.queue })) })
    expect(simulate([support], task, undefined, ctx).kind).toBe('task')
  })
})
