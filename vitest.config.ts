import { defineConfig } from 'vitest/config'
import { SlowFirstSequencer } from './test/helpers/slow-first.js'

/**
 * Folders of in-process unit tests that mock no module, stub no global and patch no fetch (or undo
 * it in the same test), so running them in one another's workers cannot change a verdict. Files
 * that do (vi.mock, msw) stay in the isolated 'unit' project: draw-order mocks the PRNG modules,
 * lm-msw starts an msw server. A new file of these folders that needs isolation is named here.
 */
const SHARED_MODULES = [
  'test/core/**/!(lm-msw).test.ts',
  'test/internal/**/*.test.ts',
  'test/optimizer/**/!(draw-order).test.ts',
  'test/report/**/*.test.ts',
  'test/snapshot/**/*.test.ts',
  'test/testing/**/*.test.ts',
  'test/vitest/**/*.test.ts',
]

export default defineConfig({
  test: {
    // Vitest's default on a 2-core machine is one file at a time; most of our slow files wait on
    // spawned Vitest runs and simulated LM latency, so two files at once finish sooner.
    maxWorkers: 2,
    // The longest files first: a fresh clone has no cached durations, and Vitest would then run
    // them by file size, leaving a short file that spawns a whole optimization for the end.
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          // The report's browser test needs Chromium and runs apart: `npm run test:browser`.
          exclude: ['**/node_modules/**', 'fixtures/**', 'dist/**', 'test/browser/**', ...SHARED_MODULES],
          // Hang guards only, never a speed budget: a test's verdict must not depend on how busy the
          // machine is (tests that spawn Vitest take minutes on a loaded 2-core machine). No test
          // sets a shorter timeout of its own (test/meta/suite-timing.test.ts checks).
          testTimeout: 900_000,
          hookTimeout: 900_000,
          // Type-level tests (expectTypeOf) live in *.test-d.ts and fail the run on a type error.
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        test: {
          // In-process unit tests that leave no global state behind: files share a worker's loaded
          // modules instead of importing src/, zod and the SDK again per file (half the CPU time).
          name: 'shared-modules',
          include: SHARED_MODULES,
          isolate: false,
          testTimeout: 900_000,
          hookTimeout: 900_000,
        },
      },
      // The bundled example runs with the vitest-simba plugin, replaying its recorded LM traffic.
      'examples/support-tickets/vitest.config.ts',
      // The bundled agent example (a ReAct agent with two tools), replayed the same way.
      'examples/order-desk/vitest.config.ts',
    ],
  },
})
