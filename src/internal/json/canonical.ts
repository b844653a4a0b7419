/**
 * Canonical JSON: object keys sorted (by UTF-16 code unit order), no insignificant whitespace,
 * `undefined` members dropped as JSON.stringify does. Equal values give equal strings whatever
 * their key order, so it is the basis of cache keys, fixture keys and snapshot files.
 */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent) ?? 'null'
}

/** Returns a deep copy of `value` whose plain objects have their keys in sorted order. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)))
  if (value !== null && typeof value === 'object') {
    const maybe = value as { toJSON?: () => unknown }
    if (typeof maybe.toJSON === 'function') return sortKeys(maybe.toJSON())
    // Prototype-free, so a `__proto__` key is kept like any other.
    const out = Object.create(null) as Record<string, unknown>
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined && typeof v !== 'function') out[key] = sortKeys(v)
    }
    return out
  }
  return value
}
