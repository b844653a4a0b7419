/**
 * Mutation-testing groups: each group mutates a few source files and runs only the unit tests
 * that exercise them, so one Stryker run stays small. `npm run mutation` runs every group,
 * `npm run mutation:fast` only the gate and secrets groups (see docs/testing.md).
 */
export const groups = {
  /** Case status and the mean gate of describe.optimize. */
  gate: {
    mutate: ['src/vitest/runtime/compare.ts', 'src/vitest/runtime/cases.ts', 'src/vitest/runtime/run-block.ts', 'src/vitest/runtime/setup.ts'],
    tests: ['test/vitest/runtime.test.ts', 'test/vitest/runtime/**/*.test.ts'],
  },
  /** Fixture keys and secret detection/masking of the recorder. */
  secrets: {
    mutate: ['src/recording/key.ts', 'src/recording/secrets.ts'],
    tests: ['test/recording/key.test.ts', 'test/recording/secrets.test.ts', 'test/recording/multipart.test.ts', 'test/recording/recorder-hygiene.test.ts'],
  },
  /** Program snapshot files: parse, store, CI policy. */
  snapshot: {
    mutate: ['src/snapshot/parse.ts', 'src/snapshot/store.ts', 'src/snapshot/policy.ts'],
    tests: ['test/snapshot/**/*.test.ts'],
  },
  /** SIMBA's program sampling, buckets, demo dropping and final selection. */
  simba: {
    mutate: ['src/optimizer/simba/sampling.ts', 'src/optimizer/simba/buckets.ts', 'src/optimizer/simba/select.ts', 'src/optimizer/simba/demo-drop.ts'],
    tests: ['test/optimizer/**/*.test.ts'],
  },
  /** Metric scoring and evaluation. */
  evaluate: {
    mutate: ['src/core/evaluate/**/*.ts'],
    tests: ['test/core/evaluate/**/*.test.ts'],
  },
}

/** Groups run by `npm run mutation:fast`. */
export const fastGroups = ['gate', 'secrets']

/**
 * Surviving mutants judged equivalent (no input can tell them from the original). Stryker has no
 * config-level way to skip a mutant, so they still show as survived in Stryker's own report;
 * `stryker/run.mjs` counts them apart. Match: file, line (1-based, of the mutant start), mutator,
 * and the replacement text.
 */
export const equivalent = [
  // { file: 'src/…', line: 1, mutator: 'EqualityOperator', replacement: 'a <= b', reason: '…' },
]
