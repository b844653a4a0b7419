import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { MISS_STATUS } from '../../src/recording/miss.js'
import { removeProject, requireBuild, ROOT, run, runNode, writeProject } from './harness.js'

const dirs: string[] = []
beforeAll(requireBuild)
afterAll(() => dirs.forEach(removeProject))

// A module hook (loaded with --import) that appends every resolved msw or zod module URL to the log.
const PROBE = `import { register } from 'node:module'
register('data:text/javascript,' + encodeURIComponent(\`import { appendFileSync } from 'node:fs'
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context)
  if (/node_modules\\\\/(msw|zod)\\\\//.test(r.url)) appendFileSync(\${JSON.stringify(process.env.MSW_LOG)}, r.url + '\\\\n')
  return r
}\`))
`

/** A project whose worker logs the msw modules it loads; its test file imports the library. */
function project(fixtures: 'off' | 'replay'): { dir: string; log: string } {
  const dir = writeProject(`lazy-msw-${fixtures}`, {
    'probe.mjs': PROBE,
    'vitest.config.ts': `import { defineConfig } from 'vitest/config'
import { simba } from 'vitest-simba/plugin'

export default defineConfig({
  plugins: [simba({ fixtures: { mode: '${fixtures}' } })],
  test: { include: ['*.test.ts'], execArgv: ['--import', './probe.mjs'] },
})
`,
    'lib.test.ts': `import { appendFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { expect, test } from 'vitest'
import { LM, Predict, signature } from 'vitest-simba'

test('the library loads', () => {
  // CommonJS modules loaded so far (msw 2's interceptors are required, which the ESM probe does not see).
  const cjs = Object.keys(createRequire(import.meta.url).cache).filter((p) => /node_modules\\/(msw|@mswjs)\\//.test(p))
  if (cjs.length > 0) appendFileSync(process.env.MSW_LOG, cjs.join('\\n') + '\\n')
  const lm = new LM({ model: 'm', apiKey: 'k', baseURL: 'http://127.0.0.1:9999/v1' })
  expect(new Predict(signature('q -> a'), { lm }).signature.inputFields.length).toBe(1)
})
`,
  })
  dirs.push(dir)
  return { dir, log: join(dir, 'msw.log') }
}

/** The logged URLs of one package (`msw` or `zod`). */
const loaded = (log: string, pkg = 'msw'): string[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((url) => url.includes(`/node_modules/${pkg}/`)) : [])

describe('dependencies are loaded only where they are needed', () => {
  test("with fixtures 'off' the Vitest worker never loads msw; with fixtures on it does", async () => {
    const off = project('off')
    const r = await run(off.dir, ['run'], { env: { MSW_LOG: off.log } })
    expect(r.code, r.output).toBe(0)
    expect(loaded(off.log)).toEqual([])
    expect(loaded(off.log, '@mswjs')).toEqual([])

    const on = project('replay')
    const r2 = await run(on.dir, ['run'], { env: { MSW_LOG: on.log } })
    expect(r2.code, r2.output).toBe(0)
    // msw 2 and 3: their interceptors, applied directly (msw itself is not loaded).
    expect(loaded(on.log).some((url) => url.includes('/msw/lib/node/')) || loaded(on.log, '@mswjs').some((url) => url.includes('/@mswjs/interceptors/'))).toBe(true)
  })

  test("importing 'vitest-simba' does not load msw; a recorder started synchronously intercepts at once", async () => {
    const { dir, log } = project('off')
    const script = `const lib = await import(${JSON.stringify(join(ROOT, 'dist', 'index.js'))})
const fs = await import('node:fs')
fs.writeFileSync(${JSON.stringify(join(dir, 'after-import.txt'))}, String(fs.existsSync(${JSON.stringify(log)}) && fs.readFileSync(${JSON.stringify(log)}, 'utf8').includes('/msw/')))
const recorder = lib.createFixtureRecorder({ hosts: ['http://127.0.0.1:9999/v1'], mode: 'replay', ci: false, libraryVersion: '0.0.0' })
recorder.start()
// Intercepted at once: a call to the LM host in replay with no fixture is a miss, not a network error.
// (Not port 9: fetch refuses it before msw 3 sees the request.)
const res = await fetch('http://127.0.0.1:9999/v1/chat/completions', { method: 'POST', body: '{}' })
fs.writeFileSync(${JSON.stringify(join(dir, 'status.txt'))}, String(res.status))
recorder.stop()
`
    writeFileSync(join(dir, 'check.mjs'), script)
    // node --import ./probe.mjs check.mjs
    const r = await runNode(dir, '--import', ['./probe.mjs', 'check.mjs'], { MSW_LOG: log })
    expect(r.code, r.output).toBe(0)
    expect(readFileSync(join(dir, 'after-import.txt'), 'utf8')).toBe('false')
    expect(readFileSync(join(dir, 'status.txt'), 'utf8')).toBe(String(MISS_STATUS))
  })

  test("Vitest's main process does not load zod to check usual plugin options; a wrong option still gets zod's message", async () => {
    const { dir, log } = project('off')
    writeFileSync(
      join(dir, 'plugin.mjs'),
      `const { simba } = await import(${JSON.stringify(join(ROOT, 'dist', 'plugin.js'))})
simba({ optimize: { seed: 1, bsize: 8, numCandidates: 4, maxSteps: 8 }, fixtures: { mode: 'off', redact: [{ pattern: /sk-\\w+/g, replacement: 'sk-X' }] }, concurrency: 4 })
const fs = await import('node:fs')
fs.writeFileSync(${JSON.stringify(join(dir, 'zod-after-valid.txt'))}, String(fs.existsSync(${JSON.stringify(log)}) && fs.readFileSync(${JSON.stringify(log)}, 'utf8').includes('/zod/')))
try {
  simba({ fixtures: { mode: 'sometimes' } })
} catch (error) {
  fs.writeFileSync(${JSON.stringify(join(dir, 'error.txt'))}, error.message)
}
`,
    )
    const r = await runNode(dir, '--import', ['./probe.mjs', 'plugin.mjs'], { MSW_LOG: log })
    expect(r.code, r.output).toBe(0)
    expect(readFileSync(join(dir, 'zod-after-valid.txt'), 'utf8')).toBe('false')
    expect(readFileSync(join(dir, 'error.txt'), 'utf8')).toMatch(/simba\(\) option "fixtures\.mode": Invalid option: expected one of "auto"\|"replay"/)
  })
})
