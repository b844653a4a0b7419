/**
 * Meta-requests of any optimizer (reflection, feedback summaries, instruction proposals, playbook
 * curation), recognised by their content: labelled cases of a world (with expected outputs, scores or
 * predictions) shown together with a request for something other than the world's output. Advice is
 * drawn only from the cases shown, under the world's `learning.reflection` noise. See
 * docs/simulator.md ("Meta-requests from any optimizer").
 */
import { canonicalJson } from '../../internal/json/canonical.js'
import { sha256 } from '../../internal/hash/sha256.js'
import type { World, WorldRule } from '../world/schema.js'
import { governingRule, keywordIn } from '../world/oracle.js'
import { adviceKind, learningOf } from '../world/learning.js'
import { mentionsLabel, misleadingOf, sentences } from './knowledge.js'
import { lineRecords, normalizeName } from './layouts.js'
import { messageText, parseJsonObject, type RawMessage } from './prompt.js'
import { wrongCue } from './rule-writing.js'
import { pick, unit, variation, type SampleContext } from './seed.js'

/** One case shown in a meta-request. */
export interface ShownCase {
  /** The world's input values of the case. */
  inputs: Record<string, string>
  /** The expected label, when the request shows it. */
  expected?: string
  /** The label the program answered, when shown. */
  predicted?: string
  /** The score, when shown. */
  score?: number
}

/** A meta-request as understood: its world, the cases it shows, the fields it asks for and the reply layout. */
export interface MetaRequest {
  /** The world whose cases are shown. */
  world: World
  /** Cases shown, in order of appearance. */
  cases: ShownCase[]
  /** Requested output fields, spelled as the client spelled them (empty for a free-text request). */
  outputs: string[]
  /** Reply layout: `Name: value` lines, one JSON object, marker blocks, or free text with a fenced instruction. */
  reply: 'lines' | 'json' | 'markers' | 'fenced'
  /** Field values of the last user message by normalized name (`Name: value` lines or markers). */
  fields: Record<string, string>
  /** All message text (seeds the per-request draw). */
  text: string
}

/** Words in requested field names or in the request that ask for advice rather than a task answer. */
const META_FIELD = /instruction|prompt|rule|summary|feedback|playbook|bullet|insight|lesson|advice|tip|guideline|strateg|operation|reflection|approach|error|root.?cause|critique|improve|new.?value|proposal|diagnos/i
const META_ASK = /\b(new|improved|better|revised|proposed?)\s+(instructions?|prompt|rules?)\b|\bplaybook\b|\bfeedback summary\b|\bsummari[sz]e\b[^.\n]*\b(feedback|mistakes|errors)\b/i

/** Balanced `{…}` / `[…]` JSON values found anywhere in `text` (outermost only). */
function jsonValues(text: string): unknown[] {
  const out: unknown[] = []
  let i = 0
  while (i < text.length) {
    const ch = text[i]
    if (ch !== '{' && ch !== '[') {
      i++
      continue
    }
    const end = balancedEnd(text, i)
    if (end > i) {
      try {
        out.push(JSON.parse(text.slice(i, end + 1)))
        i = end + 1
        continue
      } catch {
        // not JSON: keep scanning inside
      }
    }
    i++
  }
  return out
}

function balancedEnd(text: string, start: number): number {
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') inString = true
    else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') {
      depth--
      if (depth === 0) return i
    }
  }
  return -1
}

const EXPECTED_KEY = /^(expected|expected_?answer|expected_?output|gold|reference|target|label|ground_?truth|answer_?key|example)$/
const PREDICTED_KEY = /^(prediction|predicted|generator_?answer|output|outputs|response|answer|program_?output)$/
const SCORE_KEY = /^(score|reward|metric|scalar|value)$/

function labelIn(world: World, v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim().replace(/^["'`]+|["'`.]+$/g, '').toLowerCase()
    const direct = world.labels.find((l) => l.toLowerCase() === t)
    if (direct) return direct
    const obj = parseJsonObject(v)
    return obj ? labelIn(world, obj) : undefined
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    const key = Object.keys(o).find((k) => normalizeName(k) === normalizeName(world.output))
    return key !== undefined ? labelIn(world, o[key]) : undefined
  }
  return undefined
}

/** Case objects (holding a world input) found in any JSON value, with expected/predicted/score from the object or its siblings. */
function casesIn(world: World, values: readonly unknown[]): ShownCase[] {
  const out: ShownCase[] = []
  const inputKey = (k: string): string | undefined => world.inputs.find((n) => normalizeName(n) === normalizeName(k))
  const asCase = (o: Record<string, unknown>): ShownCase | undefined => {
    const inputs: Record<string, string> = {}
    for (const [k, v] of Object.entries(o)) {
      const n = inputKey(k)
      if (n !== undefined && typeof v === 'string') inputs[n] = v
    }
    if (Object.keys(inputs).length === 0) return undefined
    const c: ShownCase = { inputs }
    const own = labelIn(world, o)
    if (own !== undefined) c.expected = own
    return c
  }
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit)
      return
    }
    if (v === null || typeof v !== 'object') return
    const o = v as Record<string, unknown>
    const self = asCase(o)
    if (self) {
      out.push(self)
      return
    }
    // a wrapper: { input: {...}, prediction: {...}, score: 1 } and similar
    const entries = Object.entries(o)
    const inner = entries.map(([k, x]) => ({ k: normalizeName(k), c: x !== null && typeof x === 'object' && !Array.isArray(x) ? asCase(x as Record<string, unknown>) : undefined }))
    const found = inner.find((e) => e.c !== undefined)
    if (found?.c) {
      const c = found.c
      for (const [k, x] of entries) {
        const n = normalizeName(k)
        if (n === found.k) continue
        if (c.expected === undefined && EXPECTED_KEY.test(n)) c.expected = labelIn(world, x)
        else if (PREDICTED_KEY.test(n)) c.predicted = labelIn(world, x)
        else if (SCORE_KEY.test(n) && typeof x === 'number') c.score = x
      }
      out.push(c)
      return
    }
    for (const [, x] of entries) visit(x)
  }
  values.forEach(visit)
  return out
}

/** Cases written as `Name: value` groups (`Ticket: …` then `Queue: billing`), as text demos of a proposer show them; only groups with a label. */
function lineCases(world: World, text: string): ShownCase[] {
  const known = new Set([...world.inputs, world.output].map(normalizeName))
  const out: ShownCase[] = []
  for (const rec of lineRecords(text, known).records) {
    const inputs: Record<string, string> = {}
    for (const k of world.inputs) {
      const v = rec[normalizeName(k)]
      if (v !== undefined) inputs[k] = v
    }
    const expected = labelIn(world, rec[normalizeName(world.output)] ?? '')
    if (Object.keys(inputs).length > 0 && expected !== undefined) out.push({ inputs, expected })
  }
  return out
}

/** `Name: value` fields of a message whose names start with a capital letter or are wire keys (values continue on later lines). */
function lineFields(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  let current: string | undefined
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z][A-Za-z0-9 _]{0,40}):(?:\s(.*)|$)/.exec(line)
    if (m && !/^\s*[[{"]/.test(m[1] ?? '')) {
      current = normalizeName(m[1] ?? '')
      out[current] = (m[2] ?? '').trim()
    } else if (current !== undefined) out[current] = `${out[current] ?? ''}\n${line}`.trim()
  }
  return out
}

/** Output fields the request declares: the project's `## Fields` outputs, wire keys of an output section, or a JSON schema's properties. */
function declaredOutputs(system: string, declared: readonly string[], responseFormat: unknown): string[] {
  if (declared.length > 0) return [...declared]
  const rf = responseFormat as { type?: unknown; json_schema?: { schema?: { properties?: unknown } } } | null | undefined
  const props = rf?.type === 'json_schema' ? rf.json_schema?.schema?.properties : undefined
  if (props && typeof props === 'object') return Object.keys(props)
  const section = /<output_fields>([\s\S]*?)<\/output_fields>/i.exec(system)?.[1] ?? /(?:^|\n)[^\n]*\boutput fields?\b[^\n]*\n([\s\S]*?)(?:\n\s*\n\s*\n|\n<|$)/i.exec(system)?.[1] ?? ''
  const wire = [...section.matchAll(/wire key:\s*`([^`]+)`/gi)].map((m) => m[1] as string)
  if (wire.length > 0) return wire
  return [...section.matchAll(/^\s*(?:[-*]\s*|\d+[.)]\s*)?`?([A-Za-z][A-Za-z0-9_ ]{0,40}?)`?\s*(?:\(|:)/gm)].map((m) => (m[1] as string).trim()).filter((n) => !/^(input|output)s?( fields?)?$/i.test(n))
}

/**
 * Recognises a meta-request by content: one world's cases are shown with an expected output, a score
 * or a prediction, and the request asks for fields other than the world's output whose names (or the
 * request's text) ask for instructions, rules, a summary, feedback or a playbook. Undefined otherwise
 * (the request is then answered as before).
 */
export function readMeta(worlds: readonly World[], messages: readonly RawMessage[], responseFormat: unknown, declared: readonly string[]): MetaRequest | undefined {
  const msgs = messages.map((m) => ({ role: typeof m.role === 'string' ? m.role : 'user', text: messageText(m.content) }))
  const system = msgs.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.text).join('\n\n')
  // Every user turn: a client's correction turn ("a required field is missing") follows the original request.
  const user = msgs.filter((m) => m.role === 'user').map((m) => m.text).join('\n\n')
  const outputs = declaredOutputs(system, declared, responseFormat)
  if (worlds.some((w) => outputs.some((o) => normalizeName(o) === normalizeName(w.output)))) return undefined
  const values = jsonValues(user)
  const fields = lineFields(user)
  for (const v of Object.values(fields)) {
    const t = v.trim()
    if ((t.startsWith('"{') || t.startsWith('"[')) && t.endsWith('"')) {
      try {
        values.push(...jsonValues(JSON.parse(t) as string))
      } catch {
        // not a JSON string
      }
    }
  }
  let best: { world: World; cases: ShownCase[] } | undefined
  for (const world of worlds) {
    const cases = [...casesIn(world, values), ...lineCases(world, user)]
    if (cases.length > (best?.cases.length ?? 0)) best = { world, cases }
  }
  if (!best) return undefined
  const { world, cases } = best
  // A lone case (a reflector's question) takes its expected answer and prediction from the request's other fields.
  if (cases.length === 1) {
    const c = cases[0] as ShownCase
    for (const [k, v] of Object.entries(fields)) {
      if (c.expected === undefined && /expected|gold|reference|ground_truth/.test(k)) c.expected = labelIn(world, v)
      else if (c.predicted === undefined && /generator_answer|prediction|predicted|model_answer|response/.test(k)) c.predicted = labelIn(world, v)
    }
  }
  const asksMeta = outputs.some((o) => META_FIELD.test(o)) || META_ASK.test(`${system}\n${user}`)
  if (!asksMeta) return undefined
  const all = msgs.map((m) => m.text).join('\n')
  // Informative: a case shown with its expected output or score, or feedback on it (a curator's reflection).
  const feedback = Object.entries(fields).some(([k, v]) => /feedback|reflection|critique|evaluation/.test(k) && v.trim() !== '')
  const informative = cases.some((c) => c.expected !== undefined || c.score !== undefined) || feedback
  if (!informative) return undefined
  const rf = (responseFormat as { type?: unknown } | null | undefined)?.type
  let reply: MetaRequest['reply']
  if (outputs.length === 0) reply = /```/.test(all) ? 'fenced' : 'lines'
  else if (declared.length > 0) reply = rf === 'json_object' || rf === 'json_schema' || /^reply with one json object/im.test(system) ? 'json' : 'markers'
  else if (/name: value|field name`?: value|pair per line/i.test(system)) reply = 'lines'
  else if (rf === 'json_object' || rf === 'json_schema' || /\b(reply|respond|return|output|answer)\b[^.\n]*\bjson\b/i.test(system)) reply = 'json'
  else if (/^\s*\[\[ ## .+ ## \]\]\s*$/m.test(all)) reply = 'markers'
  else reply = 'lines'
  return { world, cases, outputs, reply, fields, text: all }
}

const RULE_PHRASINGS: Array<(a: { input: string; output: string; kw: string; label: string }) => string> = [
  (a) => `When the ${a.input} mentions "${a.kw}", the ${a.output} is ${a.label}.`,
  (a) => `If the ${a.input} contains "${a.kw}", answer ${a.label}.`,
  (a) => `Anything that says "${a.kw}" belongs to ${a.label}.`,
]
const VAGUE_PHRASINGS: Array<(a: { input: string; output: string }) => string> = [
  (a) => `Read the whole ${a.input} carefully before choosing the ${a.output}.`,
  (a) => `Weigh the concrete details of the ${a.input} rather than its general tone.`,
  (a) => `Avoid defaulting to a generic ${a.output} when the ${a.input} is specific.`,
]

interface CaseAdvice { c: ShownCase; rule?: WorldRule; sentence?: string; kind: 'right' | 'wrong' | 'vague' | 'none' }

/** Advice for each shown case with an expected label: right, wrong or vague by the world's reflection shares (seeded per request and case). */
export function caseAdvice(m: MetaRequest, ctx: SampleContext): CaseAdvice[] {
  const { world } = m
  const input = world.inputs[0] ?? 'input'
  // Seeded on what the request shows (its cases and the fields it asks for), not on volatile text such as timestamps.
  const digest = sha256(canonicalJson({ cases: m.cases, outputs: m.outputs })).slice(0, 16)
  const learning = learningOf(world)
  return m.cases.map((c): CaseAdvice => {
    const rule = c.expected !== undefined ? governingRule(world, c.inputs) : undefined
    if (!rule || rule.label !== c.expected) return { c, kind: 'none' }
    const seed = `${ctx.salt}|meta|${digest}|${canonicalJson(c.inputs)}|${variation(ctx)}`
    const kind = adviceKind(learning, unit(seed, 'vague'))
    const args = { input, output: world.output, label: rule.label }
    if (kind === 'vague') return { c, rule, kind, sentence: pick(VAGUE_PHRASINGS, seed, 'vague-phrase')(args) }
    const kw = kind === 'wrong' ? wrongCue(world, Object.values(c.inputs), rule, seed) : keywordIn(rule, Object.values(c.inputs))
    if (kw === undefined) return { c, rule, kind: 'vague', sentence: pick(VAGUE_PHRASINGS, seed, 'vague-phrase')(args) }
    return { c, rule, kind, sentence: pick(RULE_PHRASINGS, seed, 'phrase')({ ...args, kw: kw.toLowerCase() }) }
  })
}

/** Sentences of `text` that name a label of the world and a quoted cue or a keyword: rules, as opposed to commentary. */
function ruleSentences(world: World, text: string): string[] {
  return sentences(text).filter((s) => world.labels.some((l) => mentionsLabel(s, l)) && (/"[^"]{2,}"/.test(s) || world.rules.some((r) => keywordIn(r, [s]) !== undefined)))
}

const uniq = (list: readonly string[]): string[] => {
  const seen = new Set<string>()
  return list.filter((s) => !seen.has(s.toLowerCase()) && seen.add(s.toLowerCase()))
}

/** The current instruction or playbook text a request shows, by field name. */
function currentText(m: MetaRequest): string {
  for (const k of ['current_value', 'current_instruction', 'current_instructions', 'instruction', 'instructions', 'curr_instructions', 'base_instruction']) {
    const v = m.fields[k]
    if (v !== undefined) return v
  }
  const fenced = /```\s*\n?([\s\S]*?)```/.exec(m.text)?.[1]
  return fenced?.trim() ?? ''
}

/** Rule sentences of advice the request carries from an earlier step (a feedback summary, a reflection). */
function carriedAdvice(m: MetaRequest): string[] {
  const texts: string[] = []
  for (const [k, v] of Object.entries(m.fields)) {
    if (/feedback|summary|reflection|insight|approach|lesson/.test(k)) {
      const obj = parseJsonObject(v)
      texts.push(obj ? Object.values(obj).filter((x): x is string => typeof x === 'string').join('\n') : v)
    }
  }
  return uniq(texts.flatMap((t) => ruleSentences(m.world, t)))
}

interface Bullet { id: string; content: string }

/** Bullets of a playbook shown in the request (`{id, content}` objects anywhere in its JSON). */
function bullets(m: MetaRequest): Bullet[] {
  const out: Bullet[] = []
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit)
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>
      if (typeof o.id === 'string' && typeof o.content === 'string') out.push({ id: o.id, content: o.content })
      else Object.values(o).forEach(visit)
    }
  }
  const pb = m.fields.playbook
  if (pb !== undefined) jsonValues(pb).forEach(visit)
  return out
}

/** Section names of the playbook shown, if any. */
function sections(m: MetaRequest): string[] {
  const pb = parseJsonObject(m.fields.playbook ?? '')
  const structured = (pb?.structured ?? pb) as { sections?: unknown } | undefined
  const s = structured?.sections
  return s && typeof s === 'object' && !Array.isArray(s) ? Object.keys(s) : []
}

/** Field values of the reply to a meta-request, keyed by the requested names. */
export function answerMeta(m: MetaRequest, ctx: SampleContext): Record<string, unknown> {
  const { world } = m
  const advice = caseAdvice(m, ctx)
  const carried = carriedAdvice(m)
  const drawn = uniq(advice.map((a) => a.sentence).filter((s): s is string => s !== undefined))
  const rules = uniq([...carried, ...drawn.filter((s) => ruleSentences(world, s).length > 0)])
  const failed = m.cases.filter((c) => (c.score !== undefined ? c.score < 1 : c.predicted !== undefined && c.expected !== undefined && c.predicted !== c.expected))
  const observations = m.cases
    .filter((c) => c.expected !== undefined)
    .slice(0, 8)
    .map((c) => `Expected ${c.expected}${c.predicted !== undefined ? `, answered ${c.predicted}` : ''}${c.score !== undefined ? ` (score ${c.score})` : ''}.`)
  const adviceText = (carried.length > 0 ? uniq([...carried, ...drawn]) : drawn).join(' ') || VAGUE_PHRASINGS[0]!({ input: world.inputs[0] ?? 'input', output: world.output })
  const current = currentText(m)
  const instruction = (): string => {
    const kept = sentences(current).filter((s) => !/^\s*<\/?[\w-]+>\s*$/.test(s))
    // A proposal built on a summary keeps the summary's rules (no second draw); otherwise it draws from the cases.
    const add = carried.length > 0 ? carried : rules
    return uniq([...kept, ...add]).join('\n') || adviceText
  }
  const errorText = failed.length === 0 ? 'No error: every shown answer matched the expected output.' : `${failed.length} of ${m.cases.length} shown answers missed the expected ${world.output}. ${observations.join(' ')}`
  const values: Record<string, unknown> = {}
  const names = m.outputs.length > 0 ? m.outputs : ['instruction']
  for (const name of names) {
    const n = normalizeName(name)
    if (/bullet_?tags?|^tags$/.test(n)) values[name] = bulletTags(m)
    else if (/operations?/.test(n)) values[name] = curatorOperations(m, rules)
    else if (/new_?value|instruction|prompt|proposal|proposed/.test(n)) values[name] = instruction()
    else if (/error/.test(n)) values[name] = errorText
    else if (/reasoning|analysis|discussion|diagnos|root_?cause|critique/.test(n)) values[name] = `${observations.join(' ')} ${adviceText}`.trim()
    else values[name] = adviceText
  }
  return values
}

/** Tags of the playbook's bullets against the shown cases: harmful when a bullet misleads a case, helpful when it names the case's rule. */
function bulletTags(m: MetaRequest): Array<{ id: string; tag: string }> {
  const out: Array<{ id: string; tag: string }> = []
  for (const b of bullets(m)) {
    let tag: string | undefined
    for (const c of m.cases) {
      const rule = governingRule(m.world, c.inputs)
      const kw = rule ? keywordIn(rule, Object.values(c.inputs)) : undefined
      if (misleadingOf(m.world, b.content, c.inputs)) tag = 'harmful'
      else if (rule && kw && b.content.toLowerCase().includes(kw.toLowerCase()) && mentionsLabel(b.content, rule.label)) tag ??= 'helpful'
    }
    if (tag) out.push({ id: b.id, tag })
  }
  return out
}

/** Curator operations: one ADD per rule sentence not already in the playbook. */
function curatorOperations(m: MetaRequest, rules: readonly string[]): Array<{ type: string; section: string; content: string }> {
  const have = bullets(m).map((b) => b.content.toLowerCase())
  const section = sections(m)[0] ?? 'Guidelines'
  return rules.filter((r) => !have.some((h) => h.includes(r.toLowerCase()))).map((content) => ({ type: 'ADD', section, content }))
}

/** Renders the reply in the layout the request asked for. */
export function renderMeta(m: MetaRequest, values: Record<string, unknown>): string {
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))
  const names = Object.keys(values)
  switch (m.reply) {
    case 'json':
      return JSON.stringify(values)
    case 'markers':
      return `${names.map((n) => `[[ ## ${n} ## ]]\n${text(values[n])}\n\n`).join('')}[[ ## completed ## ]]`
    case 'fenced':
      return `Here is the new instruction:\n\`\`\`\n${text(values[names[0] as string])}\n\`\`\``
    default:
      return names.map((n) => `${n}: ${text(values[n]).replace(/\n+/g, ' ')}`).join('\n')
  }
}
