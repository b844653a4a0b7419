import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { pidAlive } from './atomic-write.js'

const sleeper = new Int32Array(new SharedArrayBuffer(4))

/** Blocks the thread for `ms` (used between lock attempts; locks are held for milliseconds). */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms)
}

/** A lock without an owner pid older than this is considered abandoned. */
const EMPTY_STALE_MS = 1_000

/**
 * Runs `fn` while holding an exclusive lock file `<file>.lock` (created with O_EXCL, holding the
 * owner's pid), so two processes never read-merge-write the same file at once. A lock whose owner
 * process is gone is taken over. Throws after `timeoutMs` with a message naming the lock file.
 */
export function withFileLock<T>(file: string, fn: () => T, timeoutMs = 15_000): T {
  const lock = `${file}.lock`
  mkdirSync(dirname(file), { recursive: true })
  const deadline = Date.now() + timeoutMs
  let fd: number | undefined
  for (let attempt = 0; fd === undefined; attempt++) {
    try {
      fd = openSync(lock, 'wx')
      writeSync(fd, String(process.pid))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      if (isStale(lock)) {
        rmSync(lock, { force: true })
        continue
      }
      if (Date.now() > deadline) {
        throw new Error(`could not lock ${file}: ${lock} is held by another process; if no other vitest-simba run is active, delete ${lock}`)
      }
      sleepSync(Math.min(50, 2 + attempt * 5))
    }
  }
  try {
    return fn()
  } finally {
    closeSync(fd)
    rmSync(lock, { force: true })
  }
}

function isStale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(lock, 'utf8'))
    if (pid > 0) return !pidAlive(pid)
    // No pid yet: the owner was killed between creating the lock and writing its pid (a few µs),
    // or is in that window right now; a second is far longer than that window.
    return Date.now() - statSync(lock).mtimeMs > EMPTY_STALE_MS
  } catch {
    return false
  }
}

/** Removes `<file>.lock` when its owner process is gone (left by a killed writer). Returns whether it did. */
export function sweepStaleLock(file: string): boolean {
  const lock = `${file}.lock`
  if (!existsSync(lock) || !isStale(lock)) return false
  rmSync(lock, { force: true })
  return true
}
