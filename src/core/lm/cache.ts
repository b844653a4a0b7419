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
}

/**
 * In-memory answer cache shared by an LM and its copies. Entries are promises, so identical
 * concurrent calls share one request; a rejected promise is removed (failures are not cached).
 */
export class LMCache {
  readonly #entries = new Map<string, Promise<CachedAnswer>>()

  /** The settled or in-flight answer for `key`, if any. */
  get(key: string): Promise<CachedAnswer> | undefined {
    return this.#entries.get(key)
  }

  /** Stores `answer` under `key` and drops it again if it rejects. */
  set(key: string, answer: Promise<CachedAnswer>): void {
    this.#entries.set(key, answer)
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
