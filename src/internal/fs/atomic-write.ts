import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { SimbaError } from '../../errors.js'
import { ownerGone } from './process.js'

let counter = 0
/** Temp files of writes in progress in this process, removed on exit if a write was interrupted. */
const inFlight = new Set<string>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const tmp of inFlight) rmSync(tmp, { force: true })
  })
}

/** The temp file name pattern of {@link writeFileAtomic}: `<name>.<pid>.<time>.<n>.tmp`. */
const TMP_RE = /^(.*)\.(\d+)\.(\d+)\.\d+\.tmp$/

/**
 * Removes temp files left next to `file` by writers that were killed mid-write (their process is
 * gone, or its pid now belongs to a process started after the temp file). Returns the removed paths.
 */
export function sweepOrphanTemps(file: string): string[] {
  const dir = dirname(file)
  const name = basename(file)
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const n of names) {
    const m = TMP_RE.exec(n)
    if (!m || m[1] !== name) continue
    if (Number(m[2]) === process.pid || !ownerGone(Number(m[2]), Number(m[3]))) continue
    rmSync(join(dir, n), { force: true })
    removed.push(join(dir, n))
  }
  return removed
}

/** What a failed write's errno means for the user, with what to do about it. */
const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on device; free some disk space and run again',
  EDQUOT: 'disk quota exceeded; free some space or raise the quota and run again',
  EFBIG: "file too large for the process's file-size limit (`ulimit -f`) or the file system; raise the limit and run again",
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
}

/** The cause of a failed file operation for messages: errno code and what it means (`ENOSPC (no space left …)`). */
export function writeCause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  return code ? `${code} (${CAUSES[code] ?? message})` : message
}

/** The error of a failed write: names the file and the cause, says the old file is intact. */
function writeError(file: string, error: unknown): SimbaError {
  return new SimbaError('SIMBA_WRITE', `could not write ${file}: ${writeCause(error)}. The file on disk was left unchanged.`, { cause: error })
}

/**
 * Writes `content` to `file` atomically: a temp file in the same folder, written in full (a write
 * the kernel cuts short, as on a full disk, is continued until every byte is down or it fails),
 * checked for its size, flushed to disk, then renamed over `file`. A reader never sees a
 * half-written file, and a failed or short write never replaces the old one: it throws
 * SIMBA_WRITE naming the file and the cause (ENOSPC, EFBIG, …) and removes its temp file. Temp
 * files of killed writers are swept first; this process's own are removed on exit.
 */
export function writeFileAtomic(file: string, content: string): void {
  const data = Buffer.from(content, 'utf8')
  const tmp = `${file}.${process.pid}.${Date.now()}.${counter++}.tmp`
  let fd: number | undefined
  try {
    mkdirSync(dirname(file), { recursive: true })
    sweepOrphanTemps(file)
    installExitHook()
    inFlight.add(tmp)
    fd = openSync(tmp, 'w')
    let written = 0
    while (written < data.length) {
      const n = writeSync(fd, data, written, data.length - written, written)
      // No progress and no error: the device is full (this is what a full disk reports last).
      if (n <= 0) throw Object.assign(new Error(`wrote ${written} of ${data.length} bytes`), { code: 'ENOSPC' })
      written += n
    }
    fsyncSync(fd)
    const size = fstatSync(fd).size
    if (size !== data.length) throw new Error(`short write: the temp file holds ${size} of ${data.length} bytes`)
    // close can report a deferred write error (network file systems): it must succeed before the rename.
    closeSync(fd)
    fd = undefined
    renameSync(tmp, file)
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd)
      } catch {
        // already failing; the write error is the one to report
      }
    }
    try {
      rmSync(tmp, { force: true })
    } catch {
      // left for the exit hook and the next writer's sweep
    }
    throw writeError(file, error)
  } finally {
    inFlight.delete(tmp)
  }
}
