import type { ProgramState } from '../core/module/state.js'
import { canonicalJson } from '../internal/json/canonical.js'
import { own } from '../internal/json/dict.js'
import { diffLines, type DiffLine } from './line-diff.js'
import type { SplitScores } from './types.js'

/** Scores of the snapshot and of the proposal, per split. */
export interface ScoreComparison {
  /** Split name. */
  split: 'trainset' | 'devset'
  /** Snapshot baseline, when there is one. */
  before: SplitScores | undefined
  /** The proposed program. */
  after: SplitScores
}

const fmt = (x: number): string => x.toFixed(3)

/** Flags the optimizer keeps on demos for its own bookkeeping; not shown to reviewers. */
export const INTERNAL_DEMO_KEYS: ReadonlySet<string> = new Set(['augmented'])

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** A demo as `field: value` pairs on one line (internal flags left out, long values cut). */
function shortDemo(demo: unknown): string {
  if (demo === null || typeof demo !== 'object' || Array.isArray(demo)) return clip(canonicalJson(demo), 160)
  const parts = Object.entries(demo as Record<string, unknown>)
    .filter(([k]) => !INTERNAL_DEMO_KEYS.has(k))
    .map(([k, v]) => `${k}: ${clip(typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v), 80)}`)
  return parts.join(' · ')
}

/**
 * Diff lines with repeated added or removed lines shown once, with `(×n)` when they repeat; added or
 * removed blank lines (the breaks between paragraphs) are left out.
 */
function collapseRepeats(all: DiffLine[]): string[] {
  const diff = all.filter((d) => d.op === ' ' || d.text.trim() !== '')
  const counts = new Map<string, number>()
  for (const d of diff) if (d.op !== ' ') counts.set(`${d.op}${d.text}`, (counts.get(`${d.op}${d.text}`) ?? 0) + 1)
  const shown = new Set<string>()
  const out: string[] = []
  for (const d of diff) {
    const key = `${d.op}${d.text}`
    if (d.op === ' ') out.push(`  ${d.text}`)
    else if (!shown.has(key)) {
      shown.add(key)
      const n = counts.get(key) ?? 1
      out.push(`${d.op} ${d.text}${n > 1 ? ` (×${n})` : ''}`)
    }
  }
  return out
}

/**
 * Renders the proposed program against the snapshot: per predictor an instruction line diff and
 * the demos added/removed, then the score deltas per split. Plain text, one item per line; an
 * added line that repeats is shown once with its count, demos as `field: value` pairs.
 */
export function formatProgramDiff(block: string, before: ProgramState | null | undefined, after: ProgramState, scores: ScoreComparison[]): string {
  const lines: string[] = [`[simba] proposed program for "${block}"${before ? '' : ' (no snapshot yet)'}:`]
  const names = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].sort()
  for (const name of names) {
    const b = own(before, name)
    const a = own(after, name)
    lines.push(`  predictor ${name}:`)
    const diff = diffLines(b?.instructions ?? '', a?.instructions ?? '')
    if (diff.every((d) => d.op === ' ')) lines.push('    instructions: unchanged')
    else {
      lines.push('    instructions:')
      for (const l of collapseRepeats(diff)) lines.push(`    ${l}`)
    }
    // Compared by canonical JSON, shown in the demo's own field order.
    const beforeDemos = new Map((b?.demos ?? []).map((d) => [canonicalJson(d), d]))
    const afterDemos = new Map((a?.demos ?? []).map((d) => [canonicalJson(d), d]))
    const added = [...afterDemos].filter(([k]) => !beforeDemos.has(k))
    const removed = [...beforeDemos].filter(([k]) => !afterDemos.has(k))
    lines.push(`    demos: ${afterDemos.size} (${added.length} added, ${removed.length} removed)`)
    for (const [, d] of removed) lines.push(`    - demo ${shortDemo(d)}`)
    for (const [, d] of added) lines.push(`    + demo ${shortDemo(d)}`)
  }
  for (const s of scores) {
    const base = s.before ? fmt(s.before.mean) : 'n/a'
    const delta = s.before ? ` (${s.after.mean - s.before.mean >= 0 ? '+' : ''}${fmt(s.after.mean - s.before.mean)})` : ''
    lines.push(`  ${s.split}: ${fmt(s.after.mean)} vs snapshot ${base}${delta}`)
  }
  return lines.join('\n')
}
