import { AdapterParseError, type ParseIssue } from '../../errors.js'
import type { LMRequest } from '../lm/types.js'
import type { AnySignature } from '../signature/signature.js'
import { coerceValue } from './field-types.js'
import { buildMessages } from './messages.js'
import type { Adapter, Demo, FormatArgs, SafeParseResult } from './types.js'

/** The JSON adapter's format section: one JSON object keyed by output field. */
export function jsonFormatSection(signature: AnySignature): string {
  const keys = signature.outputFields.map((f) => `\`${f.name}\``).join(', ')
  return `Reply with one JSON object and nothing else. Its keys are the output fields, in this order: ${keys}. Each value follows the field's type above.`
}

/**
 * Finds the JSON object in a reply that may carry ```json fences or prose around it: the outermost
 * `{...}` first, else the first balanced `{...}` that parses (prose with braces of its own).
 */
export function extractJsonObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  const start = text.indexOf('{')
  const end = text.lastIndexOf('}')
  if (start < 0 || end < start) return { ok: false, message: 'the reply contains no JSON object' }
  const outer = parseObject(text.slice(start, end + 1))
  if (outer.ok) return outer
  for (let i = start, tries = 0; i >= 0 && tries < 64; i = text.indexOf('{', i + 1), tries++) {
    const close = balancedEnd(text, i)
    if (close < 0) continue
    const inner = parseObject(text.slice(i, close + 1))
    if (inner.ok) return inner
  }
  return outer
}

function parseObject(slice: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  try {
    const value: unknown = JSON.parse(slice)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'the reply is not a JSON object' }
    return { ok: true, value: value as Record<string, unknown> }
  } catch (error) {
    return { ok: false, message: `the reply is not valid JSON (${(error as Error).message})` }
  }
}

/** Index of the `}` closing the `{` at `open` (braces inside JSON strings ignored), or -1. */
function balancedEnd(text: string, open: number): number {
  let depth = 0
  let inString = false
  for (let i = open; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{') depth++
    else if (c === '}' && --depth === 0) return i
  }
  return -1
}

/**
 * Asks for one JSON object (`response_format: json_object`) and parses it. Used as the fallback
 * when a chat-format reply does not parse, or directly via `adapter: new JSONAdapter()`.
 */
export class JSONAdapter implements Adapter {
  /** Adapter name used in errors. */
  readonly name = 'json'

  /** Builds the request: same system text with a JSON format section, demos answered as JSON. */
  format(args: FormatArgs): LMRequest {
    const assistant = (d: Demo): string => {
      const out: Record<string, unknown> = {}
      for (const f of args.signature.outputFields) if (d[f.name] !== undefined) out[f.name] = d[f.name]
      return JSON.stringify(out)
    }
    return { messages: buildMessages(args, jsonFormatSection(args.signature), assistant), responseFormat: { type: 'json_object' } }
  }

  /** Parses the JSON object and validates each output field; collects all issues. */
  safeParse(signature: AnySignature, text: string): SafeParseResult {
    const obj = extractJsonObject(text)
    if (!obj.ok) return { ok: false, issues: [{ field: '', message: obj.message }], parsed: {} }
    const issues: ParseIssue[] = []
    const parsed: Record<string, unknown> = {}
    for (const f of signature.outputFields) {
      const value = obj.value[f.name]
      let r: { success: true; data: unknown } | { success: false; error: { issues: Array<{ message: string }> } } = f.schema.safeParse(value)
      if (!r.success && value !== undefined && value !== null) {
        // Lenient second try: numbers sent as strings, strings sent as numbers, enum case.
        const text = typeof value === 'string' ? value : JSON.stringify(value) // objects keep their JSON, never "[object Object]"
        const c = coerceValue(f.schema, text)
        if (c.ok) r = { success: true, data: c.value }
      } else if (!r.success && value === null) {
        const absent = f.schema.safeParse(undefined) // null for an optional or defaulted field means absent
        if (absent.success) r = absent
      }
      if (r.success) {
        if (r.data !== undefined) parsed[f.name] = r.data
      } else if (value === undefined) issues.push({ field: f.name, message: 'missing key in the JSON object' })
      else issues.push({ field: f.name, message: `${r.error.issues.map((i) => i.message).join('; ')} (got ${JSON.stringify(value)})` })
    }
    return issues.length === 0 ? { ok: true, outputs: parsed } : { ok: false, issues, parsed }
  }

  /** Parses a reply or throws `AdapterParseError`. */
  parse(signature: AnySignature, text: string, predictorName: string): Record<string, unknown> {
    const r = this.safeParse(signature, text)
    if (r.ok) return r.outputs
    throw new AdapterParseError({ predictor: predictorName, issues: r.issues, raw: text, parsed: r.parsed, adapter: this.name })
  }
}

/** Shared JSON adapter instance. */
export const jsonAdapter: JSONAdapter = new JSONAdapter()
