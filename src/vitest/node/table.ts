import type { SimbaBlockMeta, SimbaFileMeta } from '../shared.js'

const f3 = (x: number | null): string => (x === null ? '-' : x.toFixed(3))

/** Renders rows as a plain-text table with a header and aligned columns. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** One line per block, sorted by file then block name (stable whatever the run order). */
export function formatScoreTable(blocks: SimbaBlockMeta[]): string {
  const sorted = [...blocks].sort((a, b) => a.file.localeCompare(b.file) || a.block.localeCompare(b.block))
  const rows = sorted.map((b) => [
    b.block,
    String(b.cases),
    f3(b.mean),
    f3(b.baseline),
    b.baseline === null ? '-' : `${b.mean - b.baseline >= 0 ? '+' : ''}${(b.mean - b.baseline).toFixed(3)}`,
    String(b.regressed.length),
    String(b.improved.length),
    `${b.calls.live}/${b.calls.replayed}`,
    String(b.tokens),
    b.cost.toFixed(4),
  ])
  const header = ['block', 'cases', 'mean', 'baseline', 'delta', 'regressed', 'improved', 'LM live/replayed', 'tokens', 'cost']
  return `vitest-simba scores\n${renderTable(header, rows)}`
}

/** Fixture and snapshot housekeeping lines per test file (only files with something to say). */
export function formatFileNotes(files: Array<{ file: string; meta: SimbaFileMeta }>): string[] {
  const out: string[] = []
  for (const { file, meta } of [...files].sort((a, b) => a.file.localeCompare(b.file))) {
    const fx = meta.fixtures
    if (fx && (fx.replayed || fx.recorded || fx.missing || fx.unused || fx.live)) {
      out.push(`fixtures ${file}: ${fx.replayed} replayed, ${fx.recorded} recorded, ${fx.missing} missing, ${fx.unused} unused, ${fx.live} live`)
    }
    if (meta.pruned.length > 0) out.push(`snapshot ${meta.snapshot}: pruned obsolete blocks ${meta.pruned.map((b) => `"${b}"`).join(', ')}`)
    const left = meta.obsolete.filter((b) => !meta.pruned.includes(b))
    if (left.length > 0) {
      out.push(`snapshot ${meta.snapshot}: obsolete blocks ${left.map((b) => `"${b}"`).join(', ')} (not defined in this run; run \`npx vitest run -u\` without filters to prune)`)
    }
  }
  return out
}
