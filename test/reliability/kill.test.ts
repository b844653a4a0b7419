/**
 * Killing `vitest-simba --optimize -u` at random points (SIGKILL of its whole process group, or
 * SIGINT as Ctrl-C sends it) never leaves a corrupt snapshot or fixture file, and no temporary file
 * survives. `SIMBA_KILLS` sets the number of kills (default 20; `npm run reliability:kills` runs 200).
 */
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseFixtureText } from '../../src/recording/file.js'
import { parseSnapshot } from '../../src/snapshot/parse.js'
import { cleanEnv, copyProject, ROOT, useSimulatorProjects } from '../e2e/harness.js'

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

function files(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(p)
    }
  }
  walk(dir)
  return out
}

/** Runs the bin in its own process group and kills the group after `delayMs`. */
function killAfter(dir: string, delayMs: number, signal: 'SIGKILL' | 'SIGINT'): Promise<void> {
  const env = cleanEnv({ OPENAI_BASE_URL: sim.url(), OPENAI_API_KEY: 'sk-local-simulator-key-000' })
  const child = spawn(process.execPath, [BIN, 'run', '--optimize', '-u'], { cwd: dir, env, stdio: 'ignore', detached: true })
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), signal)
      } catch {
        // already finished
      }
    }, delayMs)
    child.on('exit', () => {
      clearTimeout(timer)
      // SIGINT lets Vitest wind down; make sure nothing of the group outlives the check.
      setTimeout(() => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL')
        } catch {
          // gone
        }
        resolve()
      }, 200)
    })
  })
}

describe('interrupted optimization runs', () => {
  test(`${KILLS} kills at random points leave every snapshot and fixture file valid and no temp file behind`, async () => {
    const random = seeded(20261128)
    const report = { kills: 0, corrupt: 0, orphans: 0, sigint: 0 }
    for (let round = 0; round < Math.ceil(KILLS / PARALLEL); round++) {
      const batch = Array.from({ length: Math.min(PARALLEL, KILLS - round * PARALLEL) }, () => {
        const dir = copyProject('tickets')
        dirs.push(dir)
        const signal = random() < 0.25 ? 'SIGINT' : 'SIGKILL'
        return { dir, delay: 200 + Math.floor(random() * 2800), signal } as const
      })
      await Promise.all(batch.map((b) => killAfter(b.dir, b.delay, b.signal)))
      for (const b of batch) {
        report.kills++
        if (b.signal === 'SIGINT') report.sigint++
        for (const f of files(b.dir)) {
          if (f.endsWith('.tmp') || f.endsWith('.lock')) {
            report.orphans++
            continue
          }
          const text = readFileSync(f, 'utf8')
          try {
            if (f.endsWith('.simba.json')) parseSnapshot(text, f)
            if (f.endsWith('.lm.json')) parseFixtureText(f, text)
          } catch {
            report.corrupt++
          }
        }
      }
    }
    console.log(`[kill test] ${JSON.stringify(report)}`)
    expect(report).toEqual({ kills: KILLS, corrupt: 0, orphans: 0, sigint: report.sigint })
  }, 600_000)
})
