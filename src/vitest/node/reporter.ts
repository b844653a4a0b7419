import type { Reporter, TestModule, Vitest } from 'vitest/node'
import type { SimbaBlockMeta, SimbaFileMeta } from '../shared.js'
import { formatFileNotes, formatScoreTable } from './table.js'

/** Collects block and file meta from finished modules (also works on merged blob reports). */
export function collectMeta(modules: ReadonlyArray<TestModule>): { blocks: SimbaBlockMeta[]; files: Array<{ file: string; meta: SimbaFileMeta }> } {
  const blocks: SimbaBlockMeta[] = []
  const files: Array<{ file: string; meta: SimbaFileMeta }> = []
  for (const m of modules) {
    const fileMeta = m.meta().simbaFile
    if (fileMeta) files.push({ file: m.relativeModuleId, meta: fileMeta })
    for (const s of m.children.allSuites()) {
      const meta = s.meta().simba
      if (meta?.kind === 'block') blocks.push(meta)
    }
  }
  return { blocks, files }
}

/**
 * Prints the score table at the end of the run, rebuilt from task meta only, so a
 * `--merge-reports` run prints the same table as the runs it merges.
 */
export class ScoreReporter implements Reporter {
  private vitest: Vitest | undefined

  /** Keeps the Vitest instance for its logger. */
  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  /** Prints the table and the fixture/snapshot notes. */
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const { blocks, files } = collectMeta(modules)
    const notes = formatFileNotes(files)
    if (blocks.length === 0 && notes.length === 0) return
    const text = [blocks.length > 0 ? formatScoreTable(blocks) : '', ...notes].filter(Boolean).join('\n')
    const log = this.vitest?.logger
    if (log) log.log(`\n${text}\n`)
    else process.stdout.write(`\n${text}\n`)
  }
}
