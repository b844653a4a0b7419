/**
 * `vitest-simba inspect <test file> [--case <name>] [--block <name>] [--report <dir>]`: prints one
 * case's trace (every LM and tool call of the last `--report` run) in the terminal, read from the
 * JSON report, without running anything. Without `--case` it lists the cases with their status.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { parseArgs } from 'node:util'
import { caseListText, caseText } from '../../report/trace-text.js'
import type { BlockReport, Report, ReportCase } from '../../report/types.js'
import { DEFAULT_REPORT_DIR } from './args.js'

/** What `inspect` prints and its exit code (0 found, 1 nothing to show, 2 bad arguments). */
export interface InspectResult {
  /** Exit code. */
  code: number
  /** Text for stdout (code 0) or stderr. */
  text: string
}

/** Usage line of `inspect`. */
export const INSPECT_USAGE = 'npx vitest-simba inspect <test file> [--case <name>] [--block <name>] [--report <dir>]'

const fail = (code: number, text: string): InspectResult => ({ code, text: `vitest-simba inspect: ${text}` })

/** Levenshtein distance (case-insensitive), for "did you mean" lists. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const row = [i]
    for (let j = 1; j <= y.length; j++) row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[y.length] as number
}

/** Up to `max` names nearest to `wanted`: those containing it (or contained in it) first, then the closest spellings. */
export function nearNames(wanted: string, names: readonly string[], max = 5): string[] {
  const w = wanted.toLowerCase()
  const scored = [...new Set(names)].map((n) => {
    const l = n.toLowerCase()
    const contains = l.includes(w) || w.includes(l)
    return { n, score: contains ? -1 : distance(w, l) / Math.max(1, Math.max(w.length, l.length)) }
  })
  return scored
    .filter((s) => s.score < 0.5)
    .sort((a, b) => a.score - b.score || a.n.localeCompare(b.n))
    .slice(0, max)
    .map((s) => s.n)
}

/** Every `*.report.json` under `dir`. */
function reportFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name)
      if (entry.isDirectory()) walk(p)
      else if (entry.name.endsWith('.report.json')) out.push(p)
    }
  }
  walk(dir)
  return out.sort()
}

/** The report files of a test file: its path under the report folder, else any report whose `file` names it. */
function findReports(dir: string, testFile: string, cwd: string): string[] {
  const abs = resolve(cwd, testFile)
  const rel = relative(cwd, abs)
  const direct = join(dir, `${rel}.report.json`)
  if (!rel.startsWith('..') && !isAbsolute(rel) && existsSync(direct)) return [direct]
  const want = rel.split(sep).join('/')
  return reportFiles(dir).filter((f) => {
    const name = relative(dir, f).split(sep).join('/').replace(/\.report\.json$/, '')
    return name === want || name.endsWith(`/${want}`) || want.endsWith(`/${name}`)
  })
}

function readReport(path: string): Report | string {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    return `${path} is not a readable report (${(error as Error).message}); write it again with --report`
  }
  const r = data as Partial<Report>
  if (typeof r.version === 'number' && r.version > 1) return `${path} was written by a newer vitest-simba (report version ${r.version}); upgrade vitest-simba`
  if (r.version !== 1 || !Array.isArray(r.blocks)) return `${path} is not a vitest-simba report; write it again with --report`
  return r as Report
}

/** Runs `inspect` on its arguments (those after `inspect`), from working directory `cwd`. */
export function inspect(argv: readonly string[], cwd = process.cwd()): InspectResult {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    return fail(2, `${(error as Error).message}\nUsage: ${INSPECT_USAGE}`)
  }
  const { values, positionals } = parsed
  if (values.help) return { code: 0, text: `Usage: ${INSPECT_USAGE}\n\nPrints a case's LM and tool calls from the last run's report (written by --report); without --case, lists the cases.` }
  if (positionals.length !== 1) return fail(2, `give exactly one test file${positionals.length > 1 ? ` (got ${positionals.join(', ')})` : ''}.\nUsage: ${INSPECT_USAGE}`)
  const testFile = positionals[0] as string
  const dir = resolve(cwd, values.report ?? DEFAULT_REPORT_DIR)
  const writes = `\`npx vitest-simba run --report${values.report !== undefined ? `=${values.report}` : ''} ${testFile}\``
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return fail(1, `no report folder ${relative(cwd, dir) || dir}/ yet. Reports are written by ${writes}; run it first.`)
  const files = findReports(dir, testFile, cwd)
  if (files.length === 0) return fail(1, `no report for ${testFile} in ${relative(cwd, dir) || dir}/. It is written by ${writes}; run it first.`)
  if (files.length > 1) return fail(1, `several reports match ${testFile} (one per project): ${files.map((f) => relative(cwd, f)).join(', ')}. Pass the report folder of one project with --report.`)
  const report = readReport(files[0] as string)
  if (typeof report === 'string') return fail(1, report)

  let blocks: BlockReport[] = report.blocks
  if (values.block !== undefined) {
    blocks = report.blocks.filter((b) => b.block === values.block)
    if (blocks.length === 0) {
      const near = nearNames(values.block, report.blocks.map((b) => b.block))
      return fail(1, `no block "${values.block}" in the report of ${report.file}. ${near.length > 0 ? `Did you mean: ${near.map((n) => `"${n}"`).join(', ')}? ` : ''}Blocks: ${report.blocks.map((b) => `"${b.block}"`).join(', ')}.`)
    }
  }
  if (values.case === undefined) return { code: 0, text: `${report.file} (${report.library}):\n${blocks.map(caseListText).join('\n\n')}\n\nShow one case's trace: ${INSPECT_USAGE.replace('<test file>', testFile)}` }
  const wanted = values.case
  const hits: Array<{ block: BlockReport; c: ReportCase }> = []
  for (const block of blocks) for (const c of block.cases) if (c.name === wanted) hits.push({ block, c })
  if (hits.length === 0) {
    const names = blocks.flatMap((b) => b.cases.map((c) => c.name))
    const near = nearNames(wanted, names)
    return fail(1, `no case "${wanted}" in ${values.block !== undefined ? `block "${values.block}" of ` : ''}the report of ${report.file}.${near.length > 0 ? ` Near names: ${near.map((n) => `"${n}"`).join(', ')}.` : ''} List the cases with \`npx vitest-simba inspect ${testFile}\`.`)
  }
  return { code: 0, text: hits.map((h) => caseText(h.block, h.c)).join('\n\n') }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: { case: { type: 'string' }, block: { type: 'string' }, report: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  })
}
