/**
 * Text rendering for the rule writer : JSON with non-serialisable values masked,
 * the module definitions block, and the program "code".
 */
import { typeText } from '../../../core/adapter/field-types.js'
import type { Module } from '../../../core/module/module.js'

/** Replaces values JSON cannot represent by `<non-serializable: TypeName>`, recursively. */
export function maskJson(value: unknown, seen: Set<object> = new Set()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : `<non-serializable: number ${value}>`
  if (typeof value === 'undefined') return null
  if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') return `<non-serializable: ${typeof value}>`
  if (seen.has(value)) return '<non-serializable: cycle>'
  seen.add(value)
  try {
    if (Array.isArray(value)) return value.map((v) => maskJson(v, seen))
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object'
      if (value instanceof Date) return value.toISOString()
      return `<non-serializable: ${name}>`
    }
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = maskJson(v, seen)
    return out
  } finally {
    seen.delete(value)
  }
}

/** Strings stay as they are; anything else becomes masked JSON with 2-space indentation. */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(maskJson(value), null, 2)
}

const RULE = '-'.repeat(80)

/**
 * Every predictor of `program` with its fields and current instructions, in enumeration order.
 * `instructionsLabel`: DSPy's label is "Original Instructions" although it shows the current ones
 * and the default (`faithful: true`) keeps that label; `faithful: false` says "Current Instructions".
 */
export function renderModules(program: Module, instructionsLabel = 'Current Instructions'): string {
  const parts: string[] = []
  for (const [name, p] of program.namedPredictors()) {
    const fieldLines = (fields: typeof p.signature.inputFields): string[] =>
      fields.map((f, i) => `\t\t${i + 1}. \`${f.name}\` (${typeText(f.schema)})${f.description ? `: ${f.description}` : ''}`)
    parts.push(
      [
        RULE,
        `Module ${name}`,
        '\tInput Fields:',
        ...fieldLines(p.signature.inputFields),
        '\tOutput Fields:',
        ...fieldLines(p.signature.outputFields),
        `\t${instructionsLabel}:`,
        ...p.instructions.split('\n').map((l) => `\t\t${l}`),
        RULE,
      ].join('\n'),
    )
  }
  return parts.join('\n')
}

/**
 * The program's "code": its class source when the runtime exposes it (`constructor.toString()`),
 * else an outline of its module structure (TypeScript has no reliable source access at run time).
 */
export function renderProgramCode(program: Module): string {
  const ctor = (program as { constructor?: unknown }).constructor
  const src = typeof ctor === 'function' ? Function.prototype.toString.call(ctor) : ''
  if (src.startsWith('class') && !src.includes('[native code]')) return src
  const names = program.namedPredictors().map(([n, p]) => `  ${n}: ${p.signature.shorthand}`)
  return `program ${(ctor as { name?: string } | undefined)?.name ?? 'Module'} with predictors:\n${names.join('\n')}`
}
