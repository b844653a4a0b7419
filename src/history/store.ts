/**
 * The history file: appending a block's record under the file's lock, setting aside a file that
 * cannot be read (corrupt, cut short, foreign, or of a newer format) and capping it to the last
 * runs of each block. Nothing here throws into a test run: the caller turns errors into a warning.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { sweepOrphanTemps, writeFileAtomic, writeCause } from '../internal/fs/atomic-write.js'
import { withFileLock } from '../internal/fs/lock.js'
import { scanHistory, serializeRecord } from './format.js'
import { DEFAULT_HISTORY_KEEP, type HistoryRecord } from './types.js'

/** What {@link appendHistory} did. */
export interface AppendResult {
  /** The block's earlier records, oldest first (empty for its first run, or after a file was set aside). */
  previous: HistoryRecord[]
  /** One line for the user when the old file was set aside (names both files), else undefined. */
  warning?: string
}

/** `2026-12-07T00-15-02-123Z`: a time usable in a file name. */
const stamp = (now: Date): string => now.toISOString().replace(/[:.]/g, '-')

/** A free name `<file>.<what>-<time>` (a counter is added when two set-asides share a millisecond). */
function asideName(file: string, what: string, now: Date): string {
  const base = `${file}.${what}-${stamp(now)}`
  if (!existsSync(base)) return base
  for (let n = 2; ; n++) if (!existsSync(`${base}-${n}`)) return `${base}-${n}`
}

/**
 * Appends `record` as one line to the history `file` and returns the same block's earlier records.
 * Runs under the file's lock (concurrent runs and workers append one after another, never over each
 * other); the line is appended in one write, and a failed write is cut back so earlier lines stay
 * whole. A file that does not parse is renamed to `<file>.corrupt-<time>` (`.newer-<time>` when a
 * newer vitest-simba wrote it; never overwritten) and a fresh file started, with a warning. When the
 * block has a fifth more than `keep` records, the file is rewritten atomically with its last `keep`. A
 * folder it creates gets a `.gitignore` (the history is local, not for the repository).
 */
export function appendHistory(file: string, record: HistoryRecord, opts: { keep?: number; now?: Date } = {}): AppendResult {
  const keep = Math.max(1, opts.keep ?? DEFAULT_HISTORY_KEEP)
  const now = opts.now ?? new Date()
  const dir = dirname(file)
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true })
    try {
      writeFileSync(join(dir, '.gitignore'), '# Local vitest-simba score history: not for the repository.\n*\n', { flag: 'wx' })
    } catch (error) {
      // Another worker created the folder at the same moment and wrote it.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  return withFileLock(file, () => {
    // Temp files of a rewrite whose process was killed.
    sweepOrphanTemps(file)
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    let scanned = scanHistory(text, record)
    let warning: string | undefined
    if (scanned.problem) {
      const p = scanned.problem
      const aside = asideName(file, p.kind === 'newer' ? 'newer' : 'corrupt', now)
      renameSync(file, aside)
      scanned = { previous: [], lines: [] }
      warning =
        p.kind === 'newer'
          ? `[simba] history ${file} was written by a newer vitest-simba (format ${p.version}, line ${p.line}); moved it to ${aside} and started a new one. Upgrade vitest-simba to keep using it.`
          : `[simba] history ${file} is not a vitest-simba history (line ${p.line}: ${p.reason}); moved it to ${aside} and started a new one.`
    }
    const { previous, lines } = scanned
    const line = serializeRecord(record)
    // Rewritten (and fsynced) only once the block is a fifth over `keep`, not on every run at the cap:
    // the block's last `keep` lines, every other block's lines as they were, in file order.
    if (previous.length + 1 > keep + Math.ceil(keep / 5)) {
      const drop = previous.length + 1 - keep
      let dropped = 0
      const kept = lines.filter((l) => !(l.mine && dropped++ < drop)).map((l) => `${l.raw}\n`)
      writeFileAtomic(file, `${kept.join('')}${line}`)
    } else {
      appendLine(file, line)
    }
    return { previous, ...(warning ? { warning } : {}) }
  })
}

/** Appends `line` with one O_APPEND write (continued if the kernel cuts it short); on failure the file is cut back to its old size. */
function appendLine(file: string, line: string): void {
  const data = Buffer.from(line, 'utf8')
  const fd = openSync(file, 'a')
  let size = 0
  try {
    size = fstatSync(fd).size
    let written = 0
    while (written < data.length) {
      const n = writeSync(fd, data, written, data.length - written)
      if (n <= 0) throw Object.assign(new Error(`wrote ${written} of ${data.length} bytes`), { code: 'ENOSPC' })
      written += n
    }
  } catch (error) {
    try {
      ftruncateSync(fd, size)
    } catch {
      // the append error is the one to report
    }
    throw new Error(`could not append to ${file}: ${writeCause(error)}`, { cause: error })
  } finally {
    closeSync(fd)
  }
}
