/**
 * Reads requests from clients that do not use this project's adapters: `Name: value` lines,
 * XML-like sections, JSON objects or marker blocks without a declared field list; demos as prior
 * turn pairs or example blocks in the system message; instructions = the system message minus
 * recognisable format boilerplate. See docs/simulator.md ("Any client's prompt layout").
 */
import type { World } from '../world/schema.js'
import { keywordIn } from '../world/oracle.js'
import { messageText, parseJsonObject, type ParsedPrompt, type RawMessage } from './prompt.js'

/** How the reply is laid out. */
export type ReplyLayout = 'markers' | 'json' | 'xml' | 'lines'

/** A request from another client, read against one world. */
export interface ForeignPrompt {
  /** The world the request belongs to. */
  world: World
  /** What was understood, keyed by the world's field names (same shape as the project's prompts). */
  prompt: ParsedPrompt
  /** False when no input value could be read: the request is answered by the prior. */
  readable: boolean
  /** Layout of the reply. */
  reply: ReplyLayout
  /** Output keys of the reply as the client spelled them; the one equal to the world's output gets the label. */
  outputNames: string[]
}

/** Canonical form of a field name: `Ticket`, `ticket`, `support_ticket`, `supportTicket`, `Support ticket` compare equal per word. */
export function normalizeName(name: string): string {
  const bare = name.trim().replace(/^[`'"*_#\s]+|[`'"*_#:\s]+$/g, '')
  const split = /[a-z]/.test(bare) ? bare.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2') : bare
  return split
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
}

const MARKER = /^\s*\[\[ ## (.+?) ## \]\]\s*$/
const BOILERPLATE_START = /^(respond|reply|answer|return|output|format|write|give|provide|use)\b/i

function stripTrailingBoilerplate(value: string): string {
  const paras = value.split(/\n\s*\n/)
  while (paras.length > 1 && BOILERPLATE_START.test((paras[paras.length - 1] ?? '').trim())) paras.pop()
  return paras.join('\n\n').trim()
}

function markerBlocks(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  let current: string | undefined
  let lines: string[] = []
  let found = false
  const flush = (): void => {
    if (current !== undefined && normalizeName(current) !== 'completed') out[current] = stripTrailingBoilerplate(lines.join('\n'))
  }
  for (const line of text.split(/\r?\n/)) {
    const m = MARKER.exec(line)
    if (m) {
      flush()
      found = true
      current = (m[1] ?? '').trim()
      lines = []
    } else lines.push(line.replace(/^\\(\\*\[\[ ## )/, '$1'))
  }
  flush()
  return found ? out : undefined
}

function xmlSections(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of text.matchAll(/<([A-Za-z][\w.-]*)(?:\s[^>]*)?>([\s\S]*?)<\/\1\s*>/g)) {
    const name = m[1] ?? ''
    if (!(name in out)) out[name] = (m[2] ?? '').trim()
  }
  return out
}

const LINE_FIELD = /^\s*(?:[-*•]\s*)?(?:\*\*|__)?([A-Za-z][A-Za-z0-9 _-]{0,40}?)(?:\*\*|__)?\s*:(?:\*\*|__)?\s?(.*)$/

/**
 * `Name: value` records: only names in `known` (normalized) start a field; other lines continue
 * the current value. A repeated name starts a new record (example lists in a system message).
 */
export function lineRecords(text: string, known: ReadonlySet<string>): { records: Array<Record<string, string>>; consumed: Set<number> } {
  const records: Array<Record<string, string>> = []
  const consumed = new Set<number>()
  let rec: Record<string, string> | undefined
  let current: string | undefined
  const lines = text.split(/\r?\n/)
  lines.forEach((line, i) => {
    const m = LINE_FIELD.exec(line)
    const name = m ? normalizeName(m[1] ?? '') : ''
    if (m && known.has(name)) {
      if (!rec || name in rec) {
        rec = {}
        records.push(rec)
      }
      rec[name] = (m[2] ?? '').trim()
      current = name
      consumed.add(i)
    } else if (rec && current !== undefined) {
      if (line.trim() === '' ) {
        current = undefined // a blank line ends a value
        return
      }
      rec[current] = `${rec[current] ?? ''}\n${line}`.trim()
      consumed.add(i)
    }
  })
  return { records, consumed }
}

function normalizeKeys(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(values)) {
    const n = normalizeName(k)
    if (n && !(n in out)) out[n] = typeof v === 'string' ? v.trim() : JSON.stringify(v) ?? ''
  }
  return out
}

/** Field values of one message by normalized name, in order of preference: markers, JSON object, XML-like sections, `Name: value` lines. */
export function readFields(text: string, known: ReadonlySet<string>): Record<string, string> {
  const has = (r: Record<string, string>): boolean => Object.keys(r).some((k) => known.has(k))
  const markers = markerBlocks(text)
  if (markers && has(normalizeKeys(markers))) return normalizeKeys(markers)
  const obj = parseJsonObject(text)
  if (obj && has(normalizeKeys(obj))) return normalizeKeys(obj)
  const xml = normalizeKeys(xmlSections(text))
  if (has(xml)) return xml
  const lines = lineRecords(text, known).records
  if (lines.length > 0) return Object.assign({}, ...lines.reverse()) as Record<string, string>
  return {}
}

/** A regex matching a field name in any of its spellings (`line_item`, `line item`, `lineItem`, `Line Item`). */
function nameRegex(name: string, flags = 'i'): RegExp {
  const parts = normalizeName(name).split('_').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`(?<![A-Za-z0-9])${parts.join('[\\s_-]?')}(?![a-z0-9])`, flags)
}

/** The spelling of `name` the client uses for a field: inside quotes, backticks or tags, or before a colon; undefined when absent. */
function spelling(text: string, name: string): string | undefined {
  for (const m of text.matchAll(nameRegex(name, 'gi'))) {
    const before = text[(m.index ?? 0) - 1] ?? ''
    const after = text.slice((m.index ?? 0) + m[0].length).match(/^\s*:/)
    if (['"', '`', "'", '<'].includes(before) || after) return m[0]
  }
  return undefined
}

/** True when `name` is mentioned at all (any spelling, as a word). */
function mentions(text: string, name: string): boolean {
  return nameRegex(name).test(text)
}

const BOILERPLATE_LINE = [
  /^\s*\[\[ ## .+ ## \]\]\s*$/, // marker lines of a described layout
  /^\s*\{[\w\s]+\}\s*$/, // `{ticket}` placeholders
  /^\s*(?:\d+[.)]|[-*•])\s*`[^`]+`/, // field list items: 1. `ticket` (str): …
  /\b(fields?|examples?|structure|format|objective|inputs?|outputs?|labels?|categories|options)\b[^.!?]*:\s*$/i, // section headers
  /^\s*<\/?[\w.-]+>\s*$/, // lone tags
  /\b(structured in the following way|in the following (format|structure)|values filled in)\b/i, // layout descriptions
]

function isFormatSentence(line: string): boolean {
  const t = line.trim()
  if (BOILERPLATE_LINE.some((re) => re.test(t))) return true
  return BOILERPLATE_START.test(t) && /\b(json|xml|tags?|format|lines?|fields?|object|keys?|markers?|only the label|label only|one word)\b/i.test(t)
}

interface SystemRead { instructions: string; demos: Array<Record<string, string>>; text: string }

function readSystem(system: string, known: ReadonlySet<string>): SystemRead {
  const demos: Array<Record<string, string>> = []
  let rest = system
  // XML example blocks
  rest = rest.replace(/<(example|demo|shot)\b[^>]*>([\s\S]*?)<\/\1\s*>/gi, (_, __, body: string) => {
    demos.push(readFields(body, known))
    return '\n'
  })
  rest = rest.replace(/<\/?(examples|demos|shots)\b[^>]*>/gi, '\n')
  const lines = rest.split(/\r?\n/)
  const consumed = new Set<number>()
  // one-line JSON examples
  lines.forEach((l, i) => {
    const t = l.trim()
    if (t.startsWith('{') && t.endsWith('}')) {
      const obj = parseJsonObject(t)
      if (obj) {
        demos.push(normalizeKeys(obj))
        consumed.add(i)
      }
    }
  })
  // Name: value examples
  const recs = lineRecords(lines.map((l, i) => (consumed.has(i) ? '' : l)).join('\n'), known)
  demos.push(...recs.records)
  for (const i of recs.consumed) consumed.add(i)
  const kept = lines.filter((l, i) => !consumed.has(i) && !isFormatSentence(l)).map((l) => l.trim())
  return { instructions: kept.join('\n').replace(/\n{3,}/g, '\n\n').trim(), demos, text: system }
}

function knownNames(worlds: readonly World[]): Set<string> {
  return new Set(worlds.flatMap((w) => [...w.inputs, w.output, 'reasoning'].map(normalizeName)))
}

/** Maps normalized field values onto the world's field names (only the world's fields are kept). */
function toWorld(world: World, values: Record<string, string>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const n of names) {
    const v = values[normalizeName(n)]
    if (v !== undefined) out[n] = v
  }
  return out
}

function labelOf(world: World, text: string): string | undefined {
  const t = text.trim().replace(/^["'`*]+|["'`*.!]+$/g, '').toLowerCase()
  return world.labels.find((l) => l.toLowerCase() === t)
}

function score(world: World, lastFields: Record<string, string>, system: string, user: string): number {
  let s = 10 * world.inputs.filter((k) => normalizeName(k) in lastFields).length
  if (normalizeName(world.output) in lastFields) s -= 5 // the output given as an input: not this world's task
  if (mentions(system, world.output) || mentions(user, world.output)) s += 3
  if (world.labels.filter((l) => nameRegex(l).test(system)).length >= 2) s += 2
  if (world.rules.some((r) => keywordIn(r, [user]) !== undefined)) s += 1
  return s
}

function schemaProperties(responseFormat: unknown): string[] | undefined {
  const rf = responseFormat as { type?: unknown; json_schema?: { schema?: { properties?: unknown } } } | null | undefined
  const props = rf?.type === 'json_schema' ? rf.json_schema?.schema?.properties : undefined
  return props && typeof props === 'object' ? Object.keys(props) : undefined
}

/**
 * Reads a request that carries no declared field list (another client's layout) against the
 * worlds; undefined when no world can be recognised in it.
 */
export function readForeign(worlds: readonly World[], messages: readonly RawMessage[], responseFormat: unknown): ForeignPrompt | undefined {
  const msgs = messages.map((m) => ({ role: typeof m.role === 'string' ? m.role : 'user', text: messageText(m.content) }))
  const system = msgs.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.text).join('\n\n')
  const turns = msgs.filter((m) => m.role === 'user' || m.role === 'assistant')
  let lastUser = -1
  for (let i = turns.length - 1; i >= 0; i--) if (turns[i]?.role === 'user') { lastUser = i; break }
  if (lastUser < 0) return undefined
  const known = knownNames(worlds)
  const userText = turns[lastUser]?.text ?? ''
  const lastFields = readFields(userText, known)
  let best: World | undefined
  let bestScore = 0
  for (const w of worlds) {
    const s = score(w, lastFields, system, userText)
    if (s > bestScore) {
      best = w
      bestScore = s
    }
  }
  if (!best) return undefined
  const world = best
  const sys = readSystem(system, known)
  let inputs = toWorld(world, lastFields, world.inputs)
  if (Object.keys(inputs).length === 0 && world.inputs.length === 1 && Object.keys(lastFields).length === 0 && userText.trim() !== '') {
    inputs = { [world.inputs[0] as string]: stripTrailingBoilerplate(userText) }
  }
  const readable = Object.keys(inputs).length > 0
  if (!readable) inputs = { text: userText.trim() } // seeds the prior; never taught (see simulate)
  const demoOf = (fields: Record<string, string>, answer?: string): Record<string, string> | undefined => {
    const d = toWorld(world, fields, [...world.inputs, world.output])
    if (answer !== undefined && d[world.output] === undefined) {
      const viaFields = toWorld(world, readFields(answer, known), [world.output])[world.output]
      const label = viaFields ?? labelOf(world, answer)
      if (label !== undefined) d[world.output] = label
    }
    const hasInput = world.inputs.some((k) => d[k] !== undefined)
    return hasInput && d[world.output] !== undefined ? d : undefined
  }
  const demos: Array<Record<string, string>> = []
  for (const d of sys.demos) {
    const demo = demoOf(d)
    if (demo) demos.push(demo)
  }
  for (let i = 0; i + 1 < lastUser; i++) {
    const u = turns[i]
    const a = turns[i + 1]
    if (u?.role !== 'user' || a?.role !== 'assistant') continue
    let fields = readFields(u.text, known)
    if (Object.keys(fields).length === 0 && world.inputs.length === 1) fields = { [normalizeName(world.inputs[0] as string)]: u.text.trim() }
    const demo = demoOf(fields, a.text)
    if (demo) demos.push(demo)
    i++
  }
  const allText = msgs.map((m) => m.text).join('\n')
  const asked = `${system}\n${userText}`
  const rf = (responseFormat as { type?: unknown } | null | undefined)?.type
  const props = schemaProperties(responseFormat)
  const userRest = readable ? Object.values(inputs).reduce((t, v) => t.split(v).join(' '), userText) : '' // the user message minus its values
  const outName = spelling(system, world.output) ?? spelling(userRest, world.output) ?? world.output
  const outputNames = props ?? [outName]
  let reply: ReplyLayout
  if (/^\s*\[\[ ## .+ ## \]\]\s*$/m.test(allText)) reply = 'markers'
  else if (rf === 'json_object' || rf === 'json_schema' || /\bjson\b/i.test(`${system}\n${userRest}`)) reply = 'json'
  else if (new RegExp(`</${outName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>`, 'i').test(asked)) reply = 'xml'
  else reply = 'lines'
  const prompt: ParsedPrompt = {
    instructions: sys.instructions,
    inputFields: world.inputs.map((name) => ({ name, type: 'string', description: '' })),
    outputFields: [{ name: world.output, type: `one of: ${world.labels.join(', ')}`, description: '' }],
    demos,
    inputs,
    wantsJson: reply === 'json',
    promptChars: msgs.reduce((n, m) => n + m.text.length, 0),
  }
  return { world, prompt, readable, reply, outputNames }
}

/** Renders the reply in the layout the client asked for. */
export function renderForeign(f: ForeignPrompt, values: Record<string, unknown>): string {
  const entries = f.outputNames.map((n): [string, unknown] => [n, values[normalizeName(n)] ?? ''])
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))
  switch (f.reply) {
    case 'json':
      return JSON.stringify(Object.fromEntries(entries))
    case 'markers':
      return `${entries.map(([n, v]) => `[[ ## ${n} ## ]]\n${text(v)}\n\n`).join('')}[[ ## completed ## ]]`
    case 'xml':
      return entries.map(([n, v]) => `<${n}>${text(v)}</${n}>`).join('\n')
    default:
      return entries.map(([n, v]) => `${n}: ${text(v)}`).join('\n')
  }
}
