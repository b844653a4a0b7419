import { canonicalJson } from '../internal/json/canonical.js'
import type { FixtureMode } from './types.js'

/**
 * The keyed entries of one section of a fixture file during a run (LM exchanges, tool calls):
 * which keys were used and recorded, what pruning removed, and the merge with another writer.
 * Only entries this run read, unused and unchanged, are ever pruned: another run's never are.
 * The file store owns writing and counting; this holds the bookkeeping both sections share.
 */
export class KeyedEntries<E> {
  /** Entries by key. */
  entries: Map<string, E>
  /** The entries as this run read them: only these can be pruned. */
  private readonly loaded: ReadonlyMap<string, E>
  private readonly used = new Set<string>()
  private readonly fresh = new Set<string>()
  private readonly removed = new Set<string>()
  private pruned = 0

  constructor(
    loaded: Record<string, E> | undefined,
    private readonly mode: FixtureMode,
  ) {
    this.entries = new Map(Object.entries(loaded ?? {}))
    this.loaded = new Map(this.entries)
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size
  }

  /** Number of entries recorded by this run. */
  get freshCount(): number {
    return this.fresh.size
  }

  /** The entry `replay(key)` would give, without marking it used; in re-record only this run's recordings count. */
  peek(key: string): E | undefined {
    if (this.mode === 're-record' && !this.fresh.has(key)) return undefined
    return this.entries.get(key)
  }

  /** The entry to replay for `key`, marking it used. */
  replay(key: string): E | undefined {
    const entry = this.peek(key)
    if (entry) this.used.add(key)
    return entry
  }

  /** Stores a fresh recording (the caller has scanned it for secrets). */
  set(key: string, entry: E): void {
    this.entries.set(key, entry)
    this.used.add(key)
    this.fresh.add(key)
    this.removed.delete(key)
  }

  /** Removes the entries this run read and no call used (still as it read them); returns how many. */
  prune(): number {
    let n = 0
    for (const [key, entry] of this.loaded) {
      const now = this.entries.get(key)
      if (this.used.has(key) || now === undefined || !sameEntry(now, entry)) continue
      this.entries.delete(key)
      this.removed.add(key)
      n++
    }
    this.pruned += n
    return n
  }

  /**
   * Starts from another writer's entries: theirs are kept, ours win when fresh or used; a pruned
   * entry goes only if the file still holds it as this run read it (another run may have re-recorded it).
   */
  mergeFrom(theirs: Record<string, E> | undefined): void {
    const merged = new Map(Object.entries(theirs ?? {}))
    for (const key of this.removed) {
      const now = merged.get(key)
      const read = this.loaded.get(key)
      if (!this.fresh.has(key) && now !== undefined && read !== undefined && sameEntry(now, read)) merged.delete(key)
    }
    for (const [key, entry] of this.entries) if (this.fresh.has(key) || this.used.has(key) || !merged.has(key)) merged.set(key, entry)
    this.entries = merged
  }

  /** Entries no call used: those pruned, plus those still held that this run read and did not use. */
  unused(): number {
    let n = this.pruned
    for (const key of this.loaded.keys()) if (!this.used.has(key) && this.entries.has(key)) n++
    return n
  }
}

function sameEntry<E>(a: E, b: E): boolean {
  return a === b || canonicalJson(a) === canonicalJson(b)
}
