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
      'test/recording/disguised-secrets.test.ts',
      'test/recording/query-secrets.test.ts',
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
  // parse.ts: zod's safeParse failure always carries at least one issue
  { file: 'src/snapshot/parse.ts', line: 93, original: "''", replacement: '"Stryker was here!"', reason: 'unreachable: a failed safeParse always has a first issue' },
  { file: 'src/snapshot/parse.ts', line: 94, original: "'invalid'", replacement: '""', reason: 'unreachable: a failed safeParse always has a first issue with a message' },
  { file: 'src/snapshot/parse.ts', line: 94, original: 'issue?.message', replacement: 'issue.message', reason: 'a failed safeParse always has a first issue, so the optional chain never short-circuits' },
  { file: 'src/snapshot/parse.ts', line: 77, original: "typeof version !== 'number'", replacement: 'false', reason: 'Number.isInteger is false for every non-number, so the typeof test never decides' },
  { file: 'src/snapshot/parse.ts', line: 84, original: 'version > SNAPSHOT_VERSION', replacement: 'version >= SNAPSHOT_VERSION', reason: 'inside the version error the version differs from SNAPSHOT_VERSION, so > and >= agree' },
  // source.ts splitLines
  { file: 'src/snapshot/source.ts', line: 45, original: 'i < text.length', replacement: 'i <= text.length', reason: 'text[length] is undefined: neither a newline nor a sentence end, so the extra step does nothing' },
  { file: 'src/snapshot/source.ts', line: 53, original: 'j < text.length', replacement: 'true', reason: 'at the end of the text, cutting after the trailing spaces or leaving the rest to the final push gives the same parts' },
  { file: 'src/snapshot/source.ts', line: 53, original: 'j < text.length', replacement: 'j <= text.length', reason: 'same: j never exceeds the length, and at the length both branches give the same parts' },
  // store.ts
  { file: 'src/snapshot/store.ts', line: 19, original: "''", replacement: '"Stryker was here!"', reason: 'the date stand-in only has to be the same constant on both sides of the comparison' },
  { file: 'src/snapshot/store.ts', line: 60, original: "'utf8'", replacement: '""', reason: 'the Buffer parses the same (JSON.parse stringifies it as UTF-8); the loaded text then never equals the disk text, so flush merges with an unchanged file, which reproduces its own data' },
  { file: 'src/snapshot/store.ts', line: 126, original: "'utf8'", replacement: '""', reason: 'same: a Buffer from disk always differs from the loaded text, and merging with an unchanged file reproduces this run\'s data' },
  { file: 'src/snapshot/store.ts', line: 127, original: 'disk !== this.loadedText', replacement: 'true', reason: 'merging with the file exactly as this run read it reproduces this run\'s own data' },
  { file: 'src/snapshot/store.ts', line: 123, original: "this.update === 'none'", replacement: 'false', reason: 'under none, set() never writes and prune() never removes, so the store is never dirty' },
  { file: 'src/snapshot/store.ts', line: 123, original: "'none'", replacement: '""', reason: 'same: a store loaded with none is never dirty' },
  // sse.ts
  { file: 'src/recording/sse.ts', line: 3, original: "''", replacement: '"Stryker was here!"', reason: 'the stand-in for a missing content type only has to not be an event stream' },
  { file: 'src/recording/sse.ts', line: 8, original: "''", replacement: '"Stryker was here!"', reason: 'the stand-in for a missing content type only has to not be a JSON type' },
  { file: 'src/recording/sse.ts', line: 78, original: '{\n    lastType = undefined\n  }', replacement: '{}', reason: 'unreachable: every data payload was parsed as JSON above (or was [DONE], which returned)' },
  { file: 'src/recording/sse.ts', line: 77, original: "(JSON.parse(eventData(events[events.length - 1] as string) ?? 'null') as { type?: unknown } | null)?.type", replacement: "(JSON.parse(eventData(events[events.length - 1] as string) ?? 'null') as {\n  type?: unknown;\n} | null).type", reason: 'null.type throws inside the try, whose catch sets the same undefined' },
  // internal/secrets/secrets.ts
  { file: 'src/internal/secrets/secrets.ts', line: 70, original: '/^Bearer\\s+/i', replacement: '/^Bearer\\s/i', reason: 'the value is trimmed after the scheme is removed, so one or all of the spaces makes no difference' },
  { file: 'src/internal/secrets/secrets.ts', line: 98, original: 'm[1] !== undefined', replacement: 'true', reason: 'without a group the secret is m[0], and m[0].lastIndexOf(m[0]) is 0, the same offset' },
  { file: 'src/internal/secrets/secrets.ts', line: 124, original: 'hits.length === 0', replacement: 'false', reason: 'with no hits the loop adds nothing and the text is returned whole anyway' },
  { file: 'src/internal/secrets/secrets.ts', line: 165, original: 'i < value.length', replacement: 'i <= value.length', reason: 'value[length] is undefined, which holds no secret' },
  { file: 'src/internal/secrets/secrets.ts', line: 171, original: "typeof value === 'object'", replacement: 'true', reason: 'only numbers, booleans and undefined reach it besides objects (null is excluded before), and they have no entries' },
  // record.ts
  { file: 'src/recording/record.ts', line: 28, original: 'real.status < 200', replacement: 'false', reason: 'fetch never resolves with a 1xx status: informational responses are not final' },
  { file: 'src/recording/record.ts', line: 62, original: '{\n    return undefined\n  }', replacement: '{}', reason: 'an empty catch falls off the function, which returns undefined too' },
  { file: 'src/recording/record.ts', line: 70, original: '[]', replacement: '["Stryker was here"]', reason: 'the stand-in for missing chunks only has to hold no "model" field' },
  // recording/secrets.ts credentialsOf: Headers strips leading and trailing whitespace from values
  { file: 'src/recording/secrets.ts', line: 61, original: "value.replace(/^(Bearer|Basic|Token)\\s+/i, '').trim()", replacement: "value.replace(/^(Bearer|Basic|Token)\\s+/i, '')", reason: 'Headers already strips surrounding whitespace, and \\s+ removes all of it after the scheme' },
  { file: 'src/recording/secrets.ts', line: 61, original: '/^(Bearer|Basic|Token)\\s+/i', replacement: '/^(Bearer|Basic|Token)\\s/i', reason: 'the value is trimmed after the scheme is removed, so one or all of the spaces makes no difference' },
  // cases.ts caseIdentity
  { file: 'src/vitest/runtime/cases.ts', line: 76, original: "typeof first === 'string'", replacement: 'true', reason: 'text is always a string, so text === first already fails for a non-string first input' },
  // key.ts normalizeMultipart: `/…/i.exec(contentType ?? '')`
  { file: 'src/recording/key.ts', line: 25, original: "''", replacement: '"Stryker was here!"', reason: 'the stand-in for a missing content type only has to not match the multipart pattern; both strings do not' },
]
