/**
 * The run's Markdown summary for CI: per block the gating mean against the baseline, the counts of
 * regressed, improved, known-failing and flaky cases, the regressed cases by name, and where the
 * HTML reports went. Appended to `$GITHUB_STEP_SUMMARY` when set; written (overwritten atomically)
 * to `--summary <file>` / `SIMBA_SUMMARY` / the plugin's `summary` for other CI systems.
 */
import { appendFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { writeFileAtomic, writeCause } from '../../internal/fs/atomic-write.js'
import { maskSecrets } from '../../internal/secrets/secrets.js'
import type { BlockReport } from './table.js'

/** A block as the summary sees it: its meta, its case tests' meta, and whether any of its tests failed. */
export type SummaryBlock = BlockReport & { failed: boolean }

/** Regressed cases named per block before the rest are counted (`… and N more`). */
export const SUMMARY_MAX_NAMES = 20

/** Text for a Markdown table cell or list item: one line, Markdown and HTML characters escaped, cut at 200 characters. */
export function mdText(text: string, max = 200): string {
  const one = text.replace(/\s+/g, ' ').trim()
  const cut = one.length > max ? `${one.slice(0, max)}…` : one
  return cut.replace(/[\\`*_[\]<>|#~!]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`))
}

const f3 = (x: number): string => x.toFixed(3)
const signed = (x: number): string => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(3)}`
const sortBlocks = (blocks: readonly SummaryBlock[]): SummaryBlock[] => [...blocks].sort((a, b) => a.file.localeCompare(b.file) || a.block.localeCompare(b.block))
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/**
 * The summary as Markdown, secrets masked. Counts are over every case test of the block that ran
 * (both splits); the mean, baseline and delta are of the gating split. `reportDir` is where the
 * HTML reports would go when no block says where its page is.
 */
export function formatSummary(blocks: readonly SummaryBlock[], opts: { reportHint?: string } = {}): string {
  const sorted = sortBlocks(blocks)
  const failed = sorted.filter((b) => b.failed).length
  const lines: string[] = []
  lines.push(`## vitest-simba: ${failed === 0 ? `${plural(sorted.length, 'block')} passed` : `${failed} of ${plural(sorted.length, 'block')} failed`}`, '')
  const anyTrials = sorted.some((b) => b.trials !== undefined)
  lines.push(`| | block | file | gate | mean | baseline | delta | regressed | improved | known-failing${anyTrials ? ' | flaky' : ''} |`)
  lines.push(`|---|---|---|---|---:|---:|---:|---:|---:|---:${anyTrials ? '|---:' : ''}|`)
  for (const b of sorted) {
    const metas = b.caseMetas ?? []
    const count = (status: string): number => metas.filter((c) => c.status === status).length
    const mean = b.trials ? `${f3(b.mean)} ± ${b.trials.half.toFixed(3)}` : f3(b.mean)
    const cells = [
      b.failed ? '❌' : '✅',
      mdText(b.block),
      mdText(b.file),
      b.split,
      mean,
      b.baseline === null ? '–' : f3(b.baseline),
      b.baseline === null ? '–' : signed(b.mean - b.baseline),
      String(count('regressed')),
      String(count('improved')),
      String(count('known-failing')),
      ...(anyTrials ? [String(count('flaky'))] : []),
    ]
    lines.push(`| ${cells.join(' | ')} |`)
  }
  for (const b of sorted) {
    const regressed = (b.caseMetas ?? []).filter((c) => c.status === 'regressed').sort((x, y) => x.split.localeCompare(y.split) || (x.case < y.case ? -1 : x.case > y.case ? 1 : 0))
    if (regressed.length === 0) continue
    const bothSplits = new Set((b.caseMetas ?? []).map((c) => c.split)).size > 1
    lines.push('', `**${mdText(b.block)}** (${mdText(b.file)}): ${plural(regressed.length, 'regressed case')}`, '')
    for (const c of regressed.slice(0, SUMMARY_MAX_NAMES)) {
      const score = c.score === null ? 'error' : c.trials ? c.score.toFixed(3) : String(c.score)
      const base = c.baseline === null ? '–' : c.trials ? c.baseline.toFixed(3) : String(c.baseline)
      lines.push(`- ${mdText(c.case)}${bothSplits ? ` (${c.split})` : ''}: ${base} → ${score}`)
    }
    if (regressed.length > SUMMARY_MAX_NAMES) lines.push(`- … and ${regressed.length - SUMMARY_MAX_NAMES} more`)
  }
  const pages = [...new Set(sorted.map((b) => b.report).filter((p): p is string => p !== undefined))].sort()
  lines.push('')
  if (pages.length > 0) lines.push(`HTML report${pages.length === 1 ? '' : 's'}: ${pages.map((p) => `\`${p.replace(/`/g, '')}\``).join(', ')}`)
  else lines.push(opts.reportHint ?? 'No HTML report was written in this run; `npx vitest-simba run --report` writes one per test file.')
  return `${maskSecrets(lines.join('\n'))}\n`
}

/** Where the summary goes: `$GITHUB_STEP_SUMMARY` (appended) and a file (overwritten): `SIMBA_SUMMARY`, else the plugin's `summary`. */
export function summaryTargets(env: NodeJS.ProcessEnv, option: string | undefined, root: string): { append?: string; write?: string } {
  const step = env['GITHUB_STEP_SUMMARY']
  const file = env['SIMBA_SUMMARY'] || option
  return { ...(step ? { append: step } : {}), ...(file ? { write: resolve(root, file) } : {}) }
}

/** Writes the summary to its targets; returns one warning line per target that failed (never throws). */
export function writeSummary(markdown: string, targets: { append?: string; write?: string }): string[] {
  const problems: string[] = []
  if (targets.append) {
    try {
      appendFileSync(targets.append, `${markdown}\n`)
    } catch (error) {
      problems.push(`vitest-simba: could not append the summary to ${targets.append} (GITHUB_STEP_SUMMARY): ${writeCause(error)}`)
    }
  }
  if (targets.write) {
    try {
      writeFileAtomic(targets.write, markdown)
    } catch (error) {
      problems.push(`vitest-simba: could not write the summary: ${(error as Error).message.replace(/^\[vitest-simba\] /, '')}`)
    }
  }
  return problems
}
