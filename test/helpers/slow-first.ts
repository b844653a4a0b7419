/**
 * The suite's file order: the longest files start first, so that near the end both workers still
 * have short files to share instead of one core idling beside a long spawned-Vitest file.
 * Order only, never a verdict: every file runs the same way in any order.
 *
 * Vitest's own order puts files with a cached duration longest-first, but a fresh clone (CI) has no
 * cache and falls back to file size, which runs a short file that spawns a whole optimization last.
 */
import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/** Files that each take the longest (one spawned optimization or many spawned runs), longest first. */
export const LONGEST = [
  'test/e2e/readme-optimize.test.ts',
  'test/e2e/optimize.test.ts',
  'test/reliability/trust.test.ts',
  'test/e2e/ci-regression.test.ts',
  'test/reliability/load-faults.test.ts',
  'test/e2e/bad-snapshot.test.ts',
  'test/e2e/report.test.ts',
  'test/e2e/bad-metric.test.ts',
  'test/reliability/kill.test.ts',
  'test/testing/second-world.test.ts',
  'test/e2e/trials.test.ts',
  'test/e2e/lazy-deps.test.ts',
]

/** Folders whose files spawn processes (Vitest runs, the CLI): after LONGEST, before the rest. */
const SPAWNING = ['test/e2e/', 'test/reliability/', 'test/meta/']

/**
 * Vitest's order (cached durations, sizes), with the long and spawning files moved first. Files of
 * all projects share one pool (none sets its own sequence.groupOrder), so the order spans projects.
 */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files)
    const root = this.ctx.config.root
    const rank = (spec: TestSpecification): number => {
      const file = relative(root, spec.moduleId).split('\\').join('/')
      const i = LONGEST.indexOf(file)
      if (i >= 0) return i
      return SPAWNING.some((dir) => file.startsWith(dir)) ? LONGEST.length : LONGEST.length + 1
    }
    // Stable: files of equal rank keep Vitest's order.
    return [...base].sort((a, b) => rank(a) - rank(b))
  }
}
