/** Program snapshot files: `__snapshots__/<test file>.simba.json`. */
export { snapshotPathFor } from './path.js'
export { parseSnapshot } from './parse.js'
export { mayWriteBlock, toUpdateMode } from './policy.js'
export { SnapshotStore, serializeSnapshot, type SetOutcome } from './store.js'
export { diffLines, type DiffLine } from './line-diff.js'
export { formatProgramDiff, type ScoreComparison } from './program-diff.js'
export { SNAPSHOT_VERSION } from './types.js'
export type { Baseline, BlockSnapshot, Provenance, SnapshotFileData, SplitScores, UpdateMode } from './types.js'
