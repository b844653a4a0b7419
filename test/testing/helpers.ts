import OpenAI from 'openai'
import { loadWorld } from '../../src/testing/world/load.js'
import type { World } from '../../src/testing/world/schema.js'

/** The two example worlds, loaded once. */
export const support: World = loadWorld('examples/worlds/support-tickets.json')
export const expense: World = loadWorld('examples/worlds/expense-categories.json')

type Field = string | { name: string; type?: string; description?: string }
const line = (f: Field): string => {
  const o = typeof f === 'string' ? { name: f } : f
  return `- \`${o.name}\` (${o.type ?? 'string'})${o.description ? `: ${o.description}` : ''}`
}
const blocks = (values: Record<string, unknown>): string =>
  Object.entries(values)
    .map(([k, v]) => `[[ ## ${k} ## ]]\n${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n\n')

/** Hand-rendered chat wire format (src/README.md), independent of the adapters. */
export function wireMessages(args: {
  instructions?: string
  inputs: Field[]
  outputs: Field[]
  values: Record<string, unknown>
  demos?: Array<Record<string, unknown>>
  json?: boolean
}): Array<{ role: 'system' | 'user' | 'assistant'; content: string }> {
  const outNames = args.outputs.map((f) => (typeof f === 'string' ? f : f.name))
  const format = args.json
    ? 'Reply with one JSON object and nothing else, keyed by the output fields.'
    : ['Reply with each output field under its marker line, in this order, then the completion marker:', ...outNames.flatMap((n) => [`[[ ## ${n} ## ]]`, '<value>']), '[[ ## completed ## ]]'].join('\n')
  const system = [args.instructions ?? 'Given the fields, produce the outputs.', '', '## Fields', 'Inputs:', ...args.inputs.map(line), 'Outputs:', ...args.outputs.map(line), '', '## Format', format].join('\n')
  const msgs: Array<{ role: 'system' | 'user' | 'assistant'; content: string }> = [{ role: 'system', content: system }]
  for (const d of args.demos ?? []) {
    const ins = Object.fromEntries(Object.entries(d).filter(([k]) => !outNames.includes(k)))
    const outs = Object.fromEntries(Object.entries(d).filter(([k]) => outNames.includes(k)))
    msgs.push({ role: 'user', content: blocks(ins) })
    msgs.push({ role: 'assistant', content: args.json ? JSON.stringify(outs) : `${blocks(outs)}\n\n[[ ## completed ## ]]` })
  }
  msgs.push({ role: 'user', content: blocks(args.values) })
  return msgs
}

/** Reads one `[[ ## name ## ]]` block out of a marker reply. */
export function field(text: string, name: string): string | undefined {
  const m = new RegExp(`\\[\\[ ## ${name} ## \\]\\]\\n([\\s\\S]*?)\\n\\n(?=\\[\\[ ## )`).exec(text)
  return m?.[1]?.trim()
}

/** An openai SDK client on the simulator (no retries unless asked; a timeout that only catches a hang, never a slow machine). */
export function client(url: string, maxRetries = 0): OpenAI {
  return new OpenAI({ baseURL: url, apiKey: 'x', maxRetries, timeout: 60_000 })
}

/** Asks the simulator to route one ticket; returns the reply text. */
export async function ask(
  openai: OpenAI,
  ticket: string,
  opts: { instructions?: string; demos?: Array<Record<string, unknown>>; temperature?: number; seed?: number; headers?: Record<string, string> } = {},
): Promise<string> {
  const r = await openai.chat.completions.create(
    {
      model: 'simba-sim-1',
      temperature: opts.temperature ?? 0,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      messages: wireMessages({ instructions: opts.instructions, inputs: ['ticket'], outputs: [{ name: 'queue', type: `one of: ${support.labels.join(', ')}` }], values: { ticket }, demos: opts.demos }),
    },
    opts.headers ? { headers: opts.headers } : undefined,
  )
  return r.choices[0]?.message.content ?? ''
}
