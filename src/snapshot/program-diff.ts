import type { ProgramState } from '../core/module/state.js'
import { canonicalJson } from '../internal/json/canonical.js'
import { diffLines } from './line-diff.js'
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

function shortDemo(demo: unknown): string {
  const text = canonicalJson(demo)
  return text.length > 160 ? `${text.slice(0, 157)}...` : text
}

/**
 * Renders the proposed program against the snapshot: per predictor an instruction line diff and
 * the demos added/removed, then the score deltas per split. Plain text, one item per line.
 */
export function formatProgramDiff(block: string, before: ProgramState | null | undefined, after: ProgramState, scores: ScoreComparison[]): string {
  const lines: string[] = [`[simba] proposed program for "${block}"${before ? '' : ' (no snapshot yet)'}:`]
  const names = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].sort()
  for (const name of names) {
    const b = before?.[name]
    const a = after[name]
    lines.push(`  predictor ${name}:`)
    const diff = diffLines(b?.instructions ?? '', a?.instructions ?? '')
    if (diff.every((d) => d.op === ' ')) lines.push('    instructions: unchanged')
    else {
      lines.push('    instructions:')
      for (const d of diff) lines.push(`    ${d.op} ${d.text}`)
    }
    const beforeDemos = new Set((b?.demos ?? []).map((d) => canonicalJson(d)))
    const afterDemos = new Set((a?.demos ?? []).map((d) => canonicalJson(d)))
    const added = [...afterDemos].filter((d) => !beforeDemos.has(d))
    const removed = [...beforeDemos].filter((d) => !afterDemos.has(d))
    lines.push(`    demos: ${afterDemos.size} (${added.length} added, ${removed.length} removed)`)
    for (const d of removed) lines.push(`    - demo ${shortDemo(JSON.parse(d))}`)
    for (const d of added) lines.push(`    + demo ${shortDemo(JSON.parse(d))}`)
  }
  for (const s of scores) {
    const base = s.before ? fmt(s.before.mean) : 'n/a'
    const delta = s.before ? ` (${s.after.mean - s.before.mean >= 0 ? '+' : ''}${fmt(s.after.mean - s.before.mean)})` : ''
    lines.push(`  ${s.split}: ${fmt(s.after.mean)} vs snapshot ${base}${delta}`)
  }
  return lines.join('\n')
}
