import { readFileSync } from 'node:fs'

/**
 * `file` from the first line holding `marker` to its end, as a Stryker mutation range; the whole
 * file when the marker is gone (found by content, so the range follows edits above it).
 */
function fromLineOf(file, marker) {
  const lines = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8').split('\n')
  const at = lines.findIndex((l) => l.includes(marker))
  const end = lines.at(-1) === '' ? lines.length - 1 : lines.length
  return at < 0 ? file : `${file}:${at + 1}-${end}`
}

/**
 * Mutation-testing groups: each group mutates a few source files and runs only the unit tests
 * that exercise them, so one Stryker run stays small. `npm run mutation` runs every group,
 * `npm run mutation:fast` only the gate and secrets groups (see docs/testing.md). A group with a
 * `bar` fails `stryker/run.mjs` when one of its files scores below that percentage.
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
    tests: ['test/vitest/runtime.test.ts', 'test/vitest/runtime/**/*.test.ts', 'test/vitest/trials.test.ts', 'test/core/evaluate/stats.test.ts'],
    bar: 90,
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
  /** SIMBA's program sampling, buckets, demo dropping and final selection (with the race). */
  simba: {
    mutate: ['src/optimizer/simba/sampling.ts', 'src/optimizer/simba/buckets.ts', 'src/optimizer/simba/select.ts', 'src/optimizer/simba/demo-drop.ts', 'src/optimizer/simba/final.ts'],
    tests: ['test/optimizer/**/*.test.ts'],
    bar: 90,
  },
  /**
   * Improved mode: the merged candidate (step.ts from its `mergeAdvice` branch to the end: merge,
   * memory, consolidation hand-off, failed cases, demo choice, thinned warm demos), advice memory,
   * consolidation, the reflective start and the warm start.
   */
  improved: {
    mutate: [fromLineOf('src/optimizer/simba/step.ts', 'if (run.o.mergeAdvice)'), 'src/optimizer/simba/memory.ts', 'src/optimizer/simba/strategies/consolidate.ts', 'src/optimizer/simba/sweep.ts', 'src/optimizer/simba/warm-start.ts'],
    tests: ['test/optimizer/**/*.test.ts'],
    bar: 90,
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
 * coverage) in Stryker's own report; `stryker/run.mjs` counts them apart. A mutant matches by
 * content, not position: its file, `code` (the source line where it starts, trimmed, runs of
 * whitespace as one space), `original` (the exact code it replaced) and `replacement`. Moving the
 * line keeps the match; editing it breaks it, and `stryker/run.mjs` then fails naming the entry
 * (an entry that matches no mutant of a file it mutated, or matches one that a test killed), so
 * the list cannot go stale unnoticed.
 */
export const equivalent = [
  // compare.ts gateMessage: `args.threshold !== undefined && args.mean < args.threshold - EPS` (and the baseline twin)
  { file: 'src/vitest/runtime/compare.ts', code: 'if (args.threshold !== undefined && args.mean < args.threshold - EPS) problems.push(`mean ${m} on ${args.split} is below the threshold ${args.threshold}`)', original: 'args.threshold !== undefined', replacement: 'true', reason: 'undefined − EPS is NaN and mean < NaN is false, so the guard never changes the outcome' },
  { file: 'src/vitest/runtime/compare.ts', code: 'if (args.baseline !== undefined && args.mean < args.baseline - args.tolerance - EPS) {', original: 'args.baseline !== undefined', replacement: 'true', reason: 'undefined − tolerance − EPS is NaN and mean < NaN is false' },
  { file: 'src/vitest/runtime/compare.ts', code: 'if (args.threshold !== undefined && args.mean < args.threshold - EPS) problems.push(`mean ${m} on ${args.split} is below the threshold ${args.threshold}`)', original: 'args.threshold !== undefined', replacement: 'true', reason: 'trialGateMessage, same as gateMessage: undefined − EPS is NaN and mean < NaN is false' },
  // sampling.ts topKPlusBaseline: `if (top.length > 0 && !top.includes(0)) top[top.length - 1] = 0`
  { file: 'src/optimizer/simba/sampling.ts', code: 'if (top.length > 0 && !top.includes(0)) top[top.length - 1] = 0', original: 'top.length > 0', replacement: 'true', reason: 'on an empty list top[-1] = 0 sets a non-index property that [...new Set(top)] never reads' },
  { file: 'src/optimizer/simba/sampling.ts', code: 'if (top.length > 0 && !top.includes(0)) top[top.length - 1] = 0', original: 'top.length > 0', replacement: 'top.length >= 0', reason: 'same: length 0 only adds the ignored top[-1]' },
  // sampling.ts softmaxWeights
  { file: 'src/optimizer/simba/sampling.ts', code: 'if (scores.length === 0) return []', original: 'scores.length === 0', replacement: 'false', reason: 'without the early return, no scores reach the uniform fallback, which maps [] to [] too' },
  { file: 'src/optimizer/simba/sampling.ts', code: 'const finite = scores.map((s) => (Number.isFinite(s) ? s : s > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE))', original: 's > 0', replacement: 's >= 0', reason: 'only non-finite scores reach it (±Infinity, NaN), and none of them is 0' },
  { file: 'src/optimizer/simba/sampling.ts', code: 'if (!(total > 0) || !Number.isFinite(total)) return scores.map(() => 1 / scores.length)', original: '!(total > 0) || !Number.isFinite(total)', replacement: 'false', reason: 'unreachable fallback: the best score weighs exp(0) = 1 and every weight is in [0, 1], so 1 ≤ total ≤ n' },
  { file: 'src/optimizer/simba/sampling.ts', code: 'if (!(total > 0) || !Number.isFinite(total)) return scores.map(() => 1 / scores.length)', original: '!(total > 0) || !Number.isFinite(total)', replacement: '!(total > 0) && !Number.isFinite(total)', reason: 'unreachable fallback (1 ≤ total ≤ n)' },
  { file: 'src/optimizer/simba/sampling.ts', code: 'if (!(total > 0) || !Number.isFinite(total)) return scores.map(() => 1 / scores.length)', original: 'total > 0', replacement: 'true', reason: 'unreachable fallback (1 ≤ total ≤ n)' },
  { file: 'src/optimizer/simba/sampling.ts', code: 'if (!(total > 0) || !Number.isFinite(total)) return scores.map(() => 1 / scores.length)', original: 'total > 0', replacement: 'total >= 0', reason: 'unreachable fallback (1 ≤ total ≤ n)' },
  { file: 'src/optimizer/simba/sampling.ts', code: 'if (!(total > 0) || !Number.isFinite(total)) return scores.map(() => 1 / scores.length)', original: '() => 1 / scores.length', replacement: '() => undefined', reason: 'unreachable fallback (1 ≤ total ≤ n)' },
  { file: 'src/optimizer/simba/sampling.ts', code: 'if (!(total > 0) || !Number.isFinite(total)) return scores.map(() => 1 / scores.length)', original: '1 / scores.length', replacement: '1 * scores.length', reason: 'unreachable fallback (1 ≤ total ≤ n)' },
  // demo-drop.ts withoutPositions: `if (positions.length === 0) return [...demos]`
  { file: 'src/optimizer/simba/demo-drop.ts', code: 'if (positions.length === 0) return [...demos]', original: 'positions.length === 0', replacement: 'false', reason: 'the general path with no positions filters nothing and also returns a copy' },
  // select.ts bestIndices: `if (winnerCount < 2 || slots < 2) return [0]`
  { file: 'src/optimizer/simba/select.ts', code: 'if (winnerCount < 2 || slots < 2) return [0]', original: 'winnerCount < 2', replacement: 'false', reason: 'below 2 winners there is none besides the baseline (Array.from clamps a negative length to 0), so the general path gives [0] too' },
  // step.ts (merged candidate) and strategies/consolidate.ts (improved group)
  { file: 'src/optimizer/simba/step.ts', code: 'const others = built.filter((c, i) => i !== w && c.log.outcome === \'applied\' && (means[i] as number) >= log.rolloutMean)', original: 'i !== w', replacement: 'true', reason: 'the winner\'s additions over its own source are all in the winner already, so merging them adds nothing' },
  { file: 'src/optimizer/simba/step.ts', code: 'const others = built.filter((c, i) => i !== w && c.log.outcome === \'applied\' && (means[i] as number) >= log.rolloutMean)', original: 'c.log.outcome === \'applied\'', replacement: 'true', reason: 'a built candidate that is not applied is an unchanged copy of its source: it adds nothing' },
  { file: 'src/optimizer/simba/step.ts', code: 'if (run.o.carryAdvice) {', original: 'run.o.carryAdvice', replacement: 'true', reason: 'the memory is read only with carryAdvice, so remembering without it changes nothing' },
  { file: 'src/optimizer/simba/step.ts', code: 'if (demos.length <= max) return [...demos]', original: 'demos.length <= max', replacement: 'false', reason: 'with at most max demos the selection keeps every index, the same copy' },
  { file: 'src/optimizer/simba/step.ts', code: 'if (demos.length <= max) return [...demos]', original: 'demos.length <= max', replacement: 'demos.length < max', reason: 'same: at exactly max demos the selection keeps them all' },
  { file: 'src/optimizer/simba/step.ts', code: 'for (let i = demos.length - 1; i >= 0 && chosen.size < max; i--) chosen.add(i)', original: 'i >= 0', replacement: 'true', reason: 'more demos than max (else returned above): max is reached before the index goes below 0' },
  { file: 'src/optimizer/simba/step.ts', code: 'for (let i = demos.length - 1; i >= 0 && chosen.size < max; i--) chosen.add(i)', original: 'i >= 0', replacement: 'i > 0', reason: 'same: indices 1..n−1 (n > max) already fill max slots' },
  { file: 'src/optimizer/simba/step.ts', code: 'const sources = [...added, ...(remembered ? [remembered] : [])]', original: '[]', replacement: '["Stryker was here"]', reason: 'a string source yields one-character entries whose names match no predictor, so it is skipped' },
  { file: 'src/optimizer/simba/step.ts', code: 'if (!into) continue', original: '!into', replacement: 'false', reason: 'unreachable: candidates are copies of pool programs, which all have the predictors of the winner' },
  { file: 'src/optimizer/simba/step.ts', code: 'if (maxDemos > 0 && own.length > maxDemos) {', original: 'own.length > maxDemos', replacement: 'own.length >= maxDemos', reason: 'keepDemos keeps all of exactly maxDemos demos, so every demo stays' },
  { file: 'src/optimizer/simba/strategies/consolidate.ts', code: 'const rules = String(run.result?.consolidated_advice ?? \'\')', original: '\'\'', replacement: '"Stryker was here!"', reason: 'a call without error always has a parsed result with the output field (a reply without it is an error)' },
  { file: 'src/optimizer/simba/strategies/consolidate.ts', code: 'const rules = String(run.result?.consolidated_advice ?? \'\')', original: 'run.result?.consolidated_advice', replacement: 'run.result.consolidated_advice', reason: 'same: without an error the result is always there' },
  // step.ts thinning and failed cases, final.ts race, sweep.ts (reflective start), warm-start.ts (improved and simba groups)
  { file: 'src/optimizer/simba/step.ts', code: 'const others = built.filter((c, i) => i !== w && c.log.outcome === \'applied\' && (means[i] as number) >= log.rolloutMean)', original: 'i !== w && c.log.outcome === \'applied\'', replacement: 'true', reason: 'neither the winner (its additions are in it already) nor an unapplied candidate (an unchanged copy of its source) adds anything to the merge' },
  { file: 'src/optimizer/simba/step.ts', code: 'const others = built.filter((c, i) => i !== w && c.log.outcome === \'applied\' && (means[i] as number) >= log.rolloutMean)', original: 'i !== w && c.log.outcome === \'applied\'', replacement: 'i !== w || c.log.outcome === \'applied\'', reason: 'same: the winner and unapplied candidates add nothing to the merge' },
  { file: 'src/optimizer/simba/step.ts', code: 'let merged = mergeAdditions(winner.program, added, run.o.maxDemos, run.o.carryAdvice ? run.memory.all() : undefined, run.warmDemos.size > 0 ? run.isWarmDemo : undefined)', original: 'run.warmDemos.size > 0', replacement: 'true', reason: 'without warm demos isWarmDemo is false for every demo, the same as passing none' },
  { file: 'src/optimizer/simba/step.ts', code: 'let merged = mergeAdditions(winner.program, added, run.o.maxDemos, run.o.carryAdvice ? run.memory.all() : undefined, run.warmDemos.size > 0 ? run.isWarmDemo : undefined)', original: 'run.warmDemos.size > 0', replacement: 'run.warmDemos.size >= 0', reason: 'same: with no warm demos isWarmDemo is false for every demo' },
  { file: 'src/optimizer/simba/step.ts', code: 'if (!run.o.thinDemos || run.warmDemos.size === 0 || run.thinRejected) return { log, winner }', original: 'run.warmDemos.size === 0', replacement: 'false', reason: 'without warm demos isWarmDemo is false for every demo, so thinWarmDemos changes nothing and the copy is undefined' },
  { file: 'src/optimizer/simba/step.ts', code: 'if (maxDemos > 0 && own.length > maxDemos) {', original: 'own.length > maxDemos', replacement: 'true', reason: 'keepDemos returns every demo when there are at most maxDemos, so the filter keeps them all' },
  { file: 'src/optimizer/simba/step.ts', code: '.sort((a, b) => a.r.score - b.r.score || a.i - b.i)', original: 'a.i - b.i', replacement: 'a.i + b.i', reason: 'the sort is stable and V8 compares a later run with an earlier one, where a.i − b.i and a.i + b.i are both positive' },
  { file: 'src/optimizer/simba/final.ts', code: 'const half = race !== undefined && unique.length > 2 && race >= 4 ? Math.floor(race / 2) : 0', original: 'race !== undefined', replacement: 'true', reason: 'undefined >= 4 is false, so the later test rejects a missing race anyway' },
  { file: 'src/optimizer/simba/final.ts', code: 'const keep = unique.map((_, u) => u).sort((a, b) => (firstMeans[b] as number) - (firstMeans[a] as number) || a - b).slice(0, 2)', original: 'a - b', replacement: 'a + b', reason: 'the sort is stable and V8 compares a later finalist with an earlier one, where a − b and a + b are both positive' },
  { file: 'src/optimizer/simba/sweep.ts', code: 'const log: ReflectiveStartLog = { sourceId, examples: order.map((i) => trainset[i]?.id ?? i), sourceScore: mean(runs.map((r) => r.score)), failed: failed.length, calls: 0 }', original: 'trainset[i]?.id', replacement: 'trainset[i].id', reason: 'i is an index drawn from the trainset, so the example is always there' },
  { file: 'src/optimizer/simba/sweep.ts', code: 'for (let at = 0; at < passed.length && log.lost === 0; at += o.bsize) {', original: 'at < passed.length', replacement: 'at <= passed.length', reason: 'the extra pass has an empty slice: it evaluates nothing and recounts the same losses' },
  { file: 'src/optimizer/simba/sweep.ts', code: 'const ruled: RunRecord[] = []', original: '[]', replacement: '["Stryker was here"]', reason: 'every index is assigned below (the passed and the other cases cover all runs), so the stand-in at 0 is overwritten' },
  { file: 'src/optimizer/simba/warm-start.ts', code: 'if (k <= 0 || trainset.length === 0) return undefined', original: 'k <= 0 || trainset.length === 0', replacement: 'false', reason: 'labeledDemoOrder picks nothing when k ≤ 0 or the trainset is empty, so no predictor gets a demo and warmStart returns undefined anyway' },
  { file: 'src/optimizer/simba/warm-start.ts', code: 'if (k <= 0 || trainset.length === 0) return undefined', original: 'k <= 0 || trainset.length === 0', replacement: 'k <= 0 && trainset.length === 0', reason: 'labeledDemoOrder picks nothing when k ≤ 0 or the trainset is empty, so no predictor gets a demo and warmStart returns undefined anyway' },
  { file: 'src/optimizer/simba/warm-start.ts', code: 'if (k <= 0 || trainset.length === 0) return undefined', original: 'k <= 0', replacement: 'false', reason: 'labeledDemoOrder picks nothing when k ≤ 0 or the trainset is empty, so no predictor gets a demo and warmStart returns undefined anyway' },
  { file: 'src/optimizer/simba/warm-start.ts', code: 'if (k <= 0 || trainset.length === 0) return undefined', original: 'k <= 0', replacement: 'k < 0', reason: 'labeledDemoOrder picks nothing when k ≤ 0 or the trainset is empty, so no predictor gets a demo and warmStart returns undefined anyway' },
  { file: 'src/optimizer/simba/warm-start.ts', code: 'if (k <= 0 || trainset.length === 0) return undefined', original: 'trainset.length === 0', replacement: 'false', reason: 'labeledDemoOrder picks nothing when k ≤ 0 or the trainset is empty, so no predictor gets a demo and warmStart returns undefined anyway' },
  // parse.ts: zod's safeParse failure always carries at least one issue
  { file: 'src/snapshot/parse.ts', code: 'const where = issue ? issue.path.join(\'.\') : \'\'', original: "''", replacement: '"Stryker was here!"', reason: 'unreachable: a failed safeParse always has a first issue' },
  { file: 'src/snapshot/parse.ts', code: 'throw new SimbaError(\'SIMBA_SNAPSHOT_CORRUPT\', `program snapshot ${file} is malformed at "${where}": ${issue?.message ?? \'invalid\'}. ${FIX}`)', original: "'invalid'", replacement: '""', reason: 'unreachable: a failed safeParse always has a first issue with a message' },
  { file: 'src/snapshot/parse.ts', code: 'throw new SimbaError(\'SIMBA_SNAPSHOT_CORRUPT\', `program snapshot ${file} is malformed at "${where}": ${issue?.message ?? \'invalid\'}. ${FIX}`)', original: 'issue?.message', replacement: 'issue.message', reason: 'a failed safeParse always has a first issue, so the optional chain never short-circuits' },
  { file: 'src/snapshot/parse.ts', code: 'if (typeof version !== \'number\' || !Number.isInteger(version)) {', original: "typeof version !== 'number'", replacement: 'false', reason: 'Number.isInteger is false for every non-number, so the typeof test never decides' },
  { file: 'src/snapshot/parse.ts', code: 'if (version > SNAPSHOT_VERSION || (version < SNAPSHOT_VERSION && MIGRATIONS[version] === undefined)) {', original: 'version > SNAPSHOT_VERSION', replacement: 'version >= SNAPSHOT_VERSION', reason: 'inside the version error the version differs from SNAPSHOT_VERSION, so > and >= agree' },
  // source.ts splitLines
  { file: 'src/snapshot/source.ts', code: 'for (let i = 0; i < text.length; i++) {', original: 'i < text.length', replacement: 'i <= text.length', reason: 'text[length] is undefined: neither a newline nor a sentence end, so the extra step does nothing' },
  { file: 'src/snapshot/source.ts', code: 'if (j < text.length && text[j] !== \'\\n\') {', original: 'j < text.length', replacement: 'true', reason: 'at the end of the text, cutting after the trailing spaces or leaving the rest to the final push gives the same parts' },
  { file: 'src/snapshot/source.ts', code: 'if (j < text.length && text[j] !== \'\\n\') {', original: 'j < text.length', replacement: 'j <= text.length', reason: 'same: j never exceeds the length, and at the length both branches give the same parts' },
  // store.ts
  { file: 'src/snapshot/store.ts', code: 'return canonicalJson({ ...rest, provenance: { ...block.provenance, date: \'\' } })', original: "''", replacement: '"Stryker was here!"', reason: 'the date stand-in only has to be the same constant on both sides of the comparison' },
  { file: 'src/snapshot/store.ts', code: 'if (!this.dirty || this.update === \'none\') return false', original: "this.update === 'none'", replacement: 'false', reason: 'under none, set() never writes and prune() never removes, so the store is never dirty' },
  { file: 'src/snapshot/store.ts', code: 'if (!this.dirty || this.update === \'none\') return false', original: "'none'", replacement: '""', reason: 'same: a store loaded with none is never dirty' },
  // sse.ts
  { file: 'src/recording/sse.ts', code: 'return (contentType ?? \'\').toLowerCase().includes(\'text/event-stream\')', original: "''", replacement: '"Stryker was here!"', reason: 'the stand-in for a missing content type only has to not be an event stream' },
  { file: 'src/recording/sse.ts', code: 'return /(^|\\/|\\+)json\\b/i.test(contentType ?? \'\')', original: "''", replacement: '"Stryker was here!"', reason: 'the stand-in for a missing content type only has to not be a JSON type' },
  { file: 'src/recording/sse.ts', code: '} catch {', original: '{\n    lastType = undefined\n  }', replacement: '{}', reason: 'unreachable: every data payload was parsed as JSON above (or was [DONE], which returned)' },
  { file: 'src/recording/sse.ts', code: 'lastType = (JSON.parse(eventData(events[events.length - 1] as string) ?? \'null\') as { type?: unknown } | null)?.type', original: "(JSON.parse(eventData(events[events.length - 1] as string) ?? 'null') as { type?: unknown } | null)?.type", replacement: "(JSON.parse(eventData(events[events.length - 1] as string) ?? 'null') as {\n  type?: unknown;\n} | null).type", reason: 'null.type throws inside the try, whose catch sets the same undefined' },
  // internal/secrets/secrets.ts
  { file: 'src/internal/secrets/secrets.ts', code: 'const v = value.replace(/^Bearer\\s+/i, \'\').trim()', original: '/^Bearer\\s+/i', replacement: '/^Bearer\\s/i', reason: 'the value is trimmed after the scheme is removed, so one or all of the spaces makes no difference' },
  { file: 'src/internal/secrets/secrets.ts', code: 'if (hits.length === 0) return text', original: 'hits.length === 0', replacement: 'false', reason: 'with no hits the loop adds nothing and the text is returned whole anyway' },
  { file: 'src/internal/secrets/secrets.ts', code: 'for (let i = 0; i < value.length; i++) {', original: 'i < value.length', replacement: 'i <= value.length', reason: 'value[length] is undefined, which holds no secret' },
  // record.ts
  { file: 'src/recording/record.ts', code: '} catch {', original: '{\n    return undefined\n  }', replacement: '{}', reason: 'an empty catch falls off the function, which returns undefined too' },
  { file: 'src/recording/record.ts', code: 'for (const chunk of response.chunks ?? []) {', original: '[]', replacement: '["Stryker was here"]', reason: 'the stand-in for missing chunks only has to hold no "model" field' },
  // recording/secrets.ts credentialsOf
  { file: 'src/recording/secrets.ts', code: 'const v = value.replace(/^(Bearer|Basic|Token)\\s+/i, \'\').trim()', original: '/^(Bearer|Basic|Token)\\s+/i', replacement: '/^(Bearer|Basic|Token)\\s/i', reason: 'the value is trimmed after the scheme is removed, so one or all of the spaces makes no difference' },
  // key.ts normalizeMultipart: `/…/i.exec(contentType ?? '')`
  { file: 'src/recording/key.ts', code: 'const m = /^\\s*multipart\\/[^;]*;.*?\\bboundary=(?:"([^"]+)"|([^\\s;]+))/i.exec(contentType ?? \'\')', original: "''", replacement: '"Stryker was here!"', reason: 'the stand-in for a missing content type only has to not match the multipart pattern; both strings do not' },
]
