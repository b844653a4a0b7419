/**
 * Reads the project's chat wire format (src/README.md) back out of an OpenAI chat request:
 * instructions, declared fields, demos and the real inputs. Lenient: never throws.
 */

/** One field as declared in the system message's `## Fields` section. */
export interface FieldDecl {
  /** Field name. */
  name: string
  /** Type text inside the parentheses, e.g. `string` or `one of: billing, technical`. */
  type: string
  /** Description after the colon (may be empty). */
  description: string
}

/** What the simulator understood of a request. */
export interface ParsedPrompt {
  /** Instructions: the system message before `## Fields` (the whole system message when absent). */
  instructions: string
  /** Declared input fields (from the last user message's markers when undeclared). */
  inputFields: FieldDecl[]
  /** Declared output fields (empty when undeclared). */
  outputFields: FieldDecl[]
  /** Prior turns: each demo merges its user and assistant field values. */
  demos: Array<Record<string, string>>
  /** Field values of the last user message. */
  inputs: Record<string, string>
  /** True when the reply must be one JSON object (response_format or a JSON format section). */
  wantsJson: boolean
  /** Characters of all message texts (the budget knob counts chars / 4 as prompt tokens). */
  promptChars?: number
}

/** A chat message as the simulator receives it (content may be OpenAI content parts). */
export interface RawMessage {
  role?: unknown
  content?: unknown
}

const MARKER = /^\[\[ ## (.+?) ## \]\]\s*$/
const ESCAPED_MARKER = /^\\(\\*\[\[ ## .+? ## \]\])\s*$/
const FIELD_LINE = /^\s*-\s*`([^`]+)`\s*(?:\(((?:[^()]|\([^()]*\))*)\))?\s*:?\s*(.*)$/

/** Text of a message content (string or an array of `{type:'text', text}` parts). */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) {
    return content.map((p) => (typeof p === 'string' ? p : typeof (p as { text?: unknown })?.text === 'string' ? (p as { text: string }).text : '')).join('')
  }
  return ''
}

/** Field blocks of a message: `[[ ## name ## ]]` sections, else a JSON object's members. */
export function parseBlocks(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  let current: string | undefined
  let lines: string[] = []
  const flush = (): void => {
    if (current !== undefined && current !== 'completed') out[current] = lines.join('\n').trim()
  }
  for (const line of text.split(/\r?\n/)) {
    const m = MARKER.exec(line)
    if (m) {
      flush()
      current = (m[1] ?? '').trim()
      lines = []
      continue
    }
    const esc = ESCAPED_MARKER.exec(line)
    lines.push(esc ? (esc[1] ?? line) : line)
  }
  flush()
  if (Object.keys(out).length > 0) return out
  const obj = parseJsonObject(text)
  if (obj) for (const [k, v] of Object.entries(obj)) out[k] = typeof v === 'string' ? v : JSON.stringify(v)
  return out
}

/** Parses `text` (or its outermost `{…}`) as a JSON object; undefined otherwise. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const tryParse = (s: string): Record<string, unknown> | undefined => {
    try {
      const v: unknown = JSON.parse(s)
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
    } catch {
      return undefined
    }
  }
  const direct = tryParse(text.trim())
  if (direct) return direct
  const start = text.indexOf('{')
  const end = text.lastIndexOf('}')
  return start >= 0 && end > start ? tryParse(text.slice(start, end + 1)) : undefined
}

function parseSystem(system: string): { instructions: string; inputs: FieldDecl[]; outputs: FieldDecl[]; format: string } {
  const at = system.lastIndexOf('## Fields')
  if (at < 0) return { instructions: system.trim(), inputs: [], outputs: [], format: '' }
  const instructions = system.slice(0, at).trim()
  const rest = system.slice(at + '## Fields'.length)
  const fmtAt = rest.indexOf('## Format')
  const fieldsText = fmtAt >= 0 ? rest.slice(0, fmtAt) : rest
  const inputs: FieldDecl[] = []
  const outputs: FieldDecl[] = []
  let target: FieldDecl[] | undefined
  for (const line of fieldsText.split(/\r?\n/)) {
    const t = line.trim()
    if (/^inputs:?$/i.test(t)) target = inputs
    else if (/^outputs:?$/i.test(t)) target = outputs
    else {
      const m = FIELD_LINE.exec(line)
      if (m && target) target.push({ name: (m[1] ?? '').trim(), type: (m[2] ?? '').trim(), description: (m[3] ?? '').trim() })
    }
  }
  return { instructions, inputs, outputs, format: fmtAt >= 0 ? rest.slice(fmtAt) : '' }
}

/** Reads a chat completion request body's messages (and response_format) into a ParsedPrompt. */
export function parsePrompt(messages: readonly RawMessage[], responseFormat: unknown): ParsedPrompt {
  const msgs = messages.map((m) => ({ role: typeof m.role === 'string' ? m.role : 'user', text: messageText(m.content) }))
  const systemText = msgs.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.text).join('\n\n')
  const sys = parseSystem(systemText)
  const turns = msgs.filter((m) => m.role === 'user' || m.role === 'assistant')
  let lastUser = -1
  for (let i = turns.length - 1; i >= 0; i--) if (turns[i]?.role === 'user') { lastUser = i; break }
  const inputs = lastUser >= 0 ? parseBlocks(turns[lastUser]?.text ?? '') : {}
  const demos: Array<Record<string, string>> = []
  let pending: Record<string, string> | undefined
  for (let i = 0; i < Math.max(lastUser, 0); i++) {
    const turn = turns[i]
    if (!turn) continue
    if (turn.role === 'user') pending = parseBlocks(turn.text)
    else if (pending) {
      demos.push({ ...pending, ...parseBlocks(turn.text) })
      pending = undefined
    }
  }
  const rf = (responseFormat as { type?: unknown } | null | undefined)?.type
  const formatText = sys.format || (sys.inputs.length + sys.outputs.length === 0 ? systemText : '')
  const wantsJson = rf === 'json_object' || rf === 'json_schema' || /\bjson\b/i.test(formatText)
  const inputFields = sys.inputs.length > 0 ? sys.inputs : Object.keys(inputs).map((name) => ({ name, type: 'string', description: '' }))
  const promptChars = msgs.reduce((n, m) => n + m.text.length, 0)
  return { instructions: sys.instructions, inputFields, outputFields: sys.outputs, demos, inputs, wantsJson, promptChars }
}
