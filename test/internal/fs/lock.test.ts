/**
 * A file lock names its owner beyond the pid (pids are reused): the process's start time, the
 * machine and a random token. A lock whose pid now belongs to another, live process is taken over
 * at once; a lock of a live owner, or of another machine, is not; a holder removes only its own lock.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sweepOrphanTemps } from '../../../src/internal/fs/atomic-write.js'
import { sweepStaleLock, withFileLock } from '../../../src/internal/fs/lock.js'
import { machineId, processStartTicks } from '../../../src/internal/fs/process.js'

const linux = existsSync('/proc/self/stat')
const dirs: string[] = []
/** A live process that is not a vitest-simba run: it plays the one a reused pid now belongs to. */
let other: ChildProcess
beforeAll(async () => {
  other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' })
  await new Promise((resolve) => other.once('spawn', resolve))
})
afterAll(() => {
  other.kill()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
function target(): string {
  const d = mkdtempSync(join(tmpdir(), 'simba-lock-'))
  dirs.push(d)
  return join(d, 'a.lm.json')
}
const pid = (): number => other.pid as number
const HOUR = 3_600_000

describe.runIf(linux)('locks of a reused pid', () => {
  test('a pid-only lock written before the process that now has that pid started is taken over at once', () => {
    const file = target()
    writeFileSync(`${file}.lock`, String(pid()))
    const then = new Date(Date.now() - HOUR)
    utimesSync(`${file}.lock`, then, then)
    // A short timeout: the lock must be judged stale at the first look, not waited out.
    expect(withFileLock(file, () => 'ran', 300)).toBe('ran')
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  test('a lock whose owner had the same pid but another start time is taken over at once', () => {
    const file = target()
    const start = processStartTicks(pid())
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: pid(), start: `${Number(start) - 1}`, machine: machineId(), token: 'gone' }))
    const later = new Date(Date.now() + HOUR)
    utimesSync(`${file}.lock`, later, later)
    expect(withFileLock(file, () => 'ran', 300)).toBe('ran')
  })

  test('the sweep at file load removes such a lock too, and the temp files of the reused pid', () => {
    const file = target()
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: pid(), start: '1', machine: machineId(), token: 'gone' }))
    expect(sweepStaleLock(file)).toBe(true)
    const orphan = `${file}.${pid()}.${Date.now() - HOUR}.0.tmp`
    const fresh = `${file}.${pid()}.${Date.now() + HOUR}.0.tmp`
    writeFileSync(orphan, '{"half": ')
    writeFileSync(fresh, '{"half": ')
    expect(sweepOrphanTemps(file)).toEqual([orphan])
    expect(readdirSync(join(file, '..')).sort()).toEqual([fresh.split('/').pop()])
  })
})

describe('locks of a live owner', () => {
  test('are waited for, then the write fails naming the lock and its owner', () => {
    const file = target()
    const start = processStartTicks(pid())
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: pid(), ...(start ? { start } : {}), machine: machineId(), token: 'live' }))
    expect(() => withFileLock(file, () => 'ran', 200)).toThrow(
      expect.objectContaining({ code: 'SIMBA_WRITE', message: expect.stringContaining(`${file}.lock is held by another process (pid ${pid()})`) }),
    )
    expect(sweepStaleLock(file)).toBe(false)
    expect(existsSync(`${file}.lock`)).toBe(true)
  })

  test('a lock of another machine is never judged by its pid (here, a dead one)', () => {
    const file = target()
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 7, machine: 'boot:elsewhere', token: 'remote' }))
    expect(() => withFileLock(file, () => 'ran', 200)).toThrow(expect.objectContaining({ message: expect.stringContaining('on another machine (boot:elsewhere)') }))
  })

  test('a holder whose lock was taken over meanwhile leaves the new owner’s lock in place', () => {
    const file = target()
    const theirs = JSON.stringify({ pid: pid(), machine: machineId(), token: 'theirs' })
    withFileLock(file, () => {
      const mine = JSON.parse(readFileSync(`${file}.lock`, 'utf8')) as { pid: number; token: string; machine: string }
      expect(mine).toMatchObject({ pid: process.pid, machine: machineId() })
      expect(mine.token).toMatch(/^[0-9a-f]{16}$/)
      writeFileSync(`${file}.lock`, theirs)
    })
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(theirs)
  })
})
