/**
 * A test file that starts its own msw server (`setupServer(...).listen()`) next to the plugin: the
 * record run still writes the LM fixtures, the user's handlers still answer, and the CI run replays
 * them without a request. Two files share one worker, so the second file's server opens after the
 * first one's `close()`.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startScriptedServer, type ScriptedServer } from '../helpers/openai-server.js'
import { removeProject, requireBuild, run, writeProject } from './harness.js'

let server: ScriptedServer
let dir = ''
beforeAll(async () => {
  requireBuild()
  server = await startScriptedServer({ reply: (body) => `echo ${body.messages.at(-1)?.content}` })
})
afterAll(async () => {
  if (dir) removeProject(dir)
  await server.close()
})

/** A test file whose own msw server is opened as `open` says and is strict about unhandled requests. */
const testFile = (word: string, open: 'top' | 'beforeAll'): string => `import { afterAll, beforeAll, expect, test } from 'vitest'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import OpenAI from 'openai'
import { LM } from 'vitest-simba'

const server = setupServer(http.get('https://user.example/profile', () => HttpResponse.json({ name: 'ada' })))
${open === 'top' ? "server.listen({ onUnhandledRequest: 'error', onUnhandledFrame: 'error' } as Parameters<typeof server.listen>[0])" : "beforeAll(() => server.listen({ onUnhandledRequest: 'error', onUnhandledFrame: 'error' } as Parameters<typeof server.listen>[0]))"}
afterAll(() => server.close())

test('the user handler answers', async () => {
  expect(await (await fetch('https://user.example/profile')).json()).toEqual({ name: 'ada' })
})
test('the LM answers', async () => {
  const lm = new LM({ model: 'test-model', maxRetries: 0 })
  expect((await lm.call({ messages: [{ role: 'user', content: '${word} lm' }] })).text).toBe('echo ${word} lm')
  const sdk = new OpenAI({ maxRetries: 0 })
  const r = await sdk.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: '${word} sdk' }] })
  expect(r.choices[0]?.message.content).toBe('echo ${word} sdk')
})
`

test("a test file's own msw server: LM calls are recorded, then replayed under CI without a request", async () => {
  dir = writeProject('user-msw', {
    'vitest.config.ts':
      "import { defineConfig } from 'vitest/config'\nimport { simba } from 'vitest-simba/plugin'\n" +
      "export default defineConfig({ plugins: [simba()], test: { include: ['*.test.ts'], isolate: false, fileParallelism: false } })\n",
    'a.test.ts': testFile('alpha', 'top'),
    'b.test.ts': testFile('beta', 'beforeAll'),
  })
  const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test-key' }
  const record = await run(dir, ['run'], { env })
  expect(record.code, record.output).toBe(0)
  expect(record.output).not.toContain('[MSW]')
  const answers = (file: string): string[] =>
    Object.values((JSON.parse(readFileSync(join(dir, 'fixtures', file), 'utf8')) as { entries: Record<string, { response: { body: { choices: Array<{ message: { content: string } }> } } }> }).entries)
      .map((e) => e.response.body.choices[0]?.message.content ?? '')
      .sort()
  expect(answers('a.test.ts.lm.json')).toEqual(['echo alpha lm', 'echo alpha sdk'])
  expect(answers('b.test.ts.lm.json')).toEqual(['echo beta lm', 'echo beta sdk'])
  const live = server.requests.length
  expect(live).toBe(4)

  const ci = await run(dir, ['run'], { env: { OPENAI_BASE_URL: server.url, CI: 'true' } })
  expect(ci.code, ci.output).toBe(0)
  expect(ci.output).not.toContain('[MSW]')
  expect(server.requests.length).toBe(live)
})
