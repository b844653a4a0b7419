import { HISTORY_CSS, historySection } from './history-html.js'
import { candidateSummary, caseCounts, DEFAULT_CASE_THRESHOLD, demoFields, direction, filtersOf, type CaseFilter } from './model.js'
import { escapeHtml as e, fmtScore, scoresSvg, trajectorySvg } from './svg.js'
import { TRACE_CSS, traceNote, traceRow } from './trace-html.js'
import type { BlockReport, Report, ReportAgentStep, ReportCase, ReportPredictor, ReportStart, ReportUsage } from './types.js'

const CSS = `
:root{--fg:#1d2330;--muted:#5c6577;--line:#d9dde5;--bg:#fff;--soft:#f4f6f9;--blue:#2f6fde;--green:#1d8a4e;--red:#c23b3b;--amber:#b7791f}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:24px 32px;max-width:1280px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
.muted{color:var(--muted)}code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
table{border-collapse:collapse;margin:6px 0 12px;width:100%}th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.json{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;max-width:320px;overflow-wrap:anywhere}
.chart{max-width:100%;height:auto;display:block;margin:8px 0}.chart .grid{stroke:#e6e9ef}.chart .axis{font-size:11px;fill:var(--muted)}
.chart .candidate{fill:#9aa3b2;fill-opacity:.75}.chart .winner{fill:var(--blue)}.chart .winner-line{fill:none;stroke:var(--blue);stroke-width:2}
.chart .baseline{stroke:var(--amber);stroke-dasharray:5 4}.chart .final-baseline{fill:#fff;stroke:var(--amber);stroke-width:2}.chart .final-current{fill:var(--green)}
.chart .bar-baseline{fill:#f0d9ae}.chart .bar-current{fill:#7d8799}.chart .bar-current.up{fill:var(--green)}.chart .bar-current.down{fill:var(--red)}
.swatch-baseline{background:#f0d9ae}.swatch-up{background:var(--green)}.swatch-same{background:#7d8799}.swatch-down{background:var(--red)}
.no-match{margin:6px 0 12px}
.legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px}
.diff{background:var(--soft);border:1px solid var(--line);padding:6px 0;margin:4px 0;white-space:pre-wrap;overflow-wrap:anywhere}
.diff div{padding:0 10px}.diff ins{display:block;text-decoration:none;background:#e3f6e9;color:#11552f}.diff del{display:block;text-decoration:none;background:#fbe6e6;color:#7d1f1f}
.status{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;background:var(--soft)}
.status-improved{background:#e3f6e9;color:#11552f}.status-regressed{background:#fbe6e6;color:#7d1f1f}.status-failing,.status-known-failing,.status-error{background:#fdf1dc;color:#7a4d0c}.status-flaky{background:#eef0fb;color:#2d3a7a}
.filters{margin:6px 0}.filters button{font:inherit;border:1px solid var(--line);background:#fff;padding:2px 10px;border-radius:12px;cursor:pointer;margin-right:6px}
.filters button[aria-pressed=true]{background:var(--blue);border-color:var(--blue);color:#fff}
table.scores,table.usage{width:auto;min-width:480px}
.agent summary{cursor:pointer;color:var(--muted)}.agent-steps{margin:4px 0;padding-left:20px}.agent-steps li{margin:2px 0}.agent-steps .observation{color:var(--muted)}
.delta-up{color:var(--green)}.delta-down{color:var(--red)}
`

const SCRIPT = `
document.querySelectorAll('.filters').forEach(function (bar) {
  bar.hidden = false;
  var table = document.getElementById(bar.getAttribute('data-table'));
  bar.addEventListener('click', function (ev) {
    var b = ev.target.closest('button');
    if (!b) return;
    var f = b.getAttribute('data-filter');
    bar.querySelectorAll('button').forEach(function (x) { x.setAttribute('aria-pressed', String(x === b)); });
    var shown = 0;
    table.querySelectorAll('tbody tr').forEach(function (tr) {
      tr.hidden = f !== 'all' && (' ' + tr.getAttribute('data-filters') + ' ').indexOf(' ' + f + ' ') < 0;
      if (!tr.hidden) shown++;
    });
    table.hidden = shown === 0;
    var none = document.querySelector('.no-match[data-for="' + table.id + '"]');
    if (none) none.hidden = shown > 0;
  });
});
`

const fmtInt = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
const fmtCost = (n: number | null | undefined): string => (n === null || n === undefined ? 'n/a' : n.toFixed(4))

function delta(current: number | null, baseline: number | null): string {
  if (current === null || baseline === null) return ''
  const d = current - baseline
  const dir = direction(current, baseline)
  const cls = dir === 'up' ? 'delta-up' : dir === 'down' ? 'delta-down' : ''
  return `<span class="${cls}">${d >= 0 ? '+' : ''}${d.toFixed(3)}</span>`
}

/** Legend of the bars of {@link scoresSvg}: what each bar is, and what its colour says. */
function scoresLegend(block: BlockReport): string {
  const now = block.mode === 'optimize' ? 'proposal' : 'this run'
  return (
    `<p class="legend muted scores-legend"><span><i class="swatch-baseline"></i>snapshot baseline</span>` +
    `<span><i class="swatch-up"></i>${now}: improved</span><span><i class="swatch-same"></i>${now}: same</span><span><i class="swatch-down"></i>${now}: dropped</span></p>`
  )
}

function scoreTable(block: BlockReport): string {
  const rows = block.scores
    .map((s) => `<tr><td>${s.split}${s.split === block.split ? ' (gate)' : ''}</td><td class="num">${fmtScore(s.baseline)}</td><td class="num">${fmtScore(s.current)}</td><td class="num">${delta(s.current, s.baseline)}</td></tr>`)
    .join('')
  const now = block.mode === 'optimize' ? 'proposal' : 'this run'
  return `<table class="scores"><thead><tr><th>split</th><th class="num">snapshot baseline</th><th class="num">${now}</th><th class="num">delta</th></tr></thead><tbody>${rows}</tbody></table>`
}

function trajectorySection(block: BlockReport): string {
  const t = block.trajectory
  if (!t) return ''
  const legend =
    '<p class="legend muted"><span><i style="background:#9aa3b2;border-radius:50%"></i>candidate (mini-batch mean)</span><span><i style="background:#2f6fde;border-radius:50%"></i>step winner</span>' +
    '<span><i style="border:2px dashed #b7791f;height:0"></i>snapshot trainset mean</span><span><i style="background:#1d8a4e"></i>final: this run</span><span><i style="border:2px solid #b7791f"></i>final: snapshot</span>' +
    `<span>(final column: ${block.scores.map((s) => (s.split === 'trainset' ? 'train' : 'dev')).join(' left, ')}${block.scores.length > 1 ? ' right' : ''})</span></p>`
  // Steps are shown 1-based, as the progress lines print them.
  const rows = t.steps
    .map((s) => `<tr><td class="num">${s.step + 1}</td><td class="num">${fmtScore(s.rolloutMean)}</td><td>${e(candidateSummary(s.candidates))}</td><td class="num">${s.winner ? `#${s.winner.id}: ${fmtScore(s.winner.score)}` : 'none'}</td><td class="num">${fmtScore(s.bestSoFar)}</td></tr>`)
    .join('')
  const end = t.finalScore !== undefined ? `<p>Returned program: ${fmtScore(t.finalScore)} on the selection set${t.stoppedReason ? ` (run ${e(t.stoppedReason)})` : ''}.</p>` : ''
  return (
    `<h3>Score per step</h3>${startLine(t.start)}${trajectorySvg(t, block.scores)}${legend}${end}` +
    `<details><summary>Steps as a table</summary><table class="steps"><thead><tr><th class="num">step</th><th class="num">rollout mean</th><th>candidates (mini-batch mean, or why none was built)</th><th class="num">step winner</th><th class="num">best step winner so far</th></tr></thead><tbody>${rows}</tbody></table></details>`
  )
}

/** One sentence on the reflective start: the cases, the failures, the score with the rules and whether they were kept. */
function startLine(s: ReportStart | undefined): string {
  if (!s) return ''
  const right = `Reflective start: the starting program got ${s.cases - s.failed} of ${s.cases} training cases right (${fmtScore(s.sourceScore)})`
  if (s.failed === 0) return `<p class="start">${right}; nothing to learn from.</p>`
  const outcome =
    s.kept ? `; with its rules ${fmtScore(s.score)}: kept (it joined the search as a winner)`
    : s.lost ? `; its rules broke ${s.lost} case${s.lost === 1 ? '' : 's'} the program got right: not kept`
    : s.score !== undefined ? `; with its rules ${fmtScore(s.score)}, no gain: not kept`
    : ', and its replies changed nothing'
  return `<p class="start">${right}; the prompt model was shown the ${s.failed} it got wrong${outcome}.</p>`
}

function predictorSection(p: ReportPredictor): string {
  // Added or removed blank lines (the breaks between appended paragraphs) are left out, as in the console.
  const lines = p.instructions.filter((d) => d.op === ' ' || d.text.trim() !== '')
  const diff = p.instructionsChanged
    ? `<pre class="diff instructions">${lines.map((d) => (d.op === '+' ? `<ins>+ ${e(d.text)}</ins>` : d.op === '-' ? `<del>- ${e(d.text)}</del>` : `<div>  ${e(d.text)}</div>`)).join('')}</pre>`
    : '<p class="muted">Instructions unchanged.</p>'
  // Each demo as `field: value` lines, without the optimizer's internal flags.
  const demo = (text: string, sign: string): string => demoFields(text).map(([k, v], i) => `${i === 0 ? sign : ' '} ${e(k)}: ${e(v)}`).join('\n')
  const demoList = (items: string[], sign: string, tag: 'ins' | 'del'): string => (items.length === 0 ? '' : `<pre class="diff demos">${items.map((d) => `<${tag}>${demo(d, sign)}</${tag}>`).join('')}</pre>`)
  return (
    `<section class="predictor"><h3>Predictor <code>${e(p.name)}</code></h3>${diff}` +
    `<p>Demos: ${p.demos} (${p.demosAdded.length} added, ${p.demosRemoved.length} removed)</p>${demoList(p.demosRemoved, '-', 'del')}${demoList(p.demosAdded, '+', 'ins')}</section>`
  )
}

/** An agent's steps as a numbered list: thought, tool call with its arguments, observation. */
function agentSteps(steps: readonly ReportAgentStep[] | undefined): string {
  if (!steps) return ''
  const items = steps
    .map((s) => `<li><div class="thought">${e(s.thought)}</div><div><code class="tool">${e(s.tool)}</code> <code class="args">${e(s.args)}</code></div><div class="observation">→ ${e(s.observation)}</div></li>`)
    .join('')
  return `<details class="agent"><summary>trajectory: ${steps.length} step${steps.length === 1 ? '' : 's'}</summary><ol class="agent-steps">${items}</ol></details>`
}

function caseRow(c: ReportCase, optimize: boolean, caseThreshold: number | undefined): string {
  const groups = filtersOf(c, caseThreshold).join(' ')
  const current = (c.error !== undefined ? `<span class="muted">error:</span> ${e(c.error)}` : e(c.prediction ?? '')) + agentSteps(c.agentTrajectory)
  const feedback = c.feedback ? `<div class="muted">${e(c.feedback)}</div>` : ''
  const trials = c.trials ? `<div class="muted">trials: ${c.trials.map((t) => (t.error !== undefined ? `error (${e(t.error)})` : fmtScore(t.score))).join(' · ')}</div>` : ''
  return (
    `<tr data-filters="${groups}" data-status="${c.status}"><td title="${e(c.name)}">${c.split === 'devset' ? 'dev' : 'train'}</td><td class="json">${e(c.input)}</td><td class="json">${e(c.label ?? '')}</td>` +
    (optimize ? `<td class="json">${e(c.baselinePrediction ?? '')}</td>` : '') +
    `<td class="num">${fmtScore(c.baselineScore)}</td><td class="json">${current}${feedback}${trials}</td><td class="num">${fmtScore(c.score)}</td><td><span class="status status-${c.status}">${c.status}</span></td></tr>` +
    traceRow(c, optimize ? 8 : 7, groups)
  )
}

function caseSection(block: BlockReport, index: number): string {
  const optimize = block.mode === 'optimize'
  const id = `cases-${index}`
  const counts = caseCounts(block)
  const threshold = block.caseThreshold ?? DEFAULT_CASE_THRESHOLD
  const filters: Array<[CaseFilter | 'all', string, string]> = [
    ['all', 'all', 'every case'],
    ['regressed', 'regressed', 'dropped below its baseline score by more than the tolerance'],
    ['improved', 'improved', 'scored above its baseline score'],
    ['failing', 'failing', `scored below the case threshold ${threshold} or errored, regressed cases included`],
    ['known-failing', 'known failing', 'failing in the baseline too (not a regression)'],
  ]
  const bar = `<div class="filters" data-table="${id}" hidden>${filters.map(([f, label, title]) => `<button type="button" data-filter="${f}" aria-pressed="${f === 'all'}" title="${e(title)}">${label} (${counts[f]})</button>`).join('')}</div>`
  const head = `<tr><th>split</th><th>input</th><th>label</th>${optimize ? '<th>snapshot prediction</th>' : ''}<th class="num">baseline</th><th>${optimize ? 'proposed prediction' : 'prediction'}</th><th class="num">score</th><th>status</th></tr>`
  const none = `<p class="no-match muted" data-for="${id}"${block.cases.length === 0 ? '' : ' hidden'}>no cases match</p>`
  return `<h3>Cases</h3>${traceNote(block)}${bar}<table class="cases" id="${id}"${block.cases.length === 0 ? ' hidden' : ''}><thead>${head}</thead><tbody>${block.cases.map((c) => caseRow(c, optimize, block.caseThreshold)).join('')}</tbody></table>${none}`
}

function usageSection(u: ReportUsage): string {
  const rows: string[] = []
  const ev = u.total
  rows.push(`<tr><td>all calls of the block</td><td class="num">${fmtInt(ev.calls)}</td><td class="num">${fmtInt(ev.live)}</td><td class="num">${fmtInt(ev.replayed)}</td><td class="num">${fmtInt(ev.tokens)}</td><td class="num">${fmtCost(ev.cost)}</td></tr>`)
  if (u.optimization) {
    const o = u.optimization
    rows.push(`<tr><td>of which the optimizer</td><td class="num">${fmtInt(o.calls)}</td><td class="num">${fmtInt(o.calls - o.cachedCalls)}</td><td class="num">${fmtInt(o.cachedCalls)} cached</td><td class="num">${fmtInt(o.tokens)}</td><td class="num">${fmtCost(o.cost)}</td></tr>`)
  }
  if (u.forecast) {
    rows.push(`<tr><td>optimizer forecast (before the run)</td><td class="num">${fmtInt(u.forecast.calls)}</td><td></td><td></td><td class="num">${fmtInt(u.forecast.tokens)}</td><td class="num">${fmtCost(u.forecast.cost)}</td></tr>`)
  }
  const pct = (a: number, f: number): string => (f > 0 ? `${Math.round((a / f) * 100)}%` : 'n/a')
  const versus =
    u.optimization && u.forecast
      ? `<p class="forecast">The optimizer made ${fmtInt(u.optimization.calls)} LM calls (${pct(u.optimization.calls, u.forecast.calls)} of the forecast) and used ${fmtInt(u.optimization.tokens)} live tokens (${pct(u.optimization.tokens, u.forecast.tokens)} of the forecast).</p>`
      : ''
  return `<h3>LM usage</h3><table class="usage"><thead><tr><th>phase</th><th class="num">calls</th><th class="num">live</th><th class="num">replayed</th><th class="num">tokens</th><th class="num">cost</th></tr></thead><tbody>${rows.join('')}</tbody></table>${versus}`
}

function blockSection(block: BlockReport, index: number): string {
  const title = block.mode === 'optimize' ? 'optimization' : 'regression check'
  return (
    `<section class="block" id="block-${index}"><h2>${e(block.block)} <span class="muted">— ${title}</span></h2>` +
    `${scoresSvg(block.scores)}${scoresLegend(block)}${scoreTable(block)}${historySection(block.history)}${trajectorySection(block)}` +
    (block.predictors ? `<h3>Program changes (proposal vs snapshot)</h3>${block.predictors.map(predictorSection).join('')}` : '') +
    `${caseSection(block, index)}${usageSection(block.usage)}</section>`
  )
}

/**
 * The report as one self-contained HTML page: inline styles, inline SVG charts (with their numbers
 * in tables too), and a few lines of inline script for the case filters; every table is readable
 * without script. A content security policy forbids any network access from the page.
 */
export function renderReportHtml(report: Report): string {
  const optimize = report.blocks.some((b) => b.mode === 'optimize')
  const title = `${optimize ? 'Optimization' : 'Regression'} report: ${report.file}`
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(title)}</title><style>${CSS}${HISTORY_CSS}${TRACE_CSS}</style></head><body>` +
    `<h1>${e(title)}</h1><p class="muted">${e(report.library)} · ${report.blocks.length} block(s) · data in the <code>.report.json</code> file beside this page</p>` +
    `${report.blocks.map(blockSection).join('')}` +
    `<noscript><p class="muted">Case filters need JavaScript; every case is listed above.</p></noscript><script>${SCRIPT}</script></body></html>\n`
  )
}
