/**
 * Maps keyed by user data (case ids, block names, predictor and field names). A plain `{}` keyed by
 * such names loses `__proto__` (assigning it replaces the prototype) and reads `constructor` or
 * `toString` from `Object.prototype`; these helpers make every name an ordinary key.
 */
import { z } from 'zod'

/** A prototype-free object used as a map: every string, `__proto__` included, is an ordinary key. */
export function dict<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out = Object.create(null) as Record<string, T>
  for (const [k, v] of entries) out[k] = v
  return out
}

/** The value stored under `key` in `map` itself, never one inherited from `Object.prototype`. */
export function own<T>(map: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return map != null && Object.hasOwn(map, key) ? map[key] : undefined
}

/** Sets `key` as an own property of `target` (also `__proto__`), keeping its prototype. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
}

/**
 * zod schema of a JSON object used as a map (`z.record(z.string(), value)` drops a `__proto__` key):
 * the result is a {@link dict}; an invalid value is reported at its key.
 */
export function dictSchema<T extends z.ZodType>(value: T): z.ZodType<Record<string, z.output<T>>, unknown> {
  return z.unknown().transform((input, ctx) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      ctx.addIssue({ code: 'custom', message: `Invalid input: expected object, received ${input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input}` })
      return z.NEVER
    }
    const out = dict<z.output<T>>()
    for (const key of Object.keys(input)) {
      const r = value.safeParse((input as Record<string, unknown>)[key])
      if (r.success) out[key] = r.data
      else for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [key, ...issue.path] })
    }
    return out
  }) as unknown as z.ZodType<Record<string, z.output<T>>, unknown>
}
