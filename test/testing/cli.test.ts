/**
 * The `npm run sim` CLI as a real child process: it runs the built `dist/testing/cli.js` (Node 20
 * cannot run the TS source without a loader), so a missing build fails these tests — `npm test`
 * builds first.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { HANG_GUARD_MS } from '../helpers/wait.js'
import { client, field, support, wireMessages } from './helpers.js'

const ROOT = resolve(import.meta.dirname, '../..')
const CLI = resolve(ROOT, 'dist/testing/cli.js')
const WORLD = 'examples/worlds/support-tickets.json'

interface Run {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>
}

const running: ChildProcess[] = []
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

function runCli(args: string[]): Run {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`)
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  running.push(child)
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d))
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? -1)))
  return { child, stdout: () => out, stderr: () => err, exited }
}

/** Waits for the startup banner (the "listening at <url>" and export lines); fails with the child's output if it exits first. */
async function listeningUrl(run: Run): Promise<string> {
  const found = (): string | undefined => /listening at (http:\/\/\S+)\n[\s\S]*OPENAI_API_KEY=sim\n/.exec(run.stdout())?.[1]
  return new Promise<string>((done, fail) => {
    const onData = (): void => {
      const url = found()
      if (url) {
        run.child.stdout?.off('data', onData)
        done(url)
      }
    }
    run.child.stdout?.on('data', onData)
    onData()
    void run.exited.then((code) => fail(new Error(`sim CLI exited (${code}) before listening.\nstdout: ${run.stdout()}\nstderr: ${run.stderr()}`)))
  })
}

/** The exit code, or a readable failure value if the process is still running after `ms`. */
async function exitWithin(run: Run, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<string>((done) => (timer = setTimeout(() => done(`still running ${ms} ms after SIGTERM`), ms)))
  try {
    return await Promise.race([run.exited, hung])
  } finally {
    clearTimeout(timer)
  }
}

describe('npm run sim (dist/testing/cli.js)', () => {
  test('serves /v1/models and chat completions to the openai SDK, then exits 0 on SIGTERM', async () => {
    const run = runCli(['--port', '0', '--world', WORLD])
    const url = await listeningUrl(run)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    expect(run.stdout()).toContain(`export OPENAI_BASE_URL=${url} OPENAI_API_KEY=sim`)

    const res = await fetch(`${url}/models`)
    expect(res.status).toBe(200)
    const models = (await res.json()) as { object: string; data: Array<{ id: string }> }
    expect(models.object).toBe('list')
    expect(models.data.map((m) => m.id)).toContain('simba-sim-1')

    const openai = client(url)
    const listed = await openai.models.list()
    expect(listed.data.map((m) => m.id)).toContain('simba-sim-1')
    const completion = await openai.chat.completions.create({
      model: 'simba-sim-1',
      temperature: 0,
      messages: wireMessages({ inputs: ['ticket'], outputs: [{ name: 'queue', type: `one of: ${support.labels.join(', ')}` }], values: { ticket: 'I was charged twice for one order, please refund me.' } }),
    })
    const text = completion.choices[0]?.message.content ?? ''
    expect(text).toMatch(/\[\[ ## completed ## \]\]$/)
    expect(support.labels).toContain(field(text, 'queue'))

    run.child.kill('SIGTERM')
    // A hang detector, not a speed check: the close is near-instant; the guard only catches a process that never exits.
    expect(await exitWithin(run, HANG_GUARD_MS)).toBe(0)
    expect(run.stdout()).toMatch(/stopped after \d+ requests/)
  })

  test('a missing --world file exits non-zero and names the file', async () => {
    const missing = 'examples/worlds/no-such-world.json'
    const run = runCli(['--port', '0', '--world', missing])
    expect(await run.exited).not.toBe(0)
    expect(run.stderr()).toContain(missing)
    expect(run.stderr()).toMatch(/--world/)
    expect(run.stdout()).not.toMatch(/listening at/)
  })

  test('no --world prints the usage and exits non-zero', async () => {
    const run = runCli(['--port', '0'])
    expect(await run.exited).not.toBe(0)
    expect(run.stderr()).toMatch(/no --world given/)
    expect(run.stderr()).toMatch(/usage: npx vitest-simba-sim --world/)
  })
})
