import { canonicalJson } from '../../internal/json/canonical.js'
import type { FixtureMode } from '../types.js'
import type { ToolOutcome } from '../../core/tool/hook.js'
import type { ToolFixtureEntry, ToolStats } from './entry.js'

/**
 * The tool entries of one fixture file during a run: loaded entries, which keys were used, what
 * was recorded, counts, and recordings in flight. The file store owns writing; this holds state.
 */
export class ToolSection {
  /** Entries by key. */
  entries: Map<string, ToolFixtureEntry>
  /** Recordings in flight by key, so concurrent identical calls run the tool once. */
  readonly pending = new Map<string, Promise<ToolOutcome>>()
  /** Counters (see ToolStats; `unused` is computed). */
  readonly counts = { replayed: 0, recorded: 0, missing: 0, live: 0 }
  /** The entries as this run read them: only these can be pruned (another run's never are). */
  private readonly loaded: ReadonlyMap<string, ToolFixtureEntry>
  private readonly used = new Set<string>()
  private readonly fresh = new Set<string>()
  private readonly removed = new Set<string>()
  private pruned = 0

  constructor(
    loaded: Record<string, ToolFixtureEntry> | undefined,
    private readonly mode: FixtureMode,
  ) {
    this.entries = new Map(Object.entries(loaded ?? {}))
    this.loaded = new Map(this.entries)
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size
  }

  /** The entry to replay for `key`, marking it used; in re-record only entries recorded this run count. */
  replay(key: string): ToolFixtureEntry | undefined {
    if (this.mode === 're-record' && !this.fresh.has(key)) return undefined
    const entry = this.entries.get(key)
    if (entry) {
      this.used.add(key)
      this.counts.replayed++
    }
    return entry
  }

  /** Stores a fresh recording (the caller has scanned it for secrets). */
  set(key: string, entry: ToolFixtureEntry): void {
    this.entries.set(key, entry)
    this.used.add(key)
    this.fresh.add(key)
    this.removed.delete(key)
    this.counts.recorded++
  }

  /** Removes the entries this run read and no call used (as it read them); returns how many. */
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
  mergeFrom(theirs: Record<string, ToolFixtureEntry> | undefined): void {
    const merged = new Map(Object.entries(theirs ?? {}))
    for (const key of this.removed) {
      const now = merged.get(key)
      const read = this.loaded.get(key)
      if (!this.fresh.has(key) && now !== undefined && read !== undefined && sameEntry(now, read)) merged.delete(key)
    }
    for (const [key, entry] of this.entries) if (this.fresh.has(key) || this.used.has(key) || !merged.has(key)) merged.set(key, entry)
    this.entries = merged
  }

  /** Current counts. */
  stats(): ToolStats {
    let unused = this.pruned
    for (const key of this.entries.keys()) if (!this.used.has(key)) unused++
    return { ...this.counts, unused }
  }
}

function sameEntry(a: ToolFixtureEntry, b: ToolFixtureEntry): boolean {
  return a === b || canonicalJson(a) === canonicalJson(b)
}
