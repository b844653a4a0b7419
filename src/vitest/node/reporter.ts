import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { PROGRESS_MARK, type SimbaBlockMeta, type SimbaCaseMeta, type SimbaFileMeta } from '../shared.js'
import { formatFileNotes, formatScoreTable, formatSplitNotes, type BlockReport } from './table.js'
import { formatSummary, summaryTargets, writeSummary, type SummaryBlock } from './summary.js'

/** A console log Vitest hands to reporters (only the content is read). */
type UserConsoleLog = Parameters<NonNullable<Reporter['onUserConsoleLog']>>[0]

/**
 * Collects block, case and file meta from finished modules (also works on merged blob reports).
 * Each block carries the meta of its own file's case tests that ran.
 */
export function collectMeta(modules: ReadonlyArray<TestModule>): { blocks: BlockReport[]; files: Array<{ file: string; meta: SimbaFileMeta }> } {
  const blocks: BlockReport[] = []
  const files: Array<{ file: string; meta: SimbaFileMeta }> = []
  for (const m of modules) {
    const fileMeta = m.meta().simbaFile
    if (fileMeta) files.push({ file: m.relativeModuleId, meta: fileMeta })
    const cases: SimbaCaseMeta[] = []
    for (const t of m.children.allTests()) {
      const meta = t.meta().simba
      if (meta?.kind === 'case') cases.push(meta)
    }
    for (const s of m.children.allSuites()) {
      const meta: SimbaBlockMeta | SimbaCaseMeta | undefined = s.meta().simba
      if (meta?.kind === 'block') blocks.push({ ...meta, caseMetas: cases.filter((c) => c.block === meta.block) })
    }
  }
  return { blocks, files }
}

/** Blocks with their case metas and whether any of their tests (cases or mean) failed, per test module. */
export function summaryBlocks(modules: ReadonlyArray<TestModule>): SummaryBlock[] {
  const out: SummaryBlock[] = []
  for (const m of modules) {
    const failed = new Set<string>()
    for (const t of m.children.allTests()) {
      const meta = t.meta().simba
      if (meta && t.result().state === 'failed') failed.add(meta.block)
    }
    for (const b of collectMeta([m]).blocks) out.push({ ...b, failed: failed.has(b.block) })
  }
  return out
}

/** True for a worker's optimization progress line (printed by {@link ScoreReporter}, skipped by the others). */
export function isProgressLog(content: string): boolean {
  return content.includes(PROGRESS_MARK)
}

/** Reporters that write their whole report to stdout unless given an output file. */
const STDOUT_REPORTS = new Set(['json', 'junit', 'tap', 'tap-flat'])

/**
 * True when another configured reporter writes a machine-readable report (JSON, JUnit, TAP) to
 * stdout, which the score table must then not corrupt.
 */
export function machineReportOnStdout(config: { reporters?: unknown; outputFile?: unknown }): boolean {
  const reporters = Array.isArray(config.reporters) ? (config.reporters as unknown[]) : []
  return reporters.some((r) => {
    const [name, options] = typeof r === 'string' ? [r, undefined] : Array.isArray(r) ? [r[0], r[1]] : [undefined, undefined]
    if (typeof name !== 'string' || !STDOUT_REPORTS.has(name)) return false
    if ((options as { outputFile?: unknown } | undefined)?.outputFile) return false
    const out = config.outputFile
    return !(typeof out === 'string' ? out : out && typeof out === 'object' ? (out as Record<string, unknown>)[name] : undefined)
  })
}

/**
 * Prints the score table at the end of the run, rebuilt from task meta only, so a
 * `--merge-reports` run prints the same table as the runs it merges. It goes to stdout next to
 * the human reporters, and to stderr when a JSON, JUnit or TAP report owns stdout.
 */
export class ScoreReporter implements Reporter {
  private vitest: Vitest | undefined

  /** `summary`: the plugin's `summary` file option (a Markdown summary of the run is also written there). */
  constructor(private readonly options: { summary?: string } = {}) {}

  /** Keeps the Vitest instance for its logger and reporter settings. */
  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  /**
   * Prints a worker's optimization progress line as a plain line of its own (Vitest's reporters
   * skip these): on stdout, or on stderr when a machine-readable
   * report owns stdout.
   */
  onUserConsoleLog(log: UserConsoleLog): void {
    if (!isProgressLog(log.content)) return
    // Vitest may merge logs that arrive together into one content; every mark is removed.
    this.print(log.content.split(PROGRESS_MARK).join('').replace(/\n$/, ''))
  }

  /** Prints the table, the non-gating split lines and the fixture/snapshot notes. */
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const { blocks, files } = collectMeta(modules)
    const notes = [...formatSplitNotes(blocks), ...formatFileNotes(files)]
    if (blocks.length === 0 && notes.length === 0) return
    this.print(`\n${[blocks.length > 0 ? `${formatScoreTable(blocks)}\n` : '', ...notes].filter(Boolean).join('\n')}\n`)
    this.writeSummary(modules)
  }

  /** Writes the Markdown summary to `$GITHUB_STEP_SUMMARY` and the `--summary` file, when set; a failed write is a warning. */
  private writeSummary(modules: ReadonlyArray<TestModule>): void {
    const targets = summaryTargets(process.env, this.options.summary, this.vitest?.config.root ?? process.cwd())
    if (!targets.append && !targets.write) return
    const blocks = summaryBlocks(modules)
    if (blocks.length === 0) return
    for (const problem of writeSummary(formatSummary(blocks), targets)) {
      if (this.vitest) this.vitest.logger.error(problem)
      else process.stderr.write(`${problem}\n`)
    }
  }

  /** Writes `text` and a newline to stdout, or to stderr when a machine-readable report owns stdout. */
  private print(text: string): void {
    const toStderr = this.vitest ? machineReportOnStdout(this.vitest.config as { reporters?: unknown; outputFile?: unknown }) : false
    const log = this.vitest?.logger
    if (toStderr) {
      if (log) log.error(text)
      else process.stderr.write(`${text}\n`)
    } else if (log) log.log(text)
    else process.stdout.write(`${text}\n`)
  }
}
