import type { ToolOutcome } from '../../core/tool/hook.js'
import { KeyedEntries } from '../entries.js'
import type { FixtureMode } from '../types.js'
import type { ToolFixtureEntry, ToolStats } from './entry.js'

/**
 * The tool entries of one fixture file during a run: the keyed entries (shared bookkeeping with the
 * LM entries), counts, and recordings in flight. The file store owns writing; this holds state.
 */
export class ToolSection extends KeyedEntries<ToolFixtureEntry> {
  /** Recordings in flight by key, so concurrent identical calls run the tool once. */
  readonly pending = new Map<string, Promise<ToolOutcome>>()
  /** Counters (see ToolStats; `unused` is computed). */
  readonly counts = { replayed: 0, recorded: 0, missing: 0, live: 0 }

  constructor(loaded: Record<string, ToolFixtureEntry> | undefined, mode: FixtureMode) {
    super(loaded, mode)
  }

  /** The entry to replay for `key`, marking it used and counting it. */
  override replay(key: string): ToolFixtureEntry | undefined {
    const entry = super.replay(key)
    if (entry) this.counts.replayed++
    return entry
  }

  /** Stores a fresh recording (the caller has scanned it for secrets) and counts it. */
  override set(key: string, entry: ToolFixtureEntry): void {
    super.set(key, entry)
    this.counts.recorded++
  }

  /** Current counts. */
  stats(): ToolStats {
    return { ...this.counts, unused: this.unused() }
  }
}
