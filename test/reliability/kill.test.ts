/**
 * Killing `vitest-simba --optimize -u` at random points (SIGKILL of its whole process group, or
 * SIGINT as Ctrl-C sends it) never leaves a corrupt snapshot or fixture file, LM calls recorded
 * before the kill are kept, and no temporary file survives: a SIGKILL during a write can leave that
 * write's temp file or lock (counted as `leftAtKill`), which the next writer of the file removes. `SIMBA_KILLS` sets the number of kills (default 20; `npm run reliability:kills` runs 200).
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseFixtureText } from '../../src/recording/file.js'
import { FixtureFileStore } from '../../src/recording/store.js'
import { SnapshotStore } from '../../src/snapshot/store.js'
import { parseSnapshot } from '../../src/snapshot/parse.js'
import { sweepOrphanTemps } from '../../src/internal/fs/atomic-write.js'
import { sweepStaleLock } from '../../src/internal/fs/lock.js'
import { cleanEnv, copyProject, listFiles, ROOT, useSimulatorProjects } from '../e2e/harness.js'

const dirs: string[] = []
const sim = useSimulatorProjects(dirs)
const KILLS = Number(process.env['SIMBA_KILLS'] ?? 20)
const PARALLEL = 4
const BIN = join(ROOT, 'dist', 'vitest', 'node', 'bin.js')

/** Deterministic delays and signals (mulberry32), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const files = listFiles

/** Newest modification time of the fixture files under `dir` (0 when none). */
function fixturesMtime(dir: string): number {
  try {
    return Math.max(0, ...readdirSync(join(dir, 'fixtures')).map((n) => statSync(join(dir, 'fixtures', n)).mtimeMs))
  } catch {
    return 0
  }
}

/**
 * Whether any process of the group led by `pgid` can still write: a live member that is not a
 * zombie (on Linux, read from /proc; a killed worker's zombie may wait a while for its reaper).
 */
function groupAlive(pgid: number): boolean {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0)
      return true
    } catch {
      return false
    }
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8')
    } catch {
      continue // gone meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces, so read after its closing parenthesis.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true
  }
  return false
}

/**
 * Runs the bin in its own process group and kills the group `delayMs` after it starts or, with
 * `afterFirstWrite`, that long after it first wrote a fixture file (so the kill lands mid-recording).
 * Resolves once no process of the group is left (so nothing writes during the check): true when
 * the kill ended the run, false when it had already finished.
 */
function killAfter(dir: string, delayMs: number, signal: 'SIGKILL' | 'SIGINT', args: string[], afterFirstWrite: boolean): Promise<boolean> {
  const env = cleanEnv({ OPENAI_BASE_URL: sim.url(), OPENAI_API_KEY: 'sk-local-simulator-key-000' })
  const before = fixturesMtime(dir)
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: 'ignore', detached: true })
  const pid = child.pid as number
  return new Promise((resolve) => {
    const kill = (by: NodeJS.Signals = signal): void => {
      try {
        process.kill(-pid, by)
      } catch {
        // already finished
      }
    }
    let timer: NodeJS.Timeout | undefined
    let poll: NodeJS.Timeout | undefined
    if (afterFirstWrite) {
      // Polls for a condition (the first fixture write), however long the run takes to get there.
      poll = setInterval(() => {
        if (fixturesMtime(dir) <= before) return
        clearInterval(poll)
        timer = setTimeout(() => kill(), delayMs)
      }, 20)
    } else timer = setTimeout(() => kill(), delayMs)
    child.on('exit', (_code, by) => {
      clearInterval(poll)
      clearTimeout(timer)
      // SIGINT lets Vitest wind down, and signals reach the group's workers asynchronously: end
      // whatever is left, then wait until the whole group is gone before the files are checked.
      const reap = setInterval(() => {
        if (groupAlive(pid)) return kill('SIGKILL')
        clearInterval(reap)
        resolve(by !== null)
      }, 20)
    })
  })
}

describe('interrupted optimization runs', () => {
  test(`${KILLS} kills at random points leave every snapshot and fixture file valid and no temp file behind`, async () => {
    const random = seeded(20261128)
    const orphanNames: string[] = []
    const report = { kills: 0, corrupt: 0, leftAtKill: 0, orphans: 0, sigint: 0, keptFresh: 0, keptFreshKilledMidRun: 0 }
    for (let round = 0; round < Math.ceil(KILLS / PARALLEL); round++) {
      const batch = Array.from({ length: Math.min(PARALLEL, KILLS - round * PARALLEL) }, () => {
        const dir = copyProject('tickets')
        dirs.push(dir)
        const signal = random() < 0.25 ? 'SIGINT' : 'SIGKILL'
        // Half the runs optimize and accept; the other half re-record every LM call (-u), where
        // entries must reach the disk as they arrive so a kill keeps what was recorded.
        const rerecord = random() < 0.5
        const delay = rerecord ? Math.floor(random() * 300) : 200 + Math.floor(random() * 1800)
        return { dir, delay, signal, args: rerecord ? ['run', '-u'] : ['run', '--optimize', '-u'], rerecord } as const
      })
      const started = new Date().toISOString()
      const killed = await Promise.all(batch.map((b) => killAfter(b.dir, b.delay, b.signal, b.args, b.rerecord)))
      for (const [i, b] of batch.entries()) {
        const midRun = killed[i] === true
        report.kills++
        if (b.signal === 'SIGINT') report.sigint++
        const leftovers = files(b.dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))
        report.leftAtKill += leftovers.length
        // The next writer of the file (any later local run) sweeps what a killed writer left.
        for (const f of files(b.dir)) {
          if (f.endsWith('.lm.json')) new FixtureFileStore(f, undefined, 'record-missing')
          if (f.endsWith('.simba.json')) SnapshotStore.load(f, 'all')
          // The score history's lock and rewrite temp files (its next append sweeps them the same way).
          if (f.endsWith('history.jsonl')) {
            sweepStaleLock(f)
            sweepOrphanTemps(f)
          }
        }
        for (const f of files(b.dir)) {
          if (f.endsWith('.tmp') || f.endsWith('.lock')) {
            report.orphans++
            orphanNames.push(f.slice(b.dir.length + 1))
            continue
          }
          const text = readFileSync(f, 'utf8')
          try {
            if (f.endsWith('.simba.json')) parseSnapshot(text, f)
            if (f.endsWith('.lm.json')) {
              const entries = Object.values(parseFixtureText(f, text).entries)
              const fresh = entries.filter((e) => e.provenance.recordedAt >= started).length
              if (b.rerecord) report.keptFresh += fresh
              if (b.rerecord && midRun) report.keptFreshKilledMidRun += fresh
            }
          } catch {
            report.corrupt++
          }
        }
      }
    }
    console.log(`[kill test] ${JSON.stringify(report)}${orphanNames.length ? ` orphans: ${orphanNames.slice(0, 5).join(', ')}` : ''}`)
    expect(report).toEqual({ ...report, kills: KILLS, corrupt: 0, orphans: 0 })
    // Recordings made before a kill are on disk (written as they arrive), not lost with the process.
    expect(report.keptFresh).toBeGreaterThan(0)
  }, Math.max(900_000, KILLS * 45_000)) // a hang guard that grows with SIMBA_KILLS (`npm run reliability:kills` runs 200)
})
