import { existsSync, readFileSync, rmSync } from 'node:fs'
import { canonicalJson } from '../internal/json/canonical.js'
import { dict } from '../internal/json/dict.js'
import { SimbaError } from '../errors.js'
import { sweepOrphanTemps, writeFileAtomic } from '../internal/fs/atomic-write.js'
import { sweepStaleLock, withFileLock } from '../internal/fs/lock.js'
import { parseSnapshot } from './parse.js'
import { splitLines } from './source.js'
import { mayWriteBlock } from './policy.js'
import { SNAPSHOT_VERSION, type BlockSnapshot, type SnapshotFileData, type UpdateMode } from './types.js'

/** What `SnapshotStore.set` did. */
export type SetOutcome = 'written' | 'unchanged' | 'skipped'

/** Content of a block without its date, for "did it change" checks. */
function contentKey(block: BlockSnapshot): string {
  // The migration marker is not content: a migrated block whose scores and names did not change
  // is not rewritten just for it.
  const { legacyCaseNames: _legacy, ...rest } = block
  return canonicalJson({ ...rest, provenance: { ...block.provenance, date: '' } })
}

/**
 * The program snapshot of one test file, held in memory by the worker that runs the file. Writes
 * follow Vitest's update policy and go to disk atomically with sorted keys. Another process may
 * write the same file meanwhile (two `-t` runs): the write then merges under a file lock, keeping
 * the other run's blocks, and fails loudly when both changed the same block.
 */
export class SnapshotStore {
  /** Snapshot file path. */
  readonly file: string
  /** Update policy of this run. */
  readonly update: UpdateMode
  /** Whether the file existed when loaded. */
  readonly existed: boolean
  private data: SnapshotFileData
  private readonly seen = new Set<string>()
  private readonly changed = new Set<string>()
  private readonly removed = new Set<string>()
  private loadedText: string | undefined
  private loadedKeys: Map<string, string>
  private dirty = false

  private constructor(file: string, update: UpdateMode, data: SnapshotFileData | undefined, text: string | undefined) {
    this.file = file
    this.update = update
    this.existed = data !== undefined
    this.data = data ?? { version: SNAPSHOT_VERSION, blocks: dict() }
    this.loadedText = text
    this.loadedKeys = keysOf(this.data)
  }

  /** Reads `file` (missing → empty store); corrupt or unknown-version files throw SimbaError. */
  static load(file: string, update: UpdateMode): SnapshotStore {
    if (update !== 'none') {
      // Leftovers of a writer killed mid-write (its temp file, its lock) go before anything else.
      sweepOrphanTemps(file)
      sweepStaleLock(file)
    }
    if (!existsSync(file)) return new SnapshotStore(file, update, undefined, undefined)
    const text = readFileSync(file, 'utf8')
    return new SnapshotStore(file, update, parseSnapshot(text, file), text)
  }

  /** Marks a block as defined in this run (so it is not obsolete). */
  markDefined(name: string): void {
    this.seen.add(name)
  }

  /** The stored block, if any. */
  get(name: string): BlockSnapshot | undefined {
    return Object.hasOwn(this.data.blocks, name) ? this.data.blocks[name] : undefined
  }

  /** Names of every stored block. */
  names(): string[] {
    return Object.keys(this.data.blocks).sort()
  }

  /** Whether the policy allows writing this block now. */
  mayWrite(name: string): boolean {
    return mayWriteBlock(this.update, this.get(name) !== undefined)
  }

  /**
   * Stores `block` when the policy allows it. When only the date would change the old block is
   * kept as is, so repeated runs leave the file byte-identical.
   */
  set(name: string, block: BlockSnapshot): SetOutcome {
    const old = this.get(name)
    if (old !== undefined && contentKey(old) === contentKey(block)) return 'unchanged'
    if (!this.mayWrite(name)) return 'skipped'
    this.data.blocks[name] = block
    this.changed.add(name)
    this.removed.delete(name)
    this.dirty = true
    return 'written'
  }

  /** Blocks in the file that no `describe.optimize` of this run defined. */
  obsolete(): string[] {
    return this.names().filter((n) => !this.seen.has(n))
  }

  /** Removes obsolete blocks (only under `-u`); returns their names. */
  prune(): string[] {
    if (this.update !== 'all') return []
    const gone = this.obsolete()
    for (const n of gone) {
      delete this.data.blocks[n]
      this.removed.add(n)
      this.changed.delete(n)
    }
    if (gone.length > 0) this.dirty = true
    return gone
  }

  /**
   * Writes the file when something changed (an emptied file is deleted). Returns whether it wrote.
   * Merges with a version another process wrote since this one was read (SIMBA_CONFLICT when both
   * changed the same block; a newer format version is refused, never overwritten).
   */
  flush(): boolean {
    if (!this.dirty || this.update === 'none') return false
    this.dirty = false
    return withFileLock(this.file, () => {
      const disk = existsSync(this.file) ? readFileSync(this.file, 'utf8') : undefined
      if (disk !== this.loadedText) this.mergeFrom(disk)
      if (Object.keys(this.data.blocks).length === 0) {
        rmSync(this.file, { force: true })
        this.loadedText = undefined
      } else {
        const text = serializeSnapshot(this.data)
        writeFileAtomic(this.file, text)
        this.loadedText = text
      }
      this.loadedKeys = keysOf(this.data)
      this.changed.clear()
      this.removed.clear()
      return true
    })
  }

  /** Rebuilds `data` as the disk version plus this run's changes; throws on a same-block conflict. */
  private mergeFrom(disk: string | undefined): void {
    const theirs = disk === undefined ? { version: SNAPSHOT_VERSION, blocks: dict<BlockSnapshot>() } : parseSnapshot(disk, this.file)
    const theirKeys = keysOf(theirs)
    const clash = [...this.changed, ...this.removed].filter((n) => theirKeys.get(n) !== this.loadedKeys.get(n))
    if (clash.length > 0) {
      this.dirty = true
      throw new SimbaError(
        'SIMBA_CONFLICT',
        `program snapshot ${this.file} was changed by another run while this one ran (block ${clash.map((n) => `"${n}"`).join(', ')}); ` +
          'nothing was written. Run the update again when the other run has finished.',
      )
    }
    const blocks = dict(Object.entries(theirs.blocks))
    for (const n of this.removed) delete blocks[n]
    for (const n of this.changed) blocks[n] = this.data.blocks[n] as BlockSnapshot
    this.data = { version: SNAPSHOT_VERSION, blocks }
  }
}

function keysOf(data: SnapshotFileData): Map<string, string> {
  return new Map(Object.entries(data.blocks).map(([n, b]) => [n, canonicalJson(b)]))
}

/** The file text: canonical JSON, indent 2, trailing newline; instructions as arrays of lines. */
export function serializeSnapshot(data: SnapshotFileData): string {
  const blocks = dict<unknown>()
  for (const [name, block] of Object.entries(data.blocks)) {
    const program = block.program
      ? Object.fromEntries(Object.entries(block.program).map(([p, s]) => [p, { ...s, instructions: splitLines(s.instructions) }]))
      : null
    blocks[name] = { ...block, program }
  }
  return `${canonicalJson({ version: SNAPSHOT_VERSION, blocks }, 2)}\n`
}
