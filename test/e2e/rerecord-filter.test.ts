/**
 * `vitest run -u -t <name>` re-records only the tests that ran: fixture entries of the tests
 * filtered out must stay in the file (they were pruned as "unused" before).
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { removeProject, requireBuild, run, writeProject } from './harness.js'

let server: Server
let url = ''
let dir = ''
beforeAll(async () => {
  requireBuild()
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ echo: (JSON.parse(body) as { q: string }).q }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
})
afterAll(async () => {
  if (dir) removeProject(dir)
  await new Promise((r) => server.close(r))
})

const ask = (q: string): string =>
  `test('${q}', async () => {
  const r = await fetch(process.env.OPENAI_BASE_URL + '/echo', { method: 'POST', body: JSON.stringify({ q: '${q}' }) })
  expect(await r.json()).toEqual({ echo: '${q}' })
})`

test('-u -t alpha re-records alpha and keeps the entry of the filtered-out beta', async () => {
  dir = writeProject('rerecord-filter', {
    'vitest.config.ts': "import { defineConfig } from 'vitest/config'\nimport { simba } from 'vitest-simba/plugin'\nexport default defineConfig({ plugins: [simba()], test: { include: ['*.test.ts'] } })\n",
    'echo.test.ts': `import { expect, test } from 'vitest'\n${ask('alpha')}\n${ask('beta')}\n`,
  })
  const env = { OPENAI_BASE_URL: url, OPENAI_API_KEY: 'test-key' }
  const echoes = (): string[] =>
    Object.values((JSON.parse(readFileSync(join(dir, 'fixtures', 'echo.test.ts.lm.json'), 'utf8')) as { entries: Record<string, { response: { body: { echo: string } } }> }).entries)
      .map((e) => e.response.body.echo)
      .sort()
  const first = await run(dir, ['run'], { env })
  expect(first.code, first.output).toBe(0)
  expect(echoes()).toEqual(['alpha', 'beta'])
  const filtered = await run(dir, ['run', '-u', '-t', 'alpha'], { env })
  expect(filtered.code, filtered.output).toBe(0)
  expect(echoes()).toEqual(['alpha', 'beta'])
  const replay = await run(dir, ['run'], { env: { ...env, CI: 'true' } })
  expect(replay.code, replay.output).toBe(0)
})
