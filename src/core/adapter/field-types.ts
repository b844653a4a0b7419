import { z } from 'zod'

/** The wrapper-free schema (optional / nullable / default / readonly / catch unwrapped). */
export function baseSchema(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema
  for (let i = 0; i < 20; i++) {
    const def = (s as unknown as { def: { type: string; innerType?: z.ZodType } }).def
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type) && def.innerType) s = def.innerType
    else break
  }
  return s
}

/** Values of an enum-like schema: z.enum, z.literal, or a union of those (`z.union([z.literal('a'), ...])`). */
function enumValues(schema: z.ZodType, depth = 0): unknown[] | undefined {
  const base = baseSchema(schema)
  if (base instanceof z.ZodEnum) return base.options as unknown[]
  if (base instanceof z.ZodLiteral) return [...base.values]
  if (base instanceof z.ZodUnion && depth < 10) {
    const parts = (base.options as z.ZodType[]).map((o) => enumValues(o, depth + 1))
    return parts.every((p) => p !== undefined) ? parts.flat() : undefined
  }
  return undefined
}

/** Options of an enum-like schema (z.enum, a literal, or a union of literals), or undefined. */
export function enumOptions(schema: z.ZodType): string[] | undefined {
  return enumValues(schema)?.map(String)
}

/** True when values of this field are written raw (no JSON): strings and string enums. */
export function isStringLike(schema: z.ZodType): boolean {
  const base = baseSchema(schema)
  if (base instanceof z.ZodString) return true
  return enumValues(base)?.every((o) => typeof o === 'string') ?? false
}

/** Text describing a field's type to the LM: `string`, `number`, `one of: a, b`, or a compact JSON schema. */
export function typeText(schema: z.ZodType): string {
  const cached = typeTextCache.get(schema)
  if (cached !== undefined) return cached
  const text = computeTypeText(schema)
  typeTextCache.set(schema, text)
  return text
}

/** zod schemas are immutable, so a schema's type text is computed once (it is built for every call's prompt). */
const typeTextCache = new WeakMap<z.ZodType, string>()

function computeTypeText(schema: z.ZodType): string {
  const base = baseSchema(schema)
  if (base instanceof z.ZodString) return 'string'
  if (base instanceof z.ZodNumber) return base.format === 'safeint' || base.format === 'int32' ? 'integer' : 'number'
  if (base instanceof z.ZodBoolean) return 'boolean'
  const options = enumOptions(base)
  if (options) return `one of: ${options.join(', ')}`
  try {
    const json = z.toJSONSchema(base, { unrepresentable: 'any' }) as Record<string, unknown>
    delete json.$schema
    return JSON.stringify(json)
  } catch {
    return 'JSON value'
  }
}

/** How a value is written into a message: strings raw, everything else JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined) return ''
  return JSON.stringify(value) ?? String(value)
}

/** Removes a ```json … ``` fence around a value, if present. */
export function stripFence(text: string): string {
  const m = /^```[A-Za-z]*\s*\n([\s\S]*?)\n?```$/.exec(text.trim())
  return m ? (m[1] ?? '').trim() : text
}

/**
 * Turns the text of one field into a value its schema accepts: raw text first for string-like
 * fields, JSON first for the rest, then lenient forms (fences, True/False/yes/no, 1,000, null as absent, enum case,
 * quotes and markdown emphasis around enum values). Returns
 * the zod error message when nothing fits.
 */
export function coerceValue(schema: z.ZodType, text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const candidates: unknown[] = []
  const json = (t: string): void => {
    try {
      candidates.push(JSON.parse(t))
    } catch {
      /* not JSON */
    }
  }
  if (isStringLike(schema)) {
    // Raw text first: it almost always fits, and trying JSON.parse on prose (which throws) first is
    // most of the cost of parsing a reply.
    const raw = schema.safeParse(text)
    if (raw.success) return { ok: true, value: raw.data }
    candidates.push(text)
    json(text)
  } else {
    json(text)
    json(stripFence(text))
    candidates.push(text)
    const lower = text.toLowerCase()
    if (lower === 'true' || lower === 'yes') candidates.push(true)
    if (lower === 'false' || lower === 'no') candidates.push(false)
    if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) candidates.push(Number(text.replace(/,/g, '')))
    if (lower === 'null') candidates.push(undefined) // absent, for an optional or defaulted field
  }
  const options = enumOptions(schema)
  if (options) {
    // quoted or with a final period; then also stripped of markdown emphasis (**billing**, `billing`)
    for (const bare of [text.replace(/^["'`]|["'`.]$/g, ''), text.replace(/^[\s"'`*_]+|[\s"'`*_.]+$/g, '')]) {
      const hits = options.filter((o) => o.toLowerCase() === bare.toLowerCase())
      if (hits.length === 1) candidates.push(hits[0])
    }
  }
  let firstError: string | undefined
  for (const c of candidates) {
    const r = schema.safeParse(c)
    if (r.success) return { ok: true, value: r.data }
    firstError ??= r.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')
  }
  return { ok: false, message: firstError ?? 'not valid JSON' }
}
