/**
 * Worker-wide state shared by the setup file and `describe.optimize`, kept on `globalThis` so it
 * survives module re-evaluation between test files and duplicate copies of this package.
 */
import type { FixtureRecorder } from '../../recording/recorder.js'
import { snapshotPathFor } from '../../snapshot/path.js'
import { SnapshotStore } from '../../snapshot/store.js'
import type { UpdateMode } from '../../snapshot/types.js'

interface Registry {
  recorder: FixtureRecorder | undefined
  stores: Map<string, SnapshotStore>
  /** Block names defined while collecting the current test file. */
  defined: string[]
}

const KEY = Symbol.for('vitest-simba.runtime-registry')

/** The worker's registry (created on first use). */
export function registry(): Registry {
  const g = globalThis as Record<symbol, Registry | undefined>
  let r = g[KEY]
  if (!r) {
    r = { recorder: undefined, stores: new Map(), defined: [] }
    g[KEY] = r
  }
  return r
}

/** The snapshot store of a test file, loaded on first use (corrupt files throw here). */
export function storeFor(testFile: string, update: UpdateMode): SnapshotStore {
  const file = snapshotPathFor(testFile)
  const r = registry()
  let s = r.stores.get(file)
  if (!s) {
    s = SnapshotStore.load(file, update)
    r.stores.set(file, s)
  }
  return s
}

/** Forgets a test file's store (after its final flush). */
export function dropStore(testFile: string): void {
  registry().stores.delete(snapshotPathFor(testFile))
}
