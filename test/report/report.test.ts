import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { renderReportHtml } from '../../src/report/html.js'
import { agentStepsOf, CASE_FILTERS, candidateSummary, caseCounts, demoFields, direction, filtersOf, predictorChanges, trajectoryFromLogs, withBlock } from '../../src/report/model.js'
import { blockScores } from '../../src/vitest/runtime/scores.js'
import { Example } from '../../src/core/example/example.js'
import { escapeHtml, scoresSvg, trajectorySvg } from '../../src/report/svg.js'
import type { BlockReport, Report, ReportCase, ReportCaseStatus } from '../../src/report/types.js'
import type { StepLog } from '../../src/optimizer/simba/types.js'
import { reportPaths } from '../../src/vitest/runtime/report.js'

const STATUSES: ReportCaseStatus[] = ['pass', 'new', 'improved', 'known-failing', 'regressed', 'failing', 'error']

const step = (n: number, scores: number[], winner: number | null): StepLog => ({
  step: n,
  batch: [],
  rolloutMean: 0.5,
  p10: 0,
  p90: 1,
  rolloutErrors: 0,
  candidates: scores.map((s, i) => ({ id: n * 10 + i, sourceId: 0, bucketExample: i, strategy: 'append_a_rule', outcome: 'applied', droppedDemos: [], score: s })),
  winner: winner === null ? null : { id: n * 10 + winner, score: scores[winner] as number },
})

function caseRow(name: string, status: ReportCaseStatus, extra: Partial<ReportCase> = {}): ReportCase {
  return { split: 'devset', name, input: JSON.stringify({ ticket: name }), label: '{"queue":"billing"}', baselineScore: 0, score: 1, prediction: '{"queue":"billing"}', status, ...extra }
}

function sampleBlock(cases: ReportCase[]): BlockReport {
  return {
    block: 'routes tickets',
    mode: 'optimize',
    split: 'devset',
    scores: [
      { split: 'trainset', baseline: 0.4, current: 0.8 },
      { split: 'devset', baseline: 0.5, current: 0.75 },
    ],
    trajectory: trajectoryFromLogs([step(0, [0.5, 0.7], 1), step(1, [0.6, 0.9], 1)], { score: 0.85, stoppedReason: 'completed' }),
    predictors: predictorChanges({ self: { instructions: 'Route it.', demos: [{ ticket: 'a', queue: 'x' }] } }, { self: { instructions: 'Route it.\nWhen "refund", use billing.', demos: [{ ticket: 'b', queue: 'y' }] } }),
    cases,
    usage: { total: { calls: 10, live: 4, replayed: 6, tokens: 1234, cost: 0 }, optimization: { calls: 8, cachedCalls: 2, tokens: 1000, cost: 0 }, forecast: { calls: 9, tokens: 900, cost: null } },
  }
}

const report = (blocks: BlockReport[]): Report => ({ version: 1, file: 'tickets.test.ts', library: 'vitest-simba@0.0.0', blocks })

describe('report model', () => {
  test('trajectory: candidates with scores, winners and the running best', () => {
    const t = trajectoryFromLogs([step(0, [0.5, 0.7], 1), step(1, [0.6, 0.65], 0), step(2, [], null)], { score: 0.8, stoppedReason: 'completed' })
    expect(t.steps.map((s) => s.winner?.score ?? null)).toEqual([0.7, 0.6, null])
    expect(t.steps.map((s) => s.bestSoFar)).toEqual([0.7, 0.7, 0.7])
    expect(t.steps[0]?.candidates.map((c) => c.score)).toEqual([0.5, 0.7])
    expect(t).toMatchObject({ finalScore: 0.8, stoppedReason: 'completed' })
    const failed = step(3, [0.5], null)
    failed.candidates.push({ id: undefined, sourceId: 0, bucketExample: 1, strategy: 'append_a_rule', outcome: 'failed', reason: 'rule writer failed', droppedDemos: [] })
    const [s3] = trajectoryFromLogs([failed]).steps
    expect(s3?.candidates[1]).toEqual({ id: undefined, strategy: 'append_a_rule', outcome: 'failed', reason: 'rule writer failed' })
    const html = renderReportHtml(report([{ ...sampleBlock([]), trajectory: trajectoryFromLogs([failed]) }]))
    expect(html).toContain('0.500, failed (rule writer failed)')
  })

  test('trajectory: the reflective start, kept or not, in the model and on the page', () => {
    const base = { sourceId: 1, examples: ['a', 'b', 'c', 'd'], sourceScore: 0.5, failed: 2, calls: 1 }
    const kept = trajectoryFromLogs([], { score: 1, stoppedReason: 'plateau' }, { ...base, score: 1, lost: 0, id: 2 })
    expect(kept.start).toEqual({ cases: 4, failed: 2, sourceScore: 0.5, score: 1, lost: 0, kept: true })
    const lost = trajectoryFromLogs([], undefined, { ...base, lost: 1 })
    expect(lost.start).toEqual({ cases: 4, failed: 2, sourceScore: 0.5, lost: 1, kept: false })
    expect(trajectoryFromLogs([]).start).toBeUndefined()
    const page = (t: ReturnType<typeof trajectoryFromLogs>) => renderReportHtml(report([{ ...sampleBlock([]), trajectory: t }]))
    expect(page(kept)).toContain('Reflective start: the starting program got 2 of 4 training cases right (0.500); the prompt model was shown the 2 it got wrong; with its rules 1.000: kept')
    expect(page(lost)).toContain('; its rules broke 1 case the program got right: not kept.')
    expect(page(trajectoryFromLogs([], undefined, { ...base, score: 0.5, lost: 0 }))).toContain('with its rules 0.500, no gain: not kept.')
    expect(page(trajectoryFromLogs([], undefined, base))).toContain('the 2 it got wrong, and its replies changed nothing.')
    expect(page(trajectoryFromLogs([], undefined, { ...base, failed: 0, calls: 0 }))).toContain('4 of 4 training cases right (0.500); nothing to learn from.')
    expect(page(trajectoryFromLogs([]))).not.toContain('Reflective start')
  })

  test('predictor changes: instruction diff and demos added/removed', () => {
    const [p] = predictorChanges({ self: { instructions: 'A\nB', demos: [{ q: 1 }, { q: 2 }] } }, { self: { instructions: 'A\nC', demos: [{ q: 2 }, { q: 3 }] } })
    expect(p).toMatchObject({ name: 'self', instructionsChanged: true, demos: 2, demosAdded: ['{"q":3}'], demosRemoved: ['{"q":1}'] })
    expect(p?.instructions).toEqual([{ op: ' ', text: 'A' }, { op: '-', text: 'B' }, { op: '+', text: 'C' }])
    expect(predictorChanges(undefined, { p: { instructions: 'X', demos: [] } })[0]).toMatchObject({ instructionsChanged: true, demosAdded: [] })
    expect(predictorChanges({ p: { instructions: 'X', demos: [] } }, { p: { instructions: 'X', demos: [] } })[0]?.instructionsChanged).toBe(false)
  })

  test('every status belongs to the filters that name it, and counts add up', () => {
    const at = (status: ReportCaseStatus, score: number | null) => filtersOf({ status, score })
    expect(at('improved', 1)).toEqual(['improved'])
    expect(at('regressed', 0)).toEqual(['regressed', 'failing'])
    expect(at('known-failing', 0)).toEqual(['failing', 'known-failing'])
    expect(at('error', null)).toEqual(['failing'])
    expect(at('pass', 1)).toEqual([])
    const block = sampleBlock(STATUSES.map((s) => caseRow(s, s, { score: s === 'pass' || s === 'new' || s === 'improved' ? 1 : s === 'error' ? null : 0 })))
    expect(caseCounts(block)).toEqual({ all: 7, regressed: 1, improved: 1, failing: 4, 'known-failing': 1 })
    for (const f of CASE_FILTERS) expect(block.cases.filter((c) => filtersOf(c).includes(f)).length).toBeGreaterThan(0)
  })

  test('"failing" counts every case below the case threshold, regressed ones included; "known failing" is its own count', () => {
    // As in the bundled example's regression view: 22 cases scored 0 and regressed, 7 failed before too.
    const cases = [
      ...Array.from({ length: 22 }, (_, i) => caseRow(`r${i}`, 'regressed', { baselineScore: 1, score: 0 })),
      ...Array.from({ length: 7 }, (_, i) => caseRow(`k${i}`, 'known-failing', { baselineScore: 0, score: 0 })),
      ...Array.from({ length: 3 }, (_, i) => caseRow(`p${i}`, 'pass', { baselineScore: 1, score: 1 })),
    ]
    const block: BlockReport = { ...sampleBlock(cases), mode: 'regression' }
    expect(caseCounts(block)).toEqual({ all: 32, regressed: 22, improved: 0, failing: 29, 'known-failing': 7 })
    const html = renderReportHtml(report([block]))
    expect(html).toMatch(/data-filter="failing"[^>]*>failing \(29\)<\/button>/)
    expect(html).toMatch(/data-filter="known-failing"[^>]*>known failing \(7\)<\/button>/)
    // With a lower case threshold a regressed case that still passes it is not failing.
    const lenient: BlockReport = { ...sampleBlock([caseRow('half', 'regressed', { baselineScore: 1, score: 0.6 })]), caseThreshold: 0.5 }
    expect(caseCounts(lenient)).toMatchObject({ regressed: 1, failing: 0 })
  })

  test('withBlock masks secrets and replaces a block of the same name in place', () => {
    const key = `sk-proj-${'a1B2c3D4e5'.repeat(4)}`
    const one = withBlock(report([]), sampleBlock([caseRow('leaky', 'pass', { prediction: `my key is ${key}` })]))
    expect(JSON.stringify(one)).not.toContain(key)
    expect(one.blocks[0]?.cases[0]?.prediction).toMatch(/\[masked /)
    const other = { ...sampleBlock([]), block: 'second' }
    const two = withBlock(withBlock(one, other), { ...sampleBlock([]), mode: 'regression' })
    expect(two.blocks.map((b) => [b.block, b.mode])).toEqual([
      ['routes tickets', 'regression'],
      ['second', 'optimize'],
    ])
  })

  test('report paths mirror the test file under the report folder', () => {
    expect(reportPaths('/r', '/p', '/p/src/a.test.ts')).toEqual({ json: '/r/src/a.test.ts.report.json', html: '/r/src/a.test.ts.report.html' })
    expect(reportPaths('/r', '/p', '/elsewhere/b.test.ts').html).toBe('/r/b.test.ts.report.html')
  })
})

describe('report page', () => {
  test('self-contained: no network reference, a content security policy, exactly one inline script', () => {
    const html = renderReportHtml(report([sampleBlock(STATUSES.map((s) => caseRow(s, s)))]))
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i)
    expect(html).not.toMatch(/<link\b/i)
    expect(html).toContain("default-src 'none'")
    expect(html.match(/<script/g)).toHaveLength(1)
  })

  test('the chart has a mark per scored candidate and winner; the diff shows the new instruction line', () => {
    const block = sampleBlock([caseRow('a', 'improved')])
    const svg = trajectorySvg(block.trajectory!, block.scores)
    expect(svg.match(/class="candidate"/g)).toHaveLength(4)
    expect(svg.match(/class="winner"/g)).toHaveLength(2)
    expect(svg).toContain('class="winner-line"')
    const html = renderReportHtml(report([block]))
    expect(html).toContain('<ins>+ When &quot;refund&quot;, use billing.</ins>')
    expect(html).toContain('<ins>+ ticket: b\n  queue: y</ins>')
    expect(html).toContain('<del>- ticket: a\n  queue: x</del>')
  })

  test('every case is a table row readable without script, tagged with its filters; filter bar hidden until script runs', () => {
    const cases = STATUSES.map((s, i) => caseRow(`case ${i}`, s))
    const html = renderReportHtml(report([sampleBlock(cases)]))
    const rows = [...html.matchAll(/<tr data-filters="([^"]*)" data-status="([^"]*)">/g)]
    expect(rows.map((r) => r[2])).toEqual(STATUSES)
    expect(rows.map((r) => r[1])).toEqual(cases.map((c) => filtersOf(c).join(' ')))
    expect(html).toMatch(/<div class="filters" data-table="cases-0" hidden>/)
    expect(html).not.toMatch(/<tr[^>]* hidden/)
  })

  test('regression view: no trajectory or program changes, no snapshot prediction column', () => {
    const block: BlockReport = { ...sampleBlock([caseRow('a', 'regressed')]), mode: 'regression' }
    delete block.trajectory
    delete block.predictors
    const html = renderReportHtml(report([block]))
    expect(html).toContain('Regression report: tickets.test.ts')
    expect(html).not.toContain('class="chart trajectory"')
    expect(html).not.toContain('snapshot prediction')
    expect(html).toContain('class="chart scores"')
  })

  test('an agent case shows its trajectory: thought, tool, arguments and observation per step', () => {
    const prediction = {
      resolution: 'refund',
      trajectory: [
        { thought: 'Look the <order> up.', tool: 'lookup_order', args: { orderId: 'A-1042' }, observation: '{"status":"lost"}' },
        { thought: 'Done.', tool: 'finish', args: {}, observation: 'Completed.' },
      ],
    }
    const cases = [{ split: 'devset' as const, name: 'lost', example: new Example({ message: 'A-1042?', resolution: 'refund' }, ['message']), legacyName: 'lost' }]
    const { outcomes } = blockScores(cases, [{ score: 1, prediction }])
    const steps = outcomes.get('devset\0lost')?.agentTrajectory
    expect(steps).toEqual([
      { thought: 'Look the <order> up.', tool: 'lookup_order', args: '{"orderId":"A-1042"}', observation: '{"status":"lost"}' },
      { thought: 'Done.', tool: 'finish', args: '{}', observation: 'Completed.' },
    ])
    expect(agentStepsOf({ answer: 'x' })).toBeUndefined()
    expect(agentStepsOf({ trajectory: 'text' })).toBeUndefined()
    expect(agentStepsOf({ trajectory: [{ thought: 'sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345', tool: 't', args: {}, observation: '' }] })?.[0]?.thought).not.toContain('ABCDEFGHIJ')
    const html = renderReportHtml(report([sampleBlock([caseRow('lost', 'improved', { agentTrajectory: steps })])]))
    expect(html).toContain('<summary>trajectory: 2 steps</summary>')
    expect(html).toContain('<div class="thought">Look the &lt;order&gt; up.</div><div><code class="tool">lookup_order</code> <code class="args">{&quot;orderId&quot;:&quot;A-1042&quot;}</code></div><div class="observation">→ {&quot;status&quot;:&quot;lost&quot;}</div>')
    expect(renderReportHtml(report([sampleBlock([caseRow('plain', 'pass')])]))).not.toContain('class="agent"')
  })

  test('property: any text in the data is escaped (no element or attribute can be injected)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('<', '>', '"', "'", '&', 'a', ' ', '/', '=', 's', 'c', 'r', 'i', 'p', 't') }), { minLength: 1, maxLength: 6 }), (texts) => {
        const cases = texts.map((t, i) => caseRow(`${t}${i}`, 'improved', { input: t, label: t, prediction: t, feedback: t }))
        const block = { ...sampleBlock(cases), block: texts[0] as string }
        const html = renderReportHtml({ ...report([block]), file: texts[0] as string })
        expect(html.match(/<script/g)).toHaveLength(1)
        expect(html.match(/<tr data-filters=/g)).toHaveLength(texts.length)
        for (const t of texts) expect(html).toContain(escapeHtml(t))
      }),
    )
  })
})

test('usage: the optimizer\'s calls and tokens against its forecast', () => {
  const html = renderReportHtml(report([sampleBlock([])]))
  expect(html).toContain('The optimizer made 8 LM calls (89% of the forecast) and used 1,000 live tokens (111% of the forecast).')
})

describe('report: trials', () => {
  test('a case run with trials shows each trial (and a failed one as an error) next to its flaky status', () => {
    const html = renderReportHtml(report([sampleBlock([caseRow('flip', 'flaky', { score: 0.6, trials: [{ score: 1 }, { score: 0 }, { score: 1 }, { score: 1 }, { score: 0, error: 'program failed' }] })])]))
    expect(html).toContain('trials: 1.000 · 0.000 · 1.000 · 1.000 · error (program failed)')
    expect(html).toContain('status-flaky')
  })
})

describe('report page: read as the console reads', () => {
  const gated = (n: number): StepLog => ({
    ...step(n, [], null),
    candidates: Array.from({ length: 32 }, (_, i) => ({ id: undefined, sourceId: 0, bucketExample: i, strategy: 'append_a_rule' as const, outcome: 'skipped' as const, reason: 'best score 1 <= p10 1', gated: true, kept: false as const, droppedDemos: [] })),
  })

  test('steps are numbered from 1, as the progress lines print them (table, chart axis and marks)', () => {
    const block = { ...sampleBlock([]), trajectory: trajectoryFromLogs([step(0, [0.5, 0.7], 1), step(1, [0.6, 0.9], 1)]) }
    const html = renderReportHtml(report([block]))
    const stepCells = [...html.matchAll(/<tr><td class="num">(\d+)<\/td><td class="num">0\.500<\/td>/g)].map((m) => m[1])
    expect(stepCells).toEqual(['1', '2'])
    const svg = trajectorySvg(block.trajectory, block.scores)
    expect([...svg.matchAll(/text-anchor="middle">(\d+)<\/text>/g)].map((m) => m[1])).toEqual(['1', '2'])
    expect(svg).toContain('<title>step 1 winner: candidate 1, 0.700</title>')
    expect(html).toContain('<th class="num">best step winner so far</th>')
  })

  test('identical skip reasons of a step are listed once with their count', () => {
    const t = trajectoryFromLogs([step(0, [0.5], 0), gated(1)])
    expect(candidateSummary(t.steps[1]!.candidates)).toBe('32 × skipped (best score 1 <= p10 1)')
    const html = renderReportHtml(report([{ ...sampleBlock([]), trajectory: t }]))
    expect(html.match(/best score 1 &lt;= p10 1/g)).toHaveLength(1)
    expect(candidateSummary([{ id: 1, strategy: 'append_a_demo', outcome: 'applied', score: 0.5 }, { id: undefined, strategy: 'append_a_rule', outcome: 'failed', reason: 'timeout' }])).toBe('0.500, failed (timeout)')
  })

  test('demos read as field: value without internal flags; the instruction diff has no bare "+" lines', () => {
    const [p] = predictorChanges(
      { route: { instructions: 'Route it.', demos: [] } },
      { route: { instructions: 'Route it.\n\nWhen "refund", use billing.\n\nWhen "2fa", use security.', demos: [{ augmented: true, ticket: 'I was charged twice', facts: 'double charge', queue: 'billing' }] } },
    )
    const html = renderReportHtml(report([{ ...sampleBlock([]), predictors: [p!] }]))
    expect(html).not.toContain('augmented')
    expect(html).toContain('<ins>+ ticket: I was charged twice\n  facts: double charge\n  queue: billing</ins>')
    expect(html).toContain('<ins>+ When &quot;refund&quot;, use billing.</ins><ins>+ When &quot;2fa&quot;, use security.</ins>')
    expect(html).not.toMatch(/<ins>\+\s*<\/ins>/)
    expect(demoFields('{"augmented":true,"a":1,"b":"x"}')).toEqual([['a', '1'], ['b', 'x']])
    expect(demoFields('not json')).toEqual([['demo', 'not json']])
  })

  test('the bars have a legend, and this run\'s bar is coloured by its direction against the baseline', () => {
    const svg = scoresSvg([
      { split: 'trainset', baseline: 0.8, current: 0.5 },
      { split: 'devset', baseline: 0.5, current: 0.5002 },
    ])
    expect(svg).toContain('class="bar-current down"')
    expect(svg).toContain('class="bar-current same"')
    expect(scoresSvg([{ split: 'devset', baseline: 0.4, current: 0.9 }])).toContain('class="bar-current up"')
    expect(scoresSvg([{ split: 'devset', baseline: null, current: 0.9 }])).toContain('class="bar-current none"')
    expect([direction(0.9, 0.4), direction(0.4, 0.9), direction(0.5, 0.5004), direction(1, null)]).toEqual(['up', 'down', 'same', undefined])
    const html = renderReportHtml(report([{ ...sampleBlock([]), mode: 'regression' }]))
    expect(html).toContain('<span><i class="swatch-baseline"></i>snapshot baseline</span><span><i class="swatch-up"></i>this run: improved</span><span><i class="swatch-same"></i>this run: same</span><span><i class="swatch-down"></i>this run: dropped</span>')
    // The delta column agrees with the colour: +0.000 is not green.
    const same = renderReportHtml(report([{ ...sampleBlock([]), scores: [{ split: 'devset', baseline: 0.5, current: 0.5002 }] }]))
    expect(same).toContain('<span class="">+0.000</span>')
  })

  test('a filter that matches no case says so (the message is in the page, shown by the filter script)', () => {
    const html = renderReportHtml(report([sampleBlock([caseRow('a', 'improved')])]))
    expect(html).toContain('<p class="no-match muted" data-for="cases-0" hidden>no cases match</p>')
    expect(html).toContain("none.hidden = shown > 0")
    const empty = renderReportHtml(report([sampleBlock([])]))
    expect(empty).toContain('<table class="cases" id="cases-0" hidden>')
    expect(empty).toContain('<p class="no-match muted" data-for="cases-0">no cases match</p>')
  })
})
