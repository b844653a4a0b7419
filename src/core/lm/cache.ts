import { sha256 } from '../../internal/hash/sha256.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import type { TokenUsage } from './types.js'

/** The request body sent to `chat.completions.create` (never holds the rollout id). */
export type RequestBody = Record<string, unknown> & { model: string; messages: unknown[] }

/**
 * Cache key of one call: sha256 of the canonical JSON of the request body plus the rollout id.
 * Key order never matters; any field that can change the answer changes the key.
 */
export function cacheKey(body: RequestBody, rolloutId: number | undefined): string {
  return sha256(canonicalJson({ body, rolloutId: rolloutId ?? null }))
}

/** What the cache stores for one answered request. */
export interface CachedAnswer {
  /** Assistant text. */
  text: string
  /** Usage the provider reported for the live call. */
  usage: TokenUsage
  /** Model that answered. */
  model: string
  /** Replayed from a recorded fixture rather than answered by a server. */
  replayed?: boolean
}

/** Default bound of an LM family's cache: answers kept before the least recently used is dropped. */
export const DEFAULT_CACHE_ENTRIES = 10_000

/**
 * In-memory answer cache shared by an LM and its copies, bounded to `maxEntries` answers with
 * least-recently-used eviction. Entries are promises, so identical concurrent calls share one
 * request; a rejected promise is removed (failures are not cached).
 *
 * A Map in insertion order is the whole LRU (a hit re-inserts its key, eviction drops the first
 * key), so no cache library is needed for it.
 */
export class LMCache {
  readonly #entries = new Map<string, Promise<CachedAnswer>>()

  /** @param maxEntries answers kept at most (>= 1). */
  constructor(readonly maxEntries: number = DEFAULT_CACHE_ENTRIES) {}

  /** The settled or in-flight answer for `key`, if any (marks it as recently used). */
  get(key: string): Promise<CachedAnswer> | undefined {
    const hit = this.#entries.get(key)
    if (hit !== undefined) {
      this.#entries.delete(key)
      this.#entries.set(key, hit)
    }
    return hit
  }

  /** Stores `answer` under `key` (evicting the least recently used beyond the bound) and drops it again if it rejects. */
  set(key: string, answer: Promise<CachedAnswer>): void {
    this.#entries.delete(key)
    this.#entries.set(key, answer)
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
    }
    answer.catch(() => {
      if (this.#entries.get(key) === answer) this.#entries.delete(key)
    })
  }

  /** Number of entries (settled and in flight). */
  get size(): number {
    return this.#entries.size
  }

  /** Forgets every entry. */
  clear(): void {
    this.#entries.clear()
  }
}
