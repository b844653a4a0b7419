import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { parseBinArgs } from '../../../src/vitest/node/args.js'
import { historySetting } from '../../../src/vitest/node/provided.js'
import { formatSummary, mdText, summaryTargets, writeSummary, type SummaryBlock } from '../../../src/vitest/node/summary.js'
import type { SimbaCaseMeta } from '../../../src/vitest/shared.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const caseMeta = (name: string, status: SimbaCaseMeta['status'], split: 'trainset' | 'devset' = 'devset'): SimbaCaseMeta => ({
  kind: 'case',
  block: 'routes',
  split,
  case: name,
  score: status === 'regressed' ? 0 : 1,
  baseline: 1,
  status,
})

const block = (over: Partial<SummaryBlock> = {}): SummaryBlock => ({
  kind: 'block',
  block: 'routes',
  file: 'tickets.test.ts',
  split: 'devset',
  cases: 3,
  mean: 0.5,
  baseline: 0.75,
  regressed: [],
  improved: [],
  calls: { total: 3, live: 0, replayed: 3 },
  tokens: 0,
  cost: 0,
  optimized: false,
  snapshot: 'skipped',
  failed: true,
  caseMetas: [caseMeta('b-case', 'regressed'), caseMeta('a-case', 'regressed'), caseMeta('c', 'known-failing'), caseMeta('d', 'improved'), caseMeta('t', 'regressed', 'trainset')],
  ...over,
})

describe('the Markdown summary', () => {
  test('per block: gating mean against the baseline with the delta, status counts, regressed names, the report page', () => {
    const md = formatSummary([block({ report: 'simba-report/tickets.test.ts.report.html' }), block({ block: 'billing', file: 'billing.test.ts', split: 'trainset', mean: 1, baseline: 1, failed: false, caseMetas: [caseMeta('x', 'pass', 'trainset')] })])
    expect(md).toBe(
      [
        '## vitest-simba: 1 of 2 blocks failed',
        '',
        '| | block | file | gate | mean | baseline | delta | regressed | improved | known-failing |',
        '|---|---|---|---|---:|---:|---:|---:|---:|---:|',
        '| ✅ | billing | billing.test.ts | trainset | 1.000 | 1.000 | +0.000 | 0 | 0 | 0 |',
        '| ❌ | routes | tickets.test.ts | devset | 0.500 | 0.750 | -0.250 | 3 | 1 | 1 |',
        '',
        '**routes** (tickets.test.ts): 3 regressed cases',
        '',
        '- a-case (devset): 1 → 0',
        '- b-case (devset): 1 → 0',
        '- t (trainset): 1 → 0',
        '',
        'HTML report: `simba-report/tickets.test.ts.report.html`',
        '',
      ].join('\n'),
    )
  })

  test('names at most 20 regressed cases, then "… and N more"; flaky counts appear with trials; no report says how to get one', () => {
    const many = Array.from({ length: 27 }, (_, i) => caseMeta(`case-${String(i).padStart(2, '0')}`, 'regressed'))
    const md = formatSummary([block({ caseMetas: [...many, caseMeta('f', 'flaky')], trials: { k: 5, half: 0.05, flaky: 1, p: 0.01 } })])
    expect(md).toContain('- case-19: 1 → 0\n- … and 7 more\n')
    expect(md).not.toContain('case-20')
    expect(md).toContain('| known-failing | flaky |')
    expect(md).toContain('| 0.500 ± 0.050 | 0.750 | -0.250 | 27 | 0 | 0 | 1 |')
    expect(md).toContain('No HTML report was written in this run; `npx vitest-simba run --report` writes one per test file.')
  })

  test('case and block names cannot break the Markdown, and secrets in them are masked', () => {
    const key = 'sk-proj-' + 'Zq9xW2vB7nM4kL1pR8tY5uI3oE6aS0dF'.repeat(3)
    const md = formatSummary([block({ block: 'a | b', caseMetas: [caseMeta(`pipe | and <script> \`tick\` *star*\nline ${key}`, 'regressed')] })])
    expect(md).toContain('| a \\| b |')
    expect(md).toContain('- pipe \\| and &lt;script&gt; \\`tick\\` \\*star\\* line [masked')
    expect(md).not.toContain(key.slice(0, 20))
    expect(mdText('x'.repeat(300))).toHaveLength(201)
  })

  test('targets: GITHUB_STEP_SUMMARY is appended to, SIMBA_SUMMARY (over the plugin option) is overwritten; a failed write is a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simba-summary-'))
    dirs.push(dir)
    expect(summaryTargets({}, undefined, dir)).toEqual({})
    expect(summaryTargets({ GITHUB_STEP_SUMMARY: join(dir, 'step.md') }, 'opt.md', dir)).toEqual({ append: join(dir, 'step.md'), write: join(dir, 'opt.md') })
    expect(summaryTargets({ SIMBA_SUMMARY: 'env.md' }, 'opt.md', dir)).toEqual({ write: join(dir, 'env.md') })
    writeFileSync(join(dir, 'step.md'), '# earlier step\n')
    writeFileSync(join(dir, 'out.md'), 'old text that is longer than the new one'.repeat(10))
    expect(writeSummary('## one\n', { append: join(dir, 'step.md'), write: join(dir, 'out.md') })).toEqual([])
    expect(writeSummary('## two\n', { append: join(dir, 'step.md'), write: join(dir, 'out.md') })).toEqual([])
    expect(readFileSync(join(dir, 'step.md'), 'utf8')).toBe('# earlier step\n## one\n\n## two\n\n')
    expect(readFileSync(join(dir, 'out.md'), 'utf8')).toBe('## two\n')
    const problems = writeSummary('x', { append: join(dir, 'missing', 'step.md'), write: join(dir, 'step.md', 'nested.md') })
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/could not append the summary to .*missing\/step\.md \(GITHUB_STEP_SUMMARY\): ENOENT/)
    expect(problems[1]).toMatch(/could not write the summary: could not write .*step\.md\/nested\.md/)
  })
})

describe('options', () => {
  test('the bin takes --summary file and --summary=file; a missing file is an error', () => {
    expect(parseBinArgs(['run', '--summary', 'out.md', '-u'])).toEqual({ kind: 'run', optimize: false, ci: false, rest: ['run', '-u'], summary: 'out.md' })
    expect(parseBinArgs(['--summary=out.md'])).toEqual({ kind: 'run', optimize: false, ci: false, rest: [], summary: 'out.md' })
    for (const bad of [['--summary'], ['--summary='], ['--summary', '--ci']]) {
      const r = parseBinArgs(bad)
      expect(r.kind, bad.join(' ')).toBe('error')
      expect(r.kind === 'error' && r.message).toContain('--summary` needs the file')
    }
  })

  test('history: on by default under the run root, off in CI, by option or SIMBA_HISTORY=off; SIMBA_HISTORY=<file> moves it', () => {
    expect(historySetting({}, {}, false, '/r')).toEqual({ file: '/r/.vitest-simba/history.jsonl', keep: 50 })
    expect(historySetting({}, {}, true, '/r')).toBeNull()
    expect(historySetting({ history: false }, {}, false, '/r')).toBeNull()
    expect(historySetting({ history: { file: 'h/x.jsonl', keep: 5 } }, {}, false, '/r')).toEqual({ file: '/r/h/x.jsonl', keep: 5 })
    expect(historySetting({}, { SIMBA_HISTORY: 'off' }, false, '/r')).toBeNull()
    expect(historySetting({ history: false }, { SIMBA_HISTORY: '/abs/h.jsonl' }, false, '/r')).toEqual({ file: '/abs/h.jsonl', keep: 50 })
  })
})
