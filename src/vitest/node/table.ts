import type { SimbaBlockMeta, SimbaCaseMeta, SimbaFileMeta } from '../shared.js'

const f3 = (x: number | null): string => (x === null ? '-' : x.toFixed(3))

/** Renders rows as a plain-text table with a header and aligned columns. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** A block's meta plus the meta of its case tests that ran (from the same test file). */
export type BlockReport = SimbaBlockMeta & { caseMetas?: SimbaCaseMeta[] }

/** Case count and regressed/improved counts of one split, from the case tests' meta. */
function splitCounts(b: BlockReport, split: SimbaCaseMeta['split']): { cases: number; regressed: number; improved: number } | undefined {
  const metas = (b.caseMetas ?? []).filter((c) => c.split === split)
  if (metas.length === 0) return undefined
  return { cases: metas.length, regressed: metas.filter((c) => c.status === 'regressed').length, improved: metas.filter((c) => c.status === 'improved').length }
}

const sortBlocks = (blocks: BlockReport[]): BlockReport[] => [...blocks].sort((a, b) => a.file.localeCompare(b.file) || a.block.localeCompare(b.block))

/**
 * One line per block, sorted by file then block name (stable whatever the run order). `cases`,
 * `regressed` and `improved` all count the gating split named in the `split` column (`-` when no
 * case test of the block ran); the other split is summarised by {@link formatSplitNotes}.
 */
export function formatScoreTable(blocks: BlockReport[]): string {
  const rows = sortBlocks(blocks).map((b) => {
    const gate = splitCounts(b, b.split)
    return [
      b.block,
      b.split,
      String(b.cases),
      f3(b.mean),
      f3(b.baseline),
      b.baseline === null ? '-' : `${b.mean - b.baseline >= 0 ? '+' : ''}${(b.mean - b.baseline).toFixed(3)}`,
      gate ? String(gate.regressed) : '-',
      gate ? String(gate.improved) : '-',
      `${b.calls.live}/${b.calls.replayed}`,
      String(b.tokens),
      b.cost.toFixed(4),
    ]
  })
  const header = ['block', 'split', 'cases', 'mean', 'baseline', 'delta', 'regressed', 'improved', 'LM live/replayed', 'tokens', 'cost']
  return `vitest-simba scores\n${renderTable(header, rows)}`
}

/** One line per block whose non-gating split (the trainset when a devset gates) has case results. */
export function formatSplitNotes(blocks: BlockReport[]): string[] {
  const out: string[] = []
  for (const b of sortBlocks(blocks)) {
    const other = b.split === 'devset' ? 'trainset' : 'devset'
    const c = splitCounts(b, other)
    if (c) out.push(`${b.block}: ${other} (not gating) ${c.cases} cases, ${c.regressed} regressed, ${c.improved} improved`)
  }
  return out
}

/** Fixture and snapshot housekeeping lines per test file (only files with something to say). */
export function formatFileNotes(files: Array<{ file: string; meta: SimbaFileMeta }>): string[] {
  const out: string[] = []
  for (const { file, meta } of [...files].sort((a, b) => a.file.localeCompare(b.file))) {
    const fx = meta.fixtures
    if (fx && (fx.replayed || fx.recorded || fx.missing || fx.unused || fx.live)) {
      out.push(`fixtures ${file}: ${fx.replayed} replayed, ${fx.recorded} recorded, ${fx.missing} missing, ${fx.unused} unused, ${fx.live} live`)
    }
    const t = fx?.tools
    if (t) out.push(`tool calls ${file}: ${t.replayed} replayed, ${t.recorded} recorded, ${t.missing} missing, ${t.unused} unused, ${t.live} live`)
    if (meta.pruned.length > 0) out.push(`snapshot ${meta.snapshot}: pruned obsolete blocks ${meta.pruned.map((b) => `"${b}"`).join(', ')}`)
    const left = meta.obsolete.filter((b) => !meta.pruned.includes(b))
    if (left.length > 0) {
      out.push(`snapshot ${meta.snapshot}: obsolete blocks ${left.map((b) => `"${b}"`).join(', ')} (not defined in this run; run \`npx vitest run -u\` without filters to prune)`)
    }
  }
  return out
}
