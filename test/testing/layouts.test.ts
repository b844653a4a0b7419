/**
 * Requests from clients that are not ours: the plain `openai` SDK with hand-written prompts in
 * several layouts, against the real simulator on 127.0.0.1. They are answered by the same knowledge
 * rules as the project's own adapters, in the layout they asked for, never with a placeholder.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ChatAdapter } from '../../src/core/adapter/chat.js'
import { signature } from '../../src/core/signature/signature.js'
import { normalizeName, readForeign } from '../../src/testing/sim/layouts.js'
import { startSimulator, type Simulator } from '../../src/testing/sim/server.js'
import { simulate } from '../../src/testing/sim/simulate.js'
import { loadWorld } from '../../src/testing/world/load.js'
import { governingRule } from '../../src/testing/world/oracle.js'
import type { World } from '../../src/testing/world/schema.js'
import { client, expense, support } from './helpers.js'

const news = loadWorld('examples/worlds/news-desk.json')
const worlds = [support, expense, news]
const ctx0 = { temperature: 0, rollout: '', salt: '0' }
type Msg = { role: 'system' | 'user' | 'assistant'; content: string }

/** The label our own ChatAdapter gets for the same knowledge. */
function ours(world: World, instructions: string, demos: Array<Record<string, unknown>>, inputs: Record<string, unknown>): string {
  const sig = signature({ instructions, inputs: Object.fromEntries(world.inputs.map((k) => [k, z.string()])), outputs: { [world.output]: z.enum(world.labels as [string, ...string[]]) } })
  const req = new ChatAdapter().format({ signature: sig, instructions, demos, inputs })
  return new ChatAdapter().parse(sig, simulate(worlds, req.messages, undefined, ctx0).content, 'p')[world.output] as string
}

const title = (s: string): string => s.split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ')
const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** Hand-written layouts of one request: instructions, demos and inputs. */
const layouts = {
  lines: (w: World, instructions: string, demos: Array<Record<string, unknown>>, inputs: Record<string, unknown>): Msg[] => {
    const rec = (r: Record<string, unknown>, keys: string[]): string => keys.filter((k) => r[k] !== undefined).map((k) => `${title(k)}: ${String(r[k])}`).join('\n')
    const examples = demos.map((d) => rec(d, [...w.inputs, w.output])).join('\n\n')
    const system = `${instructions}\n\nRespond with a single line of the form ${title(w.output)}: <label>.${demos.length ? `\n\nExamples:\n${examples}` : ''}`
    return [{ role: 'system', content: system }, { role: 'user', content: rec(inputs, w.inputs) }]
  },
  xml: (w: World, instructions: string, demos: Array<Record<string, unknown>>, inputs: Record<string, unknown>): Msg[] => {
    const tags = (r: Record<string, unknown>, keys: string[]): string => keys.map((k) => `<${k}>${String(r[k])}</${k}>`).join('\n')
    const msgs: Msg[] = [{ role: 'system', content: `${instructions}\nAnswer inside <${w.output}></${w.output}> tags.` }]
    for (const d of demos) msgs.push({ role: 'user', content: tags(d, w.inputs) }, { role: 'assistant', content: tags(d, [w.output]) })
    msgs.push({ role: 'user', content: tags(inputs, w.inputs) })
    return msgs
  },
  json: (w: World, instructions: string, demos: Array<Record<string, unknown>>, inputs: Record<string, unknown>): Msg[] => {
    const obj = (r: Record<string, unknown>, keys: string[]): string => JSON.stringify(Object.fromEntries(keys.map((k) => [camel(k), r[k]])))
    const examples = demos.map((d) => obj(d, [...w.inputs, w.output])).join('\n')
    return [
      { role: 'system', content: `${instructions}\nReturn a JSON object with the key "${w.output}".${demos.length ? `\nExamples:\n${examples}` : ''}` },
      { role: 'user', content: obj(inputs, w.inputs) },
    ]
  },
}

function replyLabel(world: World, content: string): string | undefined {
  const t = content.trim()
  if (t.startsWith('{')) return (JSON.parse(t) as Record<string, string>)[world.output]
  const xml = new RegExp(`<${world.output}>([^<]*)</${world.output}>`).exec(t)
  if (xml) return xml[1]
  return /:\s*(\S+)\s*$/.exec(t)?.[1]
}

describe('any client over HTTP: the openai SDK with hand-written prompts', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({ worlds })
  })
  afterAll(() => sim.close())
  const create = async (messages: Msg[], extra: Record<string, unknown> = {}): Promise<string> => {
    const r = await client(sim.url).chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, messages, ...extra })
    return r.choices[0]?.message.content ?? ''
  }

  it('Name: value lines in, Name: value lines out; a rule stated in the system message is applied', async () => {
    const system = 'You triage customer emails for an online shop.\nGift cards and store credit go to billing.\nReply with one line, Queue: <queue>.'
    expect(await create([{ role: 'system', content: system }, { role: 'user', content: 'Ticket: My gift card shows a zero balance after one use.' }])).toBe('Queue: billing')
  })

  it('XML-like sections with demos as prior turn pairs; the reply uses the tag asked for', async () => {
    const system = 'Route the ticket. Put the queue inside <queue></queue>.'
    const coupons = ['The voucher from your newsletter is rejected at checkout.', 'Is there a promo code for students?', 'My coupon expired yesterday, can you extend it?', 'Voucher code not accepted on the app.']
    const priors = await Promise.all(coupons.map((t) => create([{ role: 'system', content: system }, { role: 'user', content: `<ticket>${t}</ticket>` }])))
    for (const p of priors) expect(p).toMatch(/^<queue>[a-z]+<\/queue>$/)
    const ticket = coupons[priors.findIndex((p) => p !== '<queue>account</queue>')] // the prior is wrong on this case…
    expect(ticket).toBeDefined()
    const withDemo = await create([
      { role: 'system', content: system },
      { role: 'user', content: '<ticket>I found a coupon in the box but it does not work</ticket>' },
      { role: 'assistant', content: '<queue>account</queue>' },
      { role: 'user', content: `<ticket>${ticket}</ticket>` },
    ])
    expect(withDemo).toBe('<queue>account</queue>') // …and one demo of the rule teaches it
  })

  it('a JSON object with camelCase keys and response_format json_object gets a JSON answer', async () => {
    const content = await create(
      [
        { role: 'system', content: 'Categorize the expense. Retainers, consulting and work at an hourly rate are professional-services.' },
        { role: 'user', content: JSON.stringify({ vendor: 'Harbor & Co', lineItem: 'March retainer for advisory work' }) },
      ],
      { response_format: { type: 'json_object' } },
    )
    expect(JSON.parse(content)).toEqual({ category: 'professional-services' })
  })

  it('json_schema response formats get exactly the schema\'s keys', async () => {
    const content = await create([{ role: 'user', content: 'Ticket: Where is my parcel? It has been two weeks.' }], {
      response_format: { type: 'json_schema', json_schema: { name: 'route', schema: { type: 'object', properties: { reasoning: { type: 'string' }, queue: { type: 'string' } } } } },
    })
    const obj = JSON.parse(content) as Record<string, string>
    expect(Object.keys(obj)).toEqual(['reasoning', 'queue'])
    expect(support.labels).toContain(obj.queue)
  })

  it("a DSPy-style chat layout (field list in prose, markers) gets markers, with the instructions read past the boilerplate", async () => {
    const system = [
      'Your input fields are:',
      '1. `ticket` (str): The customer message.',
      'Your output fields are:',
      "1. `queue` (Literal['billing', 'technical', 'account', 'shipping', 'security', 'other']):",
      'All interactions will be structured in the following way, with the appropriate values filled in.',
      '',
      '[[ ## ticket ## ]]',
      '{ticket}',
      '',
      '[[ ## queue ## ]]',
      '{queue}',
      '',
      '[[ ## completed ## ]]',
      'In adhering to this structure, your objective is: ',
      '        Webhooks, API keys and rate limits go to technical.',
    ].join('\n')
    const user = '[[ ## ticket ## ]]\nOur webhook stopped firing yesterday.\n\nRespond with the corresponding output fields, starting with the field `[[ ## queue ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`.'
    expect(await create([{ role: 'system', content: system }, { role: 'user', content: user }])).toBe('[[ ## queue ## ]]\ntechnical\n\n[[ ## completed ## ]]')
    expect(readForeign(worlds, [{ role: 'system', content: system }, { role: 'user', content: user }], undefined)?.prompt).toMatchObject({
      instructions: 'Webhooks, API keys and rate limits go to technical.',
      inputs: { ticket: 'Our webhook stopped firing yesterday.' },
    })
  })

  it('a bare user message is the input of a one-input world; demos as raw turn pairs teach', async () => {
    const ticket = 'My bank statement shows I was billed two times for one order.'
    const demo: Msg[] = [{ role: 'user', content: 'Hi, I was charged twice for order #48213.' }, { role: 'assistant', content: 'billing' }]
    const sys: Msg = { role: 'system', content: 'Which queue handles this ticket: billing, technical, account, shipping, security or other?' }
    expect(await create([sys, { role: 'user', content: ticket }])).not.toBe('queue: billing') // the prior is wrong here…
    expect(await create([sys, ...demo, { role: 'user', content: ticket }])).toBe('queue: billing') // …one raw demo teaches the rule
  })

  it('unreadable inputs get a prior answer (a real label), never a placeholder', async () => {
    const content = await create([
      { role: 'system', content: 'Assign an accounting category to the expense. Return JSON with the key "category".' },
      { role: 'user', content: 'Something from a vendor, not sure what. Can you categorize it?' },
    ])
    expect(expense.labels).toContain((JSON.parse(content) as { category: string }).category)
  })

  it('an input value that mentions JSON does not turn the reply into JSON', async () => {
    const r = await create([{ role: 'system', content: 'Categorize the expense.' }, { role: 'user', content: 'Vendor: Cloudnine Inc\nLine item: JSON schema validator, license renewal 2025' }])
    expect(r).toMatch(/^category: [a-z-]+$/)
  })

  it('field names match across spellings: LINE ITEM, line_item, lineItem, Line-Item', async () => {
    const answers = await Promise.all(
      ['Line Item', 'line_item', 'lineItem', 'Line-Item', 'LINE ITEM'].map((n) =>
        create([{ role: 'system', content: 'Categorize the expense.' }, { role: 'user', content: `Vendor: Figtree Labs\n${n}: Design tool, 12 seats billed per seat, annual` }]),
      ),
    )
    expect(new Set(answers.map((a) => a.replace(/^\w+:/, ''))).size).toBe(1)
    expect(answers[0]).toMatch(/^category: /)
  })
})

describe('properties', () => {
  it('name normalisation: snake_case, camelCase, Title Case, kebab-case and UPPER CASE of the same words compare equal', () => {
    const word = fc.stringMatching(/^[a-z]{2}[a-z0-9]{0,5}$/) // one-letter words make camelCase ambiguous (aBC)
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        const snake = words.join('_')
        const spellings = [snake, camel(snake), words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' '), words.join('-'), words.join(' ').toUpperCase(), `\`${snake}\``]
        for (const s of spellings) expect(normalizeName(s)).toBe(snake.replace(/^_+|_+$/g, ''))
      }),
    )
  })

  it('the same knowledge reached by our adapter and by a hand-written layout gives the same label', () => {
    const worldArb = fc.constantFrom(support, expense, news)
    fc.assert(
      fc.property(worldArb, fc.nat(), fc.nat(), fc.nat(), fc.constantFrom('lines', 'xml', 'json') as fc.Arbitrary<keyof typeof layouts>, (w, ci, ri, di, layout) => {
        const cases = [...w.train, ...w.test]
        const c = cases[ci % cases.length] as Record<string, unknown>
        const inputs = Object.fromEntries(w.inputs.map((k) => [k, c[k]]))
        const statements = w.rules.filter((_, i) => ((ri >> i) & 1) === 1).map((r) => r.statement ?? '')
        const instructions = ['Classify the item.', ...statements].join(' ')
        const demos = Array.from({ length: di % 4 }, (_, k) => w.train[(di + k * 17) % w.train.length] as Record<string, unknown>).map((d) => Object.fromEntries([...w.inputs, w.output].map((k) => [k, d[k]])))
        const expected = ours(w, instructions, demos, inputs)
        const got = simulate(worlds, layouts[layout](w, instructions, demos, inputs), undefined, ctx0)
        expect(got.kind).toBe('task')
        expect(replyLabel(w, got.content)).toBe(expected)
      }),
      { numRuns: 200 },
    )
  })

  it('a foreign request knows a rule exactly when the same demos and instructions would teach it through our adapter', () => {
    // every demo of a governed train case teaches: a case of the same rule is then answered with the rule label in every layout
    for (const w of [support, news]) {
      const governed = w.test.filter((c) => governingRule(w, c) !== undefined)
      for (const c of governed.slice(0, 8)) {
        const rule = governingRule(w, c)!
        const demo = w.train.find((d) => governingRule(w, d)?.id === rule.id && (w.learning?.demo !== 'keyword' || w.inputs.some((k) => String(d[k]).toLowerCase().includes(rule.keywords.find((kw) => w.inputs.some((f) => String(c[f]).toLowerCase().includes(kw)))!))))
        if (!demo) continue
        const inputs = Object.fromEntries(w.inputs.map((k) => [k, c[k]]))
        for (const layout of Object.values(layouts)) expect(replyLabel(w, simulate(worlds, layout(w, 'Classify.', [demo], inputs), undefined, ctx0).content)).toBe(rule.label)
      }
    }
  })
})
