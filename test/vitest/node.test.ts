import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { splitArgs } from '../../src/vitest/node/args.js'
import { parsePluginOptions, pluginOptionsSchema } from '../../src/vitest/node/options.js'
import { buildProvided } from '../../src/vitest/node/provided.js'
import { redactRulesOf } from '../../src/vitest/runtime/redact.js'
import { formatFileNotes, formatScoreTable, formatSplitNotes } from '../../src/vitest/node/table.js'
import type { CaseStatus, SimbaBlockMeta, SimbaCaseMeta } from '../../src/vitest/shared.js'

describe('plugin options', () => {
  test('valid options pass; a wrong one names its path', () => {
    expect(parsePluginOptions({ hosts: ['http://127.0.0.1:1/v1'], fixtures: { mode: 'replay' } })).toMatchObject({ fixtures: { mode: 'replay' } })
    expect(() => parsePluginOptions({ fixtures: { mode: 'sometimes' } })).toThrow(/simba\(\) option "fixtures\.mode"/)
    expect(() => parsePluginOptions({ hots: [] })).toThrow(expect.objectContaining({ code: 'SIMBA_CONFIG', message: expect.stringContaining('hots') }))
    expect(() => parsePluginOptions({ hosts: ['not a url'] })).toThrow(/option "hosts\.0"/)
  })

  test('every input is accepted or refused exactly as the zod schema decides, with the same value (the common ones are checked without zod)', () => {
    const num = fc.oneof(fc.integer({ min: -3, max: 40 }), fc.double(), fc.constant(Number.NaN), fc.constant(Infinity), fc.constant(2 ** 60), fc.string({ maxLength: 2 }))
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })
    const rule = fc.record({ pattern: fc.oneof(fc.constant(/sk-\w+/g), fc.constant('sk-'), fc.constant(3)), replacement: fc.oneof(fc.string({ maxLength: 3 }), fc.constant(1)) }, { requiredKeys: [] })
    const fixtures = fc.record(
      {
        dir: fc.oneof(fc.string({ maxLength: 3 }), fc.constant(1)),
        mode: fc.constantFrom('auto', 'replay', 'record-missing', 're-record', 'off', 'sometimes', undefined),
        otherHosts: fc.constantFrom('error', 'bypass', 'block'),
        redact: fc.oneof(fc.array(rule, { maxLength: 2 }), fc.constant('x')),
        extra: fc.constant(1),
      },
      { requiredKeys: [] },
    )
    const optimize = fc.record(
      { seed: num, bsize: num, numCandidates: num, maxSteps: num, maxDemos: num, temperatureForSampling: num, temperatureForCandidates: num, steps: fc.constant(3) },
      { requiredKeys: [] },
    )
    const options = fc.oneof(
      fc.record(
        {
          hosts: fc.array(fc.constantFrom('http://127.0.0.1:1/v1', 'not a url', ' https://x.test/v1 '), { maxLength: 2 }),
          fixtures: fc.oneof(fixtures, fc.constant(null), fc.constant([])),
          concurrency: maybe(num),
          maxConcurrency: num,
          optimize: fc.oneof(optimize, fc.constant('fast')),
          hots: fc.constant([]),
        },
        { requiredKeys: [] },
      ),
      fc.constantFrom(undefined, null, 3, [], 'x'),
    )
    fc.assert(
      fc.property(options, (input) => {
        const reference = pluginOptionsSchema().safeParse(input ?? {})
        let got: unknown
        let threw: unknown
        try {
          got = parsePluginOptions(input)
        } catch (error) {
          threw = error
        }
        expect(threw === undefined, `input ${JSON.stringify(input)}`).toBe(reference.success)
        if (reference.success) expect(got).toEqual(reference.data)
      }),
      { numRuns: 500 },
    )
  })
})

describe('provided settings', () => {
  const base = { options: {}, root: '/p', viteMode: 'test', updateSnapshot: 'new', testNamePattern: undefined, filtered: false }
  test('optimize via env or vite mode; CI forces replay; -u with a key re-records', () => {
    expect(buildProvided({ ...base, env: {} })).toMatchObject({ optimize: false, update: 'new', fixtureMode: 'replay', ci: false, fixturesDir: 'fixtures' })
    expect(buildProvided({ ...base, env: { SIMBA_OPTIMIZE: '1' } }).optimize).toBe(true)
    expect(buildProvided({ ...base, viteMode: 'optimize', env: {} }).optimize).toBe(true)
    expect(buildProvided({ ...base, updateSnapshot: 'none', env: { CI: 'true', OPENAI_API_KEY: 'k' } })).toMatchObject({ ci: true, fixtureMode: 'replay', update: 'none' })
    expect(buildProvided({ ...base, updateSnapshot: 'all', env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } })).toMatchObject({ fixtureMode: 're-record', hosts: ['http://127.0.0.1:9/v1'] })
    expect(buildProvided({ ...base, updateSnapshot: 'new', env: { OPENAI_API_KEY: 'k' } }).fixtureMode).toBe('record-missing')
    expect(buildProvided({ ...base, testNamePattern: /x/, env: {} }).filtered).toBe(true)
  })
  test('SIMBA_REPORT (set by --report) becomes an absolute report folder under the root; none without it', () => {
    expect(buildProvided({ ...base, env: {} }).report).toBeNull()
    expect(buildProvided({ ...base, env: { SIMBA_REPORT: 'out' } }).report).toBe('/p/out')
    expect(buildProvided({ ...base, env: { SIMBA_REPORT: '/abs/r' } }).report).toBe('/abs/r')
  })
})

describe('fixture redaction through the plugin', () => {
  test('fixtures.redact (the fix a SIMBA_SECRET error names) is accepted, crosses to workers as JSON and comes back as RegExps', () => {
    const opts = parsePluginOptions({ fixtures: { redact: [{ pattern: /sk-[a-z]{20,}/gi, replacement: 'sk-REDACTED' }] } })
    const provided = buildProvided({ options: opts, root: '/p', viteMode: 'test', updateSnapshot: 'new', testNamePattern: undefined, filtered: false, env: {} })
    const crossed = JSON.parse(JSON.stringify(provided)) as typeof provided
    expect(crossed).toEqual(provided)
    const rules = redactRulesOf(crossed)
    expect(rules).toHaveLength(1)
    expect('key sk-abcdefghijklmnopqrstuvwxyz and SK-ABCDEFGHIJKLMNOPQRSTUVWXYZ'.replace(rules[0]!.pattern, rules[0]!.replacement)).toBe('key sk-REDACTED and sk-REDACTED')
    expect(() => parsePluginOptions({ fixtures: { redact: [{ pattern: 3, replacement: 'x' }] } })).toThrow(/option "fixtures\.redact\.0\.pattern"/)
    expect(redactRulesOf(buildProvided({ options: {}, root: '/p', viteMode: 'test', updateSnapshot: 'new', testNamePattern: undefined, filtered: false, env: {} }))).toEqual([])
  })
})

describe('bin arguments', () => {
  test('--optimize is stripped, everything else is kept in order', () => {
    expect(splitArgs(['run', '--optimize', '-u', 'a.test.ts', '-t', 'x'])).toEqual({ optimize: true, ci: false, rest: ['run', '-u', 'a.test.ts', '-t', 'x'] })
    expect(splitArgs(['--shard=1/2'])).toEqual({ optimize: false, ci: false, rest: ['--shard=1/2'] })
    expect(splitArgs(['run', '--', '--optimize'])).toEqual({ optimize: false, ci: false, rest: ['run', '--', '--optimize'] })
    expect(splitArgs(['run', '--ci', 'x.test.ts'])).toEqual({ optimize: false, ci: true, rest: ['run', 'x.test.ts'] })
  })
})

describe('score table', () => {
  const row = (block: string, file: string, mean: number, baseline: number | null): SimbaBlockMeta => ({
    kind: 'block', block, file, split: 'devset', cases: 4, mean, baseline, regressed: ['a'], improved: [], calls: { total: 4, live: 1, replayed: 3 }, tokens: 120, cost: 0.0012, optimized: false, snapshot: 'skipped',
  })
  const kase = (block: string, split: 'trainset' | 'devset', name: string, status: CaseStatus): SimbaCaseMeta => ({ kind: 'case', block, split, case: name, score: 1, baseline: 1, status })
  test('rows are sorted by file and block whatever the input order', () => {
    const a = { ...row('b1', 'x.test.ts', 0.5, 0.75), caseMetas: [kase('b1', 'devset', 'a', 'regressed')] }
    const b = { ...row('b0', 'a.test.ts', 1, null), caseMetas: [kase('b0', 'devset', 'a', 'regressed')] }
    const text = formatScoreTable([a, b])
    expect(text).toBe(formatScoreTable([b, a]))
    expect(text.split('\n')[1]).toMatch(/^block\s+split\s+cases\s+mean\s+baseline\s+delta\s+regressed\s+improved\s+LM live\/replayed\s+tokens\s+cost$/)
    expect(text.split('\n')[3]).toMatch(/^b0\s+devset\s+4\s+1\.000\s+-\s+-\s+1\s+0\s+1\/3\s+120\s+0\.0012$/)
    expect(text.split('\n')[4]).toMatch(/^b1\s+devset\s+4\s+0\.500\s+0\.750\s+-0\.250/)
  })
  test('cases, regressed and improved count the same (gating) split; the other split gets its own labelled line', () => {
    // 2 train + 3 dev cases; the devset gates. Train: 1 regressed, 1 improved. Dev: 1 improved.
    const b = { ...row('blk', 'a.test.ts', 0.5, 0.5), cases: 3, regressed: ['t1'], improved: ['t2', 'd1'] }
    const caseMetas = [kase('blk', 'trainset', 't1', 'regressed'), kase('blk', 'trainset', 't2', 'improved'), kase('blk', 'devset', 'd1', 'improved'), kase('blk', 'devset', 'd2', 'pass'), kase('blk', 'devset', 'd3', 'pass')]
    const text = formatScoreTable([{ ...b, caseMetas }])
    expect(text.split('\n')[3]).toMatch(/^blk\s+devset\s+3\s+0\.500\s+0\.500\s+\+0\.000\s+0\s+1\s/)
    expect(formatSplitNotes([{ ...b, caseMetas }])).toEqual(['blk: trainset (not gating) 2 cases, 1 regressed, 1 improved'])
    // Property: whatever the statuses, the row's counts equal the gating split's statuses.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('trainset' as const, 'devset' as const), fc.constantFrom<CaseStatus>('pass', 'regressed', 'improved', 'failing')), { maxLength: 20 }), (spec) => {
        const metas = spec.map(([split, status], i) => kase('blk', split, `c${i}`, status))
        const gating = metas.filter((m) => m.split === 'devset')
        const line = formatScoreTable([{ ...b, cases: gating.length, caseMetas: metas }]).split('\n')[3] ?? ''
        const cells = line.split(/\s{2,}/)
        expect(cells[2]).toBe(String(gating.length))
        // No case of the gating split ran: unknown, not zero.
        expect(cells[6]).toBe(gating.length === 0 ? '-' : String(gating.filter((m) => m.status === 'regressed').length))
        expect(cells[7]).toBe(gating.length === 0 ? '-' : String(gating.filter((m) => m.status === 'improved').length))
      }),
    )
  })
  test('file notes list fixture counts and obsolete blocks', () => {
    const notes = formatFileNotes([{ file: 'a.test.ts', meta: { obsolete: ['old'], pruned: [], snapshot: '__snapshots__/a.test.ts.simba.json', fixtures: { file: 'f', replayed: 2, recorded: 0, missing: 1, unused: 0, live: 0 } } }])
    expect(notes[0]).toBe('fixtures a.test.ts: 2 replayed, 0 recorded, 1 missing, 0 unused, 0 live')
    expect(notes[1]).toContain('obsolete blocks "old"')
  })
})

describe('where the score table goes', () => {
  test('stderr only when a JSON/JUnit/TAP report is written to stdout', async () => {
    const { machineReportOnStdout } = await import('../../src/vitest/node/reporter.js')
    expect(machineReportOnStdout({ reporters: [['default', {}]] })).toBe(false)
    expect(machineReportOnStdout({ reporters: [['verbose', {}], ['dot', {}]] })).toBe(false)
    expect(machineReportOnStdout({ reporters: [['json', {}]] })).toBe(true)
    expect(machineReportOnStdout({ reporters: [['default', {}], ['junit', {}]] })).toBe(true)
    expect(machineReportOnStdout({ reporters: [['tap-flat', {}]] })).toBe(true)
    // An output file (global, per reporter, or in the reporter's options) frees stdout.
    expect(machineReportOnStdout({ reporters: [['json', {}]], outputFile: 'r.json' })).toBe(false)
    expect(machineReportOnStdout({ reporters: [['json', {}]], outputFile: { json: 'r.json' } })).toBe(false)
    expect(machineReportOnStdout({ reporters: [['json', {}], ['junit', {}]], outputFile: { json: 'r.json' } })).toBe(true)
    expect(machineReportOnStdout({ reporters: [['json', { outputFile: 'r.json' }]] })).toBe(false)
    expect(machineReportOnStdout({ reporters: ['json'] })).toBe(true)
  })
})
