import { describe, expect, test } from 'vitest'
import { renderReportHtml } from '../../src/report/html.js'
import { historySection } from '../../src/report/history-html.js'
import type { HistoryView } from '../../src/history/types.js'
import type { BlockReport } from '../../src/report/types.js'

const view = (over: Partial<HistoryView> = {}): HistoryView => ({
  split: 'devset',
  points: [
    { date: '2026-12-01T10:00:00.000Z', commit: 'ab'.repeat(20), mean: 0.5, mode: 'regression' },
    { date: '2026-12-02T10:00:00.000Z', commit: null, mean: 0.9, mode: 'optimize' },
    { date: '2026-12-03T10:00:00.000Z', commit: 'cd'.repeat(20), mean: 0.75, mode: 'regression' },
  ],
  previous: { date: '2026-12-02T10:00:00.000Z', commit: null },
  changed: [
    { split: 'devset', name: 'refund <b>late</b>', from: 'pass', to: 'fail' },
    { split: 'trainset', name: 'crash', from: 'fail', to: 'pass' },
  ],
  added: 1,
  ...over,
})

const block = (history?: HistoryView): BlockReport => ({
  block: 'routes',
  mode: 'regression',
  split: 'devset',
  scores: [{ split: 'devset', baseline: 0.8, current: 0.75 }],
  cases: [],
  usage: { total: { calls: 1, live: 0, replayed: 1, tokens: 0, cost: 0 } },
  ...(history ? { history } : {}),
})

describe('report: history section', () => {
  test('draws the last runs\' means (this run last, optimize runs hollow) and lists the cases that changed since the previous run', () => {
    const html = renderReportHtml({ version: 1, file: 'a.test.ts', library: 'vitest-simba@0.0.0', blocks: [block(view())] })
    expect(html).toContain('<h3>History</h3><svg class="chart history"')
    expect(html.match(/<circle class="run[^"]*"/g)).toEqual(['<circle class="run"', '<circle class="run optimize"', '<circle class="run current"'])
    expect(html).toContain('<title>2026-12-01 10:00 UTC, commit abababab: 0.500</title>')
    expect(html).toContain('Mean on devset over the last 3 runs (oldest first): 0.500 → 0.900 → 0.750.')
    expect(html).toContain('2 cases changed since the previous run (2026-12-02 10:00 UTC):</p>')
    expect(html).toContain('1 case is new since then.')
    expect(html).toContain('<td>refund &lt;b&gt;late&lt;/b&gt;</td><td><span class="state state-pass">pass</span> → <span class="state state-fail">fail</span></td>')
    expect(html).not.toContain('<b>late</b>')
  })

  test('a first run says there is nothing to compare yet; no history, no section; a long list is cut', () => {
    expect(historySection(view({ points: [{ date: '2026-12-03T10:00:00.000Z', commit: null, mean: 1, mode: 'regression' }], previous: null, changed: [], added: 0 }))).toContain('First run in the history')
    expect(historySection(view({ changed: [], added: 0 }))).toContain('No case changed between pass and fail since the previous run')
    expect(renderReportHtml({ version: 1, file: 'a.test.ts', library: 'x', blocks: [block()] })).not.toContain('History')
    const many = Array.from({ length: 60 }, (_, i) => ({ split: 'devset' as const, name: `c${i}`, from: 'pass' as const, to: 'fail' as const }))
    const html = historySection(view({ changed: many }))
    expect(html.match(/<tr><td>dev<\/td>/g)).toHaveLength(50)
    expect(html).toContain('… and 10 more.')
  })
})
