/**
 * HTML of a case's trace: a collapsed row under the case's row (same filter groups, so the case
 * filters show and hide both) listing every LM call (predictor, model, replayed/live/cached,
 * tokens, the messages sent, the completion, the parsed outputs or the parse error) and every tool
 * call (name, arguments, result or error, replayed/live). Text is escaped; the report's strings
 * are already masked.
 */
import { escapeHtml as e } from './svg.js'
import { TRACES_HOW } from './trace.js'
import type { BlockReport, ReportCall, ReportCase, ReportLMCall, ReportToolCall } from './types.js'

/** Styles of the trace rows (added to the page's style sheet). */
export const TRACE_CSS = `
tr.trace-row>td{border-bottom:1px solid var(--line);padding:0 8px 6px 24px}
details.trace>summary{cursor:pointer;color:var(--muted);font-size:12.5px}
ol.calls{margin:6px 0;padding-left:22px}ol.calls>li{margin:6px 0;padding:4px 8px;border-left:3px solid var(--line);background:var(--soft)}
ol.calls>li.tool{border-left-color:#8a6bd1}ol.calls>li.failed,ol.calls>li.parse-failed{border-left-color:var(--red)}
.call-head code{font-weight:600}.origin{display:inline-block;padding:0 6px;border-radius:8px;font-size:11.5px;background:#fff;border:1px solid var(--line)}
.origin-live{color:#11552f;border-color:#9fd3b4}.origin-replayed{color:#2d3a7a;border-color:#b9c1ea}.origin-cached{color:var(--muted)}.origin-failed,.origin-not-run{color:#7d1f1f;border-color:#e6b3b3}
.trace pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:2px 0 4px;padding:4px 6px;background:#fff;border:1px solid var(--line);max-height:420px;overflow:auto}
.trace .label{font-size:12px;color:var(--muted);margin-top:4px}.trace .msg .label{text-transform:uppercase;letter-spacing:.03em}
.trace .problem{color:#7d1f1f}details.messages>summary{cursor:pointer;font-size:12.5px;color:var(--muted)}
p.trace-note{background:#fdf1dc;border:1px solid #f0d9ae;padding:4px 10px;color:#7a4d0c}
`

const fmtInt = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
const plural = (n: number, word: string): string => `${fmtInt(n)} ${word}${n === 1 ? '' : 's'}`

/** One line that sums up a trace: LM calls by origin, tool calls, tokens. */
export function traceSummary(calls: readonly ReportCall[]): string {
  const lm = calls.filter((c): c is ReportLMCall => c.kind === 'lm')
  const tools = calls.filter((c): c is ReportToolCall => c.kind === 'tool')
  const by = (origin: string, list: readonly ReportCall[]): number => list.filter((c) => c.origin === origin).length
  const origins = (['replayed', 'live', 'cached', 'failed', 'not-run'] as const)
    .map((o) => [o, by(o, calls)] as const)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${n} ${o}`)
    .join(', ')
  const tokens = lm.reduce((sum, c) => sum + (c.tokens?.total ?? 0), 0)
  const parts = [plural(lm.length, 'LM call')]
  if (tools.length > 0) parts.push(plural(tools.length, 'tool call'))
  return `${parts.join(', ')}${origins ? ` (${origins})` : ''}${tokens > 0 ? ` · ${fmtInt(tokens)} tokens` : ''}`
}

/** What the messages of a call hold: system, demo turns, the input. */
function messagesSummary(c: ReportLMCall): string {
  const demos = c.messages.filter((m) => m.role === 'assistant').length
  return `${plural(c.messages.length, 'message')} sent${demos > 0 ? ` (${plural(demos, 'demo')})` : ''}`
}

function lmCall(c: ReportLMCall): string {
  const tokens = c.tokens ? ` · ${fmtInt(c.tokens.prompt)} + ${fmtInt(c.tokens.completion)} tokens` : ''
  const cls = c.error !== undefined ? 'failed' : c.parseError !== undefined ? 'parse-failed' : ''
  const head = `<div class="call-head">LM call of <code>${e(c.predictor)}</code> · ${e(c.model)}${c.adapter !== 'chat' ? ` · ${e(c.adapter)} adapter` : ''} · <span class="origin origin-${c.origin}">${c.origin}</span>${tokens}</div>`
  const messages = c.messages.map((m) => `<div class="msg role-${e(m.role)}"><div class="label">${e(m.role)}</div><pre>${e(m.content)}</pre></div>`).join('')
  const body =
    `<details class="messages"><summary>${messagesSummary(c)}</summary>${messages}</details>` +
    (c.completion !== undefined ? `<div class="label">completion</div><pre class="completion">${e(c.completion)}</pre>` : '') +
    (c.outputs !== undefined ? `<div class="label">parsed</div><pre class="parsed">${e(c.outputs)}</pre>` : '') +
    (c.parseError !== undefined ? `<div class="label">parse error</div><pre class="problem parse-error">${e(c.parseError)}</pre>` : '') +
    (c.error !== undefined ? `<div class="label">call failed</div><pre class="problem call-error">${e(c.error)}</pre>` : '')
  return `<li class="lm ${cls}">${head}${body}</li>`
}

function toolCall(c: ReportToolCall): string {
  const outcome =
    c.error !== undefined ? `<div class="label">error</div><pre class="problem tool-error">${e(c.error)}</pre>` : `<div class="label">result</div><pre class="tool-result">${e(c.result ?? '')}</pre>`
  return `<li class="tool"><div class="call-head">tool call <code>${e(c.tool)}</code> <code class="args">${e(c.args)}</code> · <span class="origin origin-${c.origin}">${c.origin}</span></div>${outcome}</li>`
}

/** The calls of a trace as an ordered list. */
export function callsHtml(calls: readonly ReportCall[]): string {
  return `<ol class="calls">${calls.map((c) => (c.kind === 'lm' ? lmCall(c) : toolCall(c))).join('')}</ol>`
}

/**
 * The collapsed trace row under a case's row (empty when the case has no trace); `columns` is the
 * case table's width, `groups` the case row's filter groups (the trace row shows and hides with it).
 */
export function traceRow(c: ReportCase, columns: number, groups: string): string {
  if (c.calls === undefined) return ''
  const details = `<details class="trace"><summary>trace: ${e(traceSummary(c.calls))}</summary>${callsHtml(c.calls)}</details>`
  return `<tr class="trace-row" data-filters="${groups}" data-status="${c.status}"><td colspan="${columns}">${details}</td></tr>`
}

/** The note above a block's cases when traces were left out: how many, why, and how to get them. */
export function traceNote(block: BlockReport): string {
  const t = block.traces
  if (!t || t.leftOut === 0) return ''
  return `<p class="trace-note">Traces of ${plural(t.leftOut, 'passing case')} were left out because ${e(t.reason ?? 'the block is large')}; regressed, failing and flaky cases keep theirs. To get them all, ${e(TRACES_HOW)}.</p>`
}
