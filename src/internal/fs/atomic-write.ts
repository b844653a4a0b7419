import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

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

/**
 * True when a process with this pid is running (EPERM means it exists but is not ours). A zombie
 * (killed, not yet reaped by its parent) is not running: on Linux its state in /proc is `Z`.
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

/** The temp file name pattern of {@link writeFileAtomic}: `<name>.<pid>.<time>.<n>.tmp`. */
const TMP_RE = /^(.*)\.(\d+)\.\d+\.\d+\.tmp$/

/**
 * Removes temp files left next to `file` by writers that were killed mid-write (their process is
 * gone). Returns the removed paths.
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
    if (Number(m[2]) === process.pid || pidAlive(Number(m[2]))) continue
    rmSync(join(dir, n), { force: true })
    removed.push(join(dir, n))
  }
  return removed
}

/**
 * Writes `content` to `file` atomically: a temp file in the same folder, flushed to disk, then a
 * rename, so a reader never sees a half-written file and a crash never truncates the old one. Temp
 * files of killed writers are swept first; this process's own are removed on failure and on exit.
 */
export function writeFileAtomic(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true })
  sweepOrphanTemps(file)
  installExitHook()
  const tmp = `${file}.${process.pid}.${Date.now()}.${counter++}.tmp`
  inFlight.add(tmp)
  try {
    const fd = openSync(tmp, 'w')
    try {
      writeSync(fd, content, null, 'utf8')
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
  } catch (error) {
    rmSync(tmp, { force: true })
    throw error
  } finally {
    inFlight.delete(tmp)
  }
}
