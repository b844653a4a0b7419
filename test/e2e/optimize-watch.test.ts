/**
 * `SIMBA_OPTIMIZE=1 vitest` in a terminal: Vitest's default is watch mode, which would repeat the
 * whole optimization on every save. The plugin makes it one run with a notice (as the bin does).
 * A terminal is needed for Vitest to pick watch mode, so the run goes through `script` (a pty).
 */
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { HANG_GUARD_MS } from '../helpers/wait.js'
import { cleanEnv, copyProject, removeProject, requireBuild, ROOT } from './harness.js'

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0
const dirs: string[] = []
beforeAll(requireBuild)
afterAll(() => dirs.forEach(removeProject))

/** Runs `command` in a pseudo-terminal; kills it (and reports `killed`) if it is still running after `limitMs`. */
function inTerminal(cwd: string, command: string, env: Record<string, string>, limitMs: number): Promise<{ code: number | null; killed: boolean; output: string }> {
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'], detached: true })
  let output = ''
  let killed = false
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  // A hang guard, not a timing assertion: a watching Vitest never exits by itself.
  const timer = setTimeout(() => {
    killed = true
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
  }, limitMs)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      // eslint-disable-next-line no-control-regex
      resolve({ code, killed, output: output.replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, '') })
    })
  })
}

test.skipIf(!hasScript)('SIMBA_OPTIMIZE=1 vitest in a terminal runs once with a notice instead of watching', async () => {
  const dir = copyProject('plain-function')
  dirs.push(dir)
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs')
  const r = await inTerminal(dir, `"${process.execPath}" "${vitest}"`, { SIMBA_OPTIMIZE: '1' }, HANG_GUARD_MS)
  expect(r.killed, r.output).toBe(false)
  expect(r.code, r.output).toBe(0)
  expect(r.output).toContain('[simba] optimize mode runs once, like `vitest run`')
  expect(r.output).not.toContain('Waiting for file changes')
})
