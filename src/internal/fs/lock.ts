import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { SimbaError } from '../../errors.js'
import { writeCause } from './atomic-write.js'
import { machineId, ownerGone, pidAlive, processStartTicks } from './process.js'

const sleeper = new Int32Array(new SharedArrayBuffer(4))

/** Blocks the thread for `ms` (used between lock attempts; locks are held for milliseconds). */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms)
}

/** A lock without an owner pid older than this is considered abandoned. */
const EMPTY_STALE_MS = 1_000

/**
 * Who holds a lock: the pid alone is not enough (pids are reused), so also the process's start time
 * (where /proc has it), the machine (pids of another machine say nothing here) and a random token
 * (so a holder only ever removes its own lock).
 */
interface LockOwner {
  pid: number
  start?: string
  machine?: string
  token?: string
}

let self: LockOwner | undefined

/** This process as a lock owner (its token is new for every lock). */
function owner(): LockOwner {
  if (!self) {
    const start = processStartTicks(process.pid)
    self = { pid: process.pid, machine: machineId(), ...(start !== undefined ? { start } : {}) }
  }
  return { ...self, token: randomBytes(8).toString('hex') }
}

/** The owner written in a lock file: JSON, or a bare pid (older versions); undefined when empty or unreadable. */
function parseOwner(text: string): LockOwner | undefined {
  const t = text.trim()
  if (/^\d+$/.test(t)) return { pid: Number(t) }
  try {
    const o = JSON.parse(t) as Partial<LockOwner>
    if (typeof o.pid !== 'number' || !Number.isInteger(o.pid) || o.pid <= 0) return undefined
    const out: LockOwner = { pid: o.pid }
    if (typeof o.start === 'string') out.start = o.start
    if (typeof o.machine === 'string') out.machine = o.machine
    if (typeof o.token === 'string') out.token = o.token
    return out
  } catch {
    return undefined
  }
}

/** `pid 123 on this machine` / `pid 123 on another machine (…)`, for messages. */
function describeOwner(o: LockOwner): string {
  return o.machine !== undefined && o.machine !== machineId() ? `pid ${o.pid} on another machine (${o.machine})` : `pid ${o.pid}`
}

/**
 * Runs `fn` while holding an exclusive lock file `<file>.lock` (created with O_EXCL, holding the
 * owner's pid, start time, machine and a random token), so two processes never read-merge-write
 * the same file at once. A lock whose owner is gone is taken over: its process ended, or its pid
 * now belongs to another process (started at another time). Throws SIMBA_WRITE after `timeoutMs`
 * with a message naming the lock file and its owner.
 */
export function withFileLock<T>(file: string, fn: () => T, timeoutMs = 15_000): T {
  const lock = `${file}.lock`
  mkdirSync(dirname(file), { recursive: true })
  const deadline = Date.now() + timeoutMs
  const me = owner()
  const text = JSON.stringify(me)
  let fd: number | undefined
  for (let attempt = 0; fd === undefined; attempt++) {
    try {
      fd = openSync(lock, 'wx')
      if (writeSync(fd, text) !== Buffer.byteLength(text)) throw Object.assign(new Error('short write'), { code: 'ENOSPC' })
    } catch (error) {
      if (fd !== undefined) {
        // Created but could not write the owner (a full disk): give it back rather than leave an ownerless lock.
        closeSync(fd)
        rmSync(lock, { force: true })
        throw new SimbaError('SIMBA_WRITE', `could not lock ${file}: writing ${lock} failed: ${writeCause(error)}. The file on disk was left unchanged.`, { cause: error })
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SimbaError('SIMBA_WRITE', `could not lock ${file}: creating ${lock} failed: ${writeCause(error)}. The file on disk was left unchanged.`, { cause: error })
      }
      if (breakIfStale(lock)) continue
      if (Date.now() > deadline) {
        const held = readOwner(lock)
        throw new SimbaError(
          'SIMBA_WRITE',
          `could not lock ${file}: ${lock} is held by another process${held ? ` (${describeOwner(held)})` : ''} for more than ${Math.round(timeoutMs / 1000)} s. ` +
            `If no other vitest-simba run is active, delete ${lock} and run again. The file on disk was left unchanged.`,
        )
      }
      sleepSync(Math.min(50, 2 + attempt * 5))
    }
  }
  try {
    return fn()
  } finally {
    closeSync(fd)
    // Only our own lock: if it was ever taken over, the lock there now is someone else's.
    if (readOwner(lock)?.token === me.token) rmSync(lock, { force: true })
  }
}

function readOwner(lock: string): LockOwner | undefined {
  try {
    return parseOwner(readFileSync(lock, 'utf8'))
  } catch {
    return undefined
  }
}

/**
 * Whether the lock's owner is certainly gone. A lock of another machine is never judged (its pid
 * says nothing here). A lock holding only a pid (older versions) is stale when that pid's process
 * started after the lock was written.
 */
function isStale(lock: string): boolean {
  try {
    const text = readFileSync(lock, 'utf8')
    const o = parseOwner(text)
    // No owner yet (or unreadable): the owner was killed between creating the lock and writing its
    // owner (a few µs), or is in that window right now; a second is far longer than that window.
    if (!o) return Date.now() - statSync(lock).mtimeMs > EMPTY_STALE_MS
    if (o.machine !== undefined && o.machine !== machineId()) return false
    if (!pidAlive(o.pid)) return true
    if (o.start !== undefined) {
      const now = processStartTicks(o.pid)
      return now !== undefined && now !== o.start
    }
    return ownerGone(o.pid, statSync(lock).mtimeMs)
  } catch {
    return false
  }
}

/** Removes the lock when its owner is gone, unless it changed hands meanwhile. Returns whether it did. */
function breakIfStale(lock: string): boolean {
  let before: string
  try {
    before = readFileSync(lock, 'utf8')
  } catch {
    return true // gone already: try again at once
  }
  if (!isStale(lock)) return false
  try {
    if (readFileSync(lock, 'utf8') !== before) return true
  } catch {
    return true
  }
  rmSync(lock, { force: true })
  return true
}

/** Removes `<file>.lock` when its owner is gone (left by a killed writer, or its pid reused). Returns whether it did. */
export function sweepStaleLock(file: string): boolean {
  const lock = `${file}.lock`
  if (!existsSync(lock) || !isStale(lock)) return false
  rmSync(lock, { force: true })
  return true
}
