/**
 * The report's history section: a small chart of the gating mean over the block's last runs (from
 * the local score history) and the cases whose pass state changed since the previous run.
 */
import type { HistoryView } from '../history/types.js'
import { escapeHtml as e, fmtScore } from './svg.js'

/** Styles of the history section (added to the page's style sheet). */
export const HISTORY_CSS = `
.chart.history .history-line{fill:none;stroke:var(--blue);stroke-width:2}.chart.history .run{fill:var(--blue)}.chart.history .run.optimize{fill:#fff;stroke:var(--blue);stroke-width:2}
.chart.history .run.current{fill:var(--green);stroke:none}table.history-changed{width:auto;min-width:480px}
.state{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px}.state-pass{background:#e3f6e9;color:#11552f}.state-fail,.state-error{background:#fbe6e6;color:#7d1f1f}.state-flaky{background:#eef0fb;color:#2d3a7a}
`

const W = 480
const H = 140
const PAD = { left: 40, right: 12, top: 10, bottom: 24 }
const r2 = (x: number): string => (Math.round(x * 100) / 100).toString()
const when = (date: string, commit: string | null): string => `${date.slice(0, 16).replace('T', ' ')} UTC${commit ? `, commit ${commit.slice(0, 8)}` : ''}`

/** Inline SVG of the gating mean over the last runs (oldest left, this run right, in green; hollow marks are optimize runs). */
export function historySvg(view: HistoryView): string {
  const pts = view.points
  const plotW = W - PAD.left - PAD.right
  const plotH = H - PAD.top - PAD.bottom
  const x = (i: number): number => PAD.left + (pts.length === 1 ? plotW / 2 : (i / (pts.length - 1)) * plotW)
  const y = (v: number): number => PAD.top + (1 - Math.max(0, Math.min(1, v))) * plotH
  const out: string[] = [`<svg class="chart history" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Mean score on ${view.split} over the last ${pts.length} runs">`]
  for (const v of [0, 0.5, 1]) {
    out.push(`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${r2(y(v))}" y2="${r2(y(v))}"/>`)
    out.push(`<text class="axis" x="${PAD.left - 6}" y="${r2(y(v) + 4)}" text-anchor="end">${v.toFixed(1)}</text>`)
  }
  out.push(`<text class="axis" x="${PAD.left}" y="${H - 6}">${pts.length > 1 ? `${pts.length - 1} run${pts.length === 2 ? '' : 's'} ago` : ''}</text>`)
  out.push(`<text class="axis" x="${W - PAD.right}" y="${H - 6}" text-anchor="end">this run</text>`)
  if (pts.length > 1) out.push(`<polyline class="history-line" points="${pts.map((p, i) => `${r2(x(i))},${r2(y(p.mean))}`).join(' ')}"/>`)
  pts.forEach((p, i) => {
    const current = i === pts.length - 1
    const cls = `run${p.mode === 'optimize' ? ' optimize' : ''}${current ? ' current' : ''}`
    out.push(`<circle class="${cls}" cx="${r2(x(i))}" cy="${r2(y(p.mean))}" r="${current ? 5 : 4}"><title>${current ? 'this run' : e(when(p.date, p.commit))}${p.mode === 'optimize' ? ' (optimized proposal)' : ''}: ${fmtScore(p.mean)}</title></circle>`)
  })
  out.push('</svg>')
  return out.join('')
}

/** Largest number of changed cases listed (the rest are counted). */
const MAX_LISTED = 50

/** The history section of a block (empty without history). */
export function historySection(view: HistoryView | undefined): string {
  if (!view) return ''
  const means = view.points.map((p) => fmtScore(p.mean)).join(' → ')
  const head =
    `<h3>History</h3>${historySvg(view)}` +
    `<p class="muted history-means">Mean on ${view.split} over the last ${view.points.length} run${view.points.length === 1 ? '' : 's'} (oldest first): ${means}. Hollow marks are optimized proposals.</p>`
  if (!view.previous) return `${head}<p class="history-changes">First run in the history: nothing to compare with yet.</p>`
  const since = `since the previous run (${e(when(view.previous.date, view.previous.commit))})`
  const added = view.added > 0 ? `<p class="muted history-added">${view.added} case${view.added === 1 ? ' is' : 's are'} new since then.</p>` : ''
  if (view.changed.length === 0) return `${head}<p class="history-changes">No case changed between pass and fail ${since}.</p>${added}`
  const rows = view.changed
    .slice(0, MAX_LISTED)
    .map((c) => `<tr><td>${c.split === 'devset' ? 'dev' : 'train'}</td><td>${e(c.name)}</td><td><span class="state state-${c.from}">${c.from}</span> → <span class="state state-${c.to}">${c.to}</span></td></tr>`)
    .join('')
  const more = view.changed.length > MAX_LISTED ? `<p class="muted">… and ${view.changed.length - MAX_LISTED} more.</p>` : ''
  return (
    `${head}<p class="history-changes">${view.changed.length} case${view.changed.length === 1 ? '' : 's'} changed ${since}:</p>` +
    `<table class="history-changed"><thead><tr><th>split</th><th>case</th><th>then → now</th></tr></thead><tbody>${rows}</tbody></table>${more}${added}`
  )
}
