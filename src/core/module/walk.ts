import type { Predict } from '../predict/predict.js'
import { hasModuleBrand, hasPredictBrand } from './brand.js'

/** True for `{}` literals and `Object.create(null)` objects. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Lists the predictors reachable from `root`'s own enumerable properties, in insertion order, with
 * dotted names: `a.b` for modules and plain objects, `a[0]` for arrays, `a[key]` for string-keyed
 * Maps. Other class instances (LMs, clients) and functions are skipped. Each predictor is listed
 * once (first path wins), and cycles are safe.
 */
export function walkPredictors(root: object): Array<[string, Predict]> {
  const out: Array<[string, Predict]> = []
  const seen = new Set<object>([root])
  const visit = (value: unknown, name: string): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return
    if (hasPredictBrand(value)) {
      seen.add(value)
      out.push([name, value as Predict])
      return
    }
    if (hasModuleBrand(value) || isPlainObject(value)) {
      seen.add(value)
      for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], `${name}.${key}`)
    } else if (Array.isArray(value)) {
      seen.add(value)
      value.forEach((v, i) => visit(v, `${name}[${i}]`))
    } else if (value instanceof Map) {
      seen.add(value)
      for (const [k, v] of value) if (typeof k === 'string') visit(v, `${name}[${k}]`)
    }
  }
  for (const key of Object.keys(root)) visit((root as Record<string, unknown>)[key], key)
  return out
}

/**
 * Deep-copies modules (same prototype, no constructor call), arrays, Maps and plain objects;
 * shares everything else (LMs, signatures, adapters, functions, other class instances).
 * Shared references inside the copied graph stay shared, cycles are preserved.
 */
export function cloneGraph<T>(value: T, seen: Map<object, unknown> = new Map()): T {
  if (typeof value !== 'object' || value === null) return value
  const done = seen.get(value)
  if (done !== undefined) return done as T
  if (Array.isArray(value)) {
    const arr: unknown[] = []
    seen.set(value, arr)
    for (const v of value) arr.push(cloneGraph(v, seen))
    return arr as T
  }
  if (value instanceof Map) {
    const map = new Map()
    seen.set(value, map)
    for (const [k, v] of value) map.set(k, cloneGraph(v, seen))
    return map as T
  }
  if (hasModuleBrand(value) || isPlainObject(value)) {
    const copy = Object.create(Object.getPrototypeOf(value)) as Record<string | symbol, unknown>
    seen.set(value, copy)
    for (const key of Reflect.ownKeys(value)) {
      const desc = Object.getOwnPropertyDescriptor(value, key)
      if (!desc) continue
      if ('value' in desc) desc.value = cloneGraph(desc.value, seen)
      Object.defineProperty(copy, key, desc)
    }
    return copy as T
  }
  return value
}
