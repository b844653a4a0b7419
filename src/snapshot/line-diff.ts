/**
 * Line diff of instructions, on Vitest's own diff utilities (`@vitest/utils/diff`, the Myers
 * algorithm Vitest uses for its assertion diffs), so reviewers see the same kind of diff as in a
 * failing `expect`, in O((N+M)·D) time instead of a hand-written quadratic table.
 */
import { DIFF_DELETE, DIFF_INSERT, diffLinesRaw } from '@vitest/utils/diff'

/** One line of a diff: kept (` `), removed (`-`) or added (`+`). */
export interface DiffLine {
  /** `' '`, `'-'` or `'+'`. */
  op: ' ' | '-' | '+'
  /** The line text. */
  text: string
}

/** Line diff of two texts: the kept lines are a longest common subsequence of both sides' lines. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before === '' ? [] : before.split('\n')
  const b = after === '' ? [] : after.split('\n')
  const [diffs] = diffLinesRaw(a, b)
  return diffs.map((d) => ({ op: d[0] === DIFF_DELETE ? '-' : d[0] === DIFF_INSERT ? '+' : ' ', text: d[1] }))
}
