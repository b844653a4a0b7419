/**
 * Mutation-testing groups: each group mutates a few source files and runs only the unit tests
 * that exercise them, so one Stryker run stays small. `npm run mutation` runs every group,
 * `npm run mutation:fast` only the gate and secrets groups (see docs/testing.md).
 */
export const groups = {
  /**
   * Case status and the mean gate of describe.optimize: verdicts (compare.ts), case identity
   * (cases.ts), outcomes, gating split and stored baseline (scores.ts). Not mutated: run-block.ts,
   * optimize.ts and setup.ts only wire these into a real Vitest run (snapshot store, recorder,
   * Vitest hooks) and are covered by the end-to-end tests, too slow to rerun per mutant.
   */
  gate: {
    mutate: ['src/vitest/runtime/compare.ts', 'src/vitest/runtime/cases.ts', 'src/vitest/runtime/scores.ts'],
    tests: ['test/vitest/runtime.test.ts', 'test/vitest/runtime/**/*.test.ts'],
  },
  /** Fixture keys and secret detection/masking of the recorder. */
  secrets: {
    mutate: ['src/recording/key.ts', 'src/recording/secrets.ts', 'src/internal/secrets/secrets.ts', 'src/recording/sse.ts', 'src/recording/record.ts'],
    tests: [
      'test/recording/key.test.ts',
      'test/recording/secrets.test.ts',
      'test/recording/multipart.test.ts',
      'test/recording/stream-validation.test.ts',
      'test/recording/secret-shapes.test.ts',
    ],
  },
  /** Program snapshot files: parse, store, CI policy. */
  snapshot: {
    mutate: ['src/snapshot/parse.ts', 'src/snapshot/store.ts', 'src/snapshot/policy.ts', 'src/snapshot/source.ts'],
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
 * Surviving mutants judged equivalent (no input can tell them from the original), each with its
 * reason. Stryker has no config-level way to skip a mutant, so they still show as survived (or no
 * coverage) in Stryker's own report; `stryker/run.mjs` counts them apart. A mutant matches on
 * file, line (1-based), the original code it replaced and the replacement text.
 */
export const equivalent = [
  // compare.ts gateMessage: `args.threshold !== undefined && args.mean < args.threshold - EPS` (and the baseline twin)
  { file: 'src/vitest/runtime/compare.ts', line: 44, original: 'args.threshold !== undefined', replacement: 'true', reason: 'undefined − EPS is NaN and mean < NaN is false, so the guard never changes the outcome' },
  { file: 'src/vitest/runtime/compare.ts', line: 45, original: 'args.baseline !== undefined', replacement: 'true', reason: 'undefined − tolerance − EPS is NaN and mean < NaN is false' },
  // sampling.ts topKPlusBaseline: `if (top.length > 0 && !top.includes(0)) top[top.length - 1] = 0`
  { file: 'src/optimizer/simba/sampling.ts', line: 19, original: 'top.length > 0', replacement: 'true', reason: 'on an empty list top[-1] = 0 sets a non-index property that [...new Set(top)] never reads' },
  { file: 'src/optimizer/simba/sampling.ts', line: 19, original: 'top.length > 0', replacement: 'top.length >= 0', reason: 'same: length 0 only adds the ignored top[-1]' },
  // sampling.ts softmaxWeights
  { file: 'src/optimizer/simba/sampling.ts', line: 25, original: 'scores.length === 0', replacement: 'false', reason: 'without the early return, no scores reach the uniform fallback, which maps [] to [] too' },
  { file: 'src/optimizer/simba/sampling.ts', line: 26, original: 's > 0', replacement: 's >= 0', reason: 'only non-finite scores reach it (±Infinity, NaN), and none of them is 0' },
  { file: 'src/optimizer/simba/sampling.ts', line: 28, original: 'temperature > 0', replacement: 'temperature >= 0', reason: 'τ = 0 gives (s − max)/0: -Infinity (weight 0) below the max and NaN (weight 1) at it, the same greedy weights as τ = MIN_VALUE' },
  { file: 'src/optimizer/simba/sampling.ts', line: 34, original: '!(total > 0) || !Number.isFinite(total)', replacement: 'false', reason: 'unreachable fallback: the best score weighs exp(0) = 1 and every weight is in [0, 1], so 1 ≤ total ≤ n' },
  { file: 'src/optimizer/simba/sampling.ts', line: 34, original: '!(total > 0) || !Number.isFinite(total)', replacement: '!(total > 0) && !Number.isFinite(total)', reason: 'unreachable fallback (1 ≤ total ≤ n)' },
  { file: 'src/optimizer/simba/sampling.ts', line: 34, original: 'total > 0', replacement: 'true', reason: 'unreachable fallback (1 ≤ total ≤ n)' },
  { file: 'src/optimizer/simba/sampling.ts', line: 34, original: 'total > 0', replacement: 'total >= 0', reason: 'unreachable fallback (1 ≤ total ≤ n)' },
  { file: 'src/optimizer/simba/sampling.ts', line: 34, original: '() => 1 / scores.length', replacement: '() => undefined', reason: 'unreachable fallback (1 ≤ total ≤ n)' },
  { file: 'src/optimizer/simba/sampling.ts', line: 34, original: '1 / scores.length', replacement: '1 * scores.length', reason: 'unreachable fallback (1 ≤ total ≤ n)' },
  // demo-drop.ts withoutPositions: `if (positions.length === 0) return [...demos]`
  { file: 'src/optimizer/simba/demo-drop.ts', line: 25, original: 'positions.length === 0', replacement: 'false', reason: 'the general path with no positions filters nothing and also returns a copy' },
  // key.ts normalizeMultipart: `/…/i.exec(contentType ?? '')`
  { file: 'src/recording/key.ts', line: 25, original: "''", replacement: '"Stryker was here!"', reason: 'the stand-in for a missing content type only has to not match the multipart pattern; both strings do not' },
]
