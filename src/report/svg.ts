import { direction } from './model.js'
import type { ReportSplitScore, ReportTrajectory } from './types.js'

/** Escapes text for HTML/SVG element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'))
}

/** A score with 3 decimals (`n/a` for null/undefined). */
export function fmtScore(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(3)
}

const W = 760
const H = 280
const PAD = { left: 44, right: 16, top: 16, bottom: 40 }

/** Axis range covering [0, 1] and every finite value. */
function range(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite)
  return [Math.min(0, ...finite), Math.max(1, ...finite)]
}

const r2 = (x: number): string => (Math.round(x * 100) / 100).toString()

/**
 * Inline SVG of the score trajectory: per step every candidate's mini-batch score (grey dots), the
 * step winner (blue line), then the final column with this run's train/dev means (filled) against
 * the snapshot baseline (hollow). Every mark has a `<title>` with its numbers (shown on hover).
 */
export function trajectorySvg(trajectory: ReportTrajectory, scores: readonly ReportSplitScore[]): string {
  const steps = trajectory.steps
  const all: number[] = []
  for (const s of steps) {
    for (const c of s.candidates) if (c.score !== undefined) all.push(c.score)
    if (s.winner) all.push(s.winner.score)
  }
  for (const s of scores) {
    all.push(s.current)
    if (s.baseline !== null) all.push(s.baseline)
  }
  const [lo, hi] = range(all)
  const columns = steps.length + 1
  const plotW = W - PAD.left - PAD.right
  const plotH = H - PAD.top - PAD.bottom
  const x = (i: number): number => PAD.left + ((i + 0.5) / columns) * plotW
  const y = (v: number): number => PAD.top + (1 - (v - lo) / (hi - lo || 1)) * plotH
  const out: string[] = []
  out.push(`<svg class="chart trajectory" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Score per optimizer step">`)
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4
    out.push(`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${r2(y(v))}" y2="${r2(y(v))}"/>`)
    out.push(`<text class="axis" x="${PAD.left - 6}" y="${r2(y(v) + 4)}" text-anchor="end">${v.toFixed(2)}</text>`)
  }
  const every = Math.max(1, Math.ceil(steps.length / 16))
  steps.forEach((s, i) => {
    if (i % every === 0) out.push(`<text class="axis" x="${r2(x(i))}" y="${H - PAD.bottom + 16}" text-anchor="middle">${s.step + 1}</text>`)
  })
  out.push(`<text class="axis" x="${r2(x(steps.length))}" y="${H - PAD.bottom + 16}" text-anchor="middle">final</text>`)
  out.push(`<text class="axis" x="${r2(PAD.left + plotW / 2)}" y="${H - 6}" text-anchor="middle">step</text>`)
  const baseTrain = scores.find((s) => s.split === 'trainset')?.baseline ?? null
  if (baseTrain !== null) {
    out.push(`<line class="baseline" x1="${PAD.left}" x2="${W - PAD.right}" y1="${r2(y(baseTrain))}" y2="${r2(y(baseTrain))}"><title>snapshot trainset mean ${fmtScore(baseTrain)}</title></line>`)
  }
  steps.forEach((s, i) => {
    s.candidates.forEach((c, j) => {
      if (c.score === undefined) return
      const dx = s.candidates.length > 1 ? (j / (s.candidates.length - 1) - 0.5) * Math.min(14, plotW / columns / 2) : 0
      out.push(
        `<circle class="candidate" cx="${r2(x(i) + dx)}" cy="${r2(y(c.score))}" r="3.5"><title>step ${s.step + 1}, candidate ${c.id ?? '-'} (${escapeHtml(c.strategy)}, ${escapeHtml(c.outcome)}${c.reason ? `: ${escapeHtml(c.reason)}` : ''}): ${fmtScore(c.score)}</title></circle>`,
      )
    })
  })
  const winners = steps.map((s, i) => (s.winner ? [x(i), y(s.winner.score), s] as const : undefined)).filter((p) => p !== undefined)
  if (winners.length > 1) out.push(`<polyline class="winner-line" points="${winners.map(([px, py]) => `${r2(px)},${r2(py)}`).join(' ')}"/>`)
  for (const [px, py, s] of winners) {
    out.push(`<circle class="winner" cx="${r2(px)}" cy="${r2(py)}" r="5"><title>step ${s.step + 1} winner: candidate ${s.winner?.id}, ${fmtScore(s.winner?.score)}</title></circle>`)
  }
  const fx = x(steps.length)
  scores.forEach((s, k) => {
    const dx = (k - (scores.length - 1) / 2) * 14
    if (s.baseline !== null) {
      out.push(`<rect class="final-baseline ${s.split}" x="${r2(fx + dx - 5)}" y="${r2(y(s.baseline) - 5)}" width="10" height="10"><title>${s.split} snapshot baseline ${fmtScore(s.baseline)}</title></rect>`)
    }
    out.push(`<rect class="final-current ${s.split}" x="${r2(fx + dx - 5)}" y="${r2(y(s.current) - 5)}" width="10" height="10"><title>${s.split} this run ${fmtScore(s.current)}</title></rect>`)
  })
  out.push('</svg>')
  return out.join('')
}

/** Inline SVG bars of each split's mean: snapshot baseline against this run. */
export function scoresSvg(scores: readonly ReportSplitScore[]): string {
  const w = 360
  const rowH = 44
  const h = scores.length * rowH + 12
  const left = 70
  const barW = w - left - 60
  const out: string[] = [`<svg class="chart scores" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Mean score per split, baseline and this run">`]
  scores.forEach((s, i) => {
    const top = 6 + i * rowH
    const clamp = (v: number): number => Math.max(0, Math.min(1, v))
    out.push(`<text class="axis" x="${left - 6}" y="${top + 20}" text-anchor="end">${s.split}</text>`)
    if (s.baseline !== null) {
      out.push(`<rect class="bar-baseline" x="${left}" y="${top + 2}" width="${r2(clamp(s.baseline) * barW)}" height="14"><title>${s.split} snapshot baseline ${fmtScore(s.baseline)}</title></rect>`)
      out.push(`<text class="axis" x="${r2(left + clamp(s.baseline) * barW + 4)}" y="${top + 13}">${fmtScore(s.baseline)}</text>`)
    }
    // Coloured by direction against the baseline: green improved, red dropped, grey the same (or no baseline).
    const dir = direction(s.current, s.baseline)
    const said = dir === 'up' ? ', improved' : dir === 'down' ? ', dropped' : dir === 'same' ? ', same' : ''
    out.push(`<rect class="bar-current ${dir ?? 'none'}" x="${left}" y="${top + 20}" width="${r2(clamp(s.current) * barW)}" height="14"><title>${s.split} this run ${fmtScore(s.current)}${said}</title></rect>`)
    out.push(`<text class="axis" x="${r2(left + clamp(s.current) * barW + 4)}" y="${top + 31}">${fmtScore(s.current)}</text>`)
  })
  out.push('</svg>')
  return out.join('')
}
