import type { World } from '../world/schema.js'
import type { FieldDecl } from './prompt.js'
import { pick } from './seed.js'

/** True when any input value holds a rule keyword of the world. */
export function hasKeyword(world: World, inputs: Record<string, string>): boolean {
  const text = Object.values(inputs).join('\n').toLowerCase()
  return world.rules.some((r) => r.keywords.some((k) => text.includes(k.toLowerCase())))
}

/** Sentences (or the first ~12 words) of the inputs that carry the world's rule keywords. */
export function keyPhrases(world: World | undefined, inputs: Record<string, string>): string[] {
  const texts = Object.values(inputs)
  const keywords = world ? world.rules.flatMap((r) => r.keywords.map((k) => k.toLowerCase())) : []
  const sentences = texts.flatMap((t) => t.split(/(?<=[.!?])\s+|\n+/)).map((s) => s.trim()).filter(Boolean)
  const hits = sentences.filter((s) => keywords.some((k) => s.toLowerCase().includes(k)))
  if (hits.length > 0) return hits
  const words = texts.join(' ').split(/\s+/).filter(Boolean)
  return words.length > 0 ? [words.slice(0, 12).join(' ')] : []
}

/** Options of an enum-like type text such as `one of: billing, technical`. */
export function enumOptions(type: string): string[] | undefined {
  const m = /one of:?\s*(.+)$/i.exec(type)
  if (!m) return undefined
  const opts = (m[1] ?? '').split(',').map((s) => s.trim().replace(/^["'`]|["'`]$/g, '')).filter(Boolean)
  return opts.length > 0 ? opts : undefined
}

/** The top-level `type` of a JSON-schema type text such as `{"type":"array",…}`, if it is one. */
function schemaType(type: string): string | undefined {
  if (!type.trim().startsWith('{')) return undefined
  try {
    const t = (JSON.parse(type) as { type?: unknown }).type
    return typeof t === 'string' ? t : undefined
  } catch {
    return undefined
  }
}

/** A plausible value of the declared type: text for strings, sensible defaults for other types. */
export function valueForType(field: FieldDecl, phrases: readonly string[], seed: string, hit = phrases.length > 0): unknown {
  const type = schemaType(field.type) ?? field.type.toLowerCase()
  const options = enumOptions(field.type)
  if (options) return pick(options, seed, field.name)
  if (/list|array|\[\]/.test(type)) return [...phrases]
  if (/bool/.test(type)) return hit
  if (/int|number|float|double/.test(type)) return phrases.length
  if (/dict|object|record|map/.test(type)) return {}
  return phrases.length > 0 ? phrases.join(' ') : `Simulated ${field.name.replace(/_/g, ' ')}.`
}
