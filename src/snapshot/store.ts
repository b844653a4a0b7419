import { existsSync, readFileSync, rmSync } from 'node:fs'
import { canonicalJson } from '../internal/json/canonical.js'
import { writeFileAtomic } from '../internal/fs/atomic-write.js'
import { parseSnapshot } from './parse.js'
import { mayWriteBlock } from './policy.js'
import { SNAPSHOT_VERSION, type BlockSnapshot, type SnapshotFileData, type UpdateMode } from './types.js'

/** What `SnapshotStore.set` did. */
export type SetOutcome = 'written' | 'unchanged' | 'skipped'

/** Content of a block without its date, for "did it change" checks. */
function contentKey(block: BlockSnapshot): string {
  return canonicalJson({ ...block, provenance: { ...block.provenance, date: '' } })
}

/**
 * The program snapshot of one test file, held in memory by the worker that runs the file (all
 * blocks of a file run there, so there are no races). Writes follow Vitest's update policy and go
 * to disk atomically with sorted keys.
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
  private dirty = false

  private constructor(file: string, update: UpdateMode, data: SnapshotFileData | undefined) {
    this.file = file
    this.update = update
    this.existed = data !== undefined
    this.data = data ?? { version: SNAPSHOT_VERSION, blocks: {} }
  }

  /** Reads `file` (missing → empty store); corrupt or unknown-version files throw SimbaError. */
  static load(file: string, update: UpdateMode): SnapshotStore {
    if (!existsSync(file)) return new SnapshotStore(file, update, undefined)
    return new SnapshotStore(file, update, parseSnapshot(readFileSync(file, 'utf8'), file))
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
    for (const n of gone) delete this.data.blocks[n]
    if (gone.length > 0) this.dirty = true
    return gone
  }

  /** Writes the file when something changed (an emptied file is deleted). Returns whether it wrote. */
  flush(): boolean {
    if (!this.dirty || this.update === 'none') return false
    this.dirty = false
    if (Object.keys(this.data.blocks).length === 0) {
      rmSync(this.file, { force: true })
      return true
    }
    writeFileAtomic(this.file, serializeSnapshot(this.data))
    return true
  }
}

/** The file text: canonical JSON, indent 2, trailing newline. */
export function serializeSnapshot(data: SnapshotFileData): string {
  return `${canonicalJson({ ...data, version: SNAPSHOT_VERSION }, 2)}\n`
}
