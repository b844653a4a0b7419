/** The parts of a Vitest task tree this check reads. */
export interface TaskModeNode {
  /** `run`, `skip`, `only` or `todo` (after Vitest applied `-t`, `.only` and `.skip`). */
  mode: string
  /** Children of a suite. */
  tasks?: readonly TaskModeNode[]
}

/**
 * True when every test and suite under `suite` runs. When some were filtered out (`-t`, `.only`)
 * or skipped, re-record mode must keep their fixture entries instead of pruning them as unused.
 */
export function everyTestRuns(suite: TaskModeNode): boolean {
  for (const task of suite.tasks ?? []) {
    if (task.mode === 'skip' || task.mode === 'todo') return false
    if (!everyTestRuns(task)) return false
  }
  return true
}
