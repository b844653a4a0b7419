import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { LM } from '../../src/core/lm/lm.js'
import type { FixtureRecorder } from '../../src/recording/recorder.js'
import { sequence, startScriptedServer, type ScriptedServer } from '../helpers/openai-server.js'
import { API_KEY, ask, client, startRecorder, tempDir, text } from './support.js'

// A user's own msw server (setupServer(...).listen() in a test file) next to the recorder: LM calls
// are still recorded and replayed, the user's handlers still answer their hosts, the user's
// "unhandled request" strategy never sees an LM call, and closing and re-opening the user's server
// (later files in the same worker) leaves the recorder in front of the LM hosts.

let recorder: FixtureRecorder | undefined
let server: ScriptedServer | undefined
let cleanup: (() => void) | undefined
const userServers: Array<ReturnType<typeof setupServer>> = []
/** msw 2 names the unhandled-request option onUnhandledRequest, msw 3 onUnhandledFrame. */
type ListenOptions = Parameters<ReturnType<typeof setupServer>['listen']>[0]

afterEach(async () => {
  for (const u of userServers.splice(0)) u.close()
  recorder?.stop()
  vi.restoreAllMocks()
  await server?.close()
  cleanup?.()
  recorder = server = cleanup = undefined
})

function userServer(strategy: 'error' | 'warn' | 'bypass'): ReturnType<typeof setupServer> {
  const u = setupServer(http.get('https://user.example/profile', () => HttpResponse.json({ name: 'ada' })))
  u.listen({ onUnhandledRequest: strategy, onUnhandledFrame: strategy } as ListenOptions)
  userServers.push(u)
  return u
}

/** Closes a user server before the end of the test (msw 3 refuses a second close()). */
function close(u: ReturnType<typeof setupServer>): void {
  userServers.splice(userServers.indexOf(u), 1)
  u.close()
}

const profile = async (): Promise<unknown> => (await fetch('https://user.example/profile')).json()
const lmAt = (url: string): LM => new LM({ model: 'test-model', baseURL: url, apiKey: API_KEY, cache: false, maxRetries: 0 })
const viaLM = async (url: string, content: string): Promise<string> => (await lmAt(url).call({ messages: [{ role: 'user', content }] })).text
const viaClient = async (url: string, content: string): Promise<string | null | undefined> =>
  (await client(url, { maxRetries: 0 }).chat.completions.create(ask(content))).choices[0]?.message.content

describe("beside the user's own msw server", () => {
  test.each(['error', 'warn', 'bypass'] as const)(
    "onUnhandledRequest '%s': LM calls are recorded, then replayed under CI without a request, across close and listen again",
    async (strategy) => {
      server = await startScriptedServer({ reply: (body) => `echo ${body.messages.at(-1)?.content}` })
      const t = tempDir()
      cleanup = t.cleanup
      const file = join(t.dir, 'fixtures', 'a.test.ts.lm.json')
      const noise = [vi.spyOn(console, 'warn'), vi.spyOn(console, 'error')]

      recorder = startRecorder({ mode: 'record-missing', hosts: [server.url] })
      await recorder.useFile(file, 'test/a.test.ts')
      const first = userServer(strategy)
      expect(await viaLM(server.url, 'one')).toBe('echo one')
      expect(await viaClient(server.url, 'two')).toBe('echo two')
      expect(await profile()).toEqual({ name: 'ada' })
      close(first)
      // Another test file of the same worker opens its own server again.
      await recorder.useFile(file, 'test/a.test.ts')
      const second = userServer(strategy)
      expect(await viaClient(server.url, 'three')).toBe('echo three')
      expect(await profile()).toEqual({ name: 'ada' })
      expect((await recorder.flush())?.recorded).toBe(1)
      // The worker ends: the user's server closes after its file, the recorder stops last.
      close(second)
      recorder.stop()
      expect(existsSync(file)).toBe(true)
      for (const word of ['echo one', 'echo two', 'echo three']) expect(text(file)).toContain(word)
      const live = server.requests.length
      expect(live).toBe(3)

      recorder = startRecorder({ mode: 'replay', ci: true, hosts: [server.url] })
      await recorder.useFile(file, 'test/a.test.ts')
      const again = userServer(strategy)
      expect(await viaLM(server.url, 'one')).toBe('echo one')
      expect(await viaClient(server.url, 'two')).toBe('echo two')
      close(again)
      expect(await viaClient(server.url, 'three')).toBe('echo three')
      expect(server.requests.length).toBe(live)
      // msw's unhandled-request warnings or errors would name the LM host.
      for (const spy of noise) expect(spy.mock.calls.map((c) => String(c[0])).filter((l) => l.includes(server!.url.replace(/\/v1$/, '')))).toEqual([])
    },
  )

  test("the user's openai client retrying an error reply (a 500, a 200 holding an error) does not hang on the user server's copy of it", async () => {
    server = await startScriptedServer({
      reply: sequence({ status: 500, body: { error: { message: 'busy' } } }, { status: 200, headers: { 'content-type': 'application/json' }, body: { error: { message: 'overloaded' } } }, 'recovered'),
    })
    const t = tempDir()
    cleanup = t.cleanup
    recorder = startRecorder({ mode: 'record-missing', hosts: [server.url] })
    await recorder.useFile(join(t.dir, 'fixtures', 'a.test.ts.lm.json'), 'test/a.test.ts')
    userServer('error')
    const reply = await client(server.url, { maxRetries: 2 }).chat.completions.create(ask('hello'))
    expect(reply.choices[0]?.message.content).toBe('recovered')
    expect(server.requests).toHaveLength(3)
  })

  test('a user server already intercepting when the recorder starts is a clear error naming what to do', () => {
    userServer('bypass')
    expect(() => startRecorder({ mode: 'record-missing', hosts: ['http://127.0.0.1:9/v1'] })).toThrow(/another msw server .*setupServer\(\.\.\.\)\.listen\(\) in a test file or in a beforeAll hook/)
  })
})
