import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { LM } from '../../src/core/lm/lm.js'
import { isSimbaError } from '../../src/errors.js'
import { isLoopbackHost, normalizeHosts, relativeLMPath, sameHostKey } from '../../src/recording/hosts.js'
import type { FixtureRecorder } from '../../src/recording/recorder.js'
import { startScriptedServer, type ScriptedServer } from '../helpers/openai-server.js'
import { API_KEY, startRecorder, tempDir, text } from './support.js'

// Under CI no call of an `LM` may leave the machine: a base URL the recorder covers under another
// loopback spelling is recorded and replayed as the same host, and one it does not cover is refused
// (naming the host and the `hosts` option) before any request is sent; locally it is a warning.

let recorder: FixtureRecorder | undefined
const servers: ScriptedServer[] = []
const cleanups: Array<() => void> = []

afterEach(async () => {
  recorder?.stop()
  recorder = undefined
  vi.restoreAllMocks()
  for (const s of servers.splice(0)) await s.close()
  for (const c of cleanups.splice(0)) c()
})

async function server(): Promise<ScriptedServer> {
  const s = await startScriptedServer({ reply: (body) => `echo ${body.messages.at(-1)?.content}` })
  servers.push(s)
  return s
}

function fixtureFile(): string {
  const t = tempDir()
  cleanups.push(t.cleanup)
  return join(t.dir, 'fixtures', 'a.test.ts.lm.json')
}

const lmAt = (baseURL: string, extra: Partial<ConstructorParameters<typeof LM>[0]> = {}): LM =>
  new LM({ model: 'test-model', baseURL, apiKey: API_KEY, maxRetries: 0, cache: false, ...extra })

const ask = (lm: LM, content: string): Promise<string> => lm.call({ messages: [{ role: 'user', content }] }).then((r) => r.text)

describe('loopback spellings are one LM host', () => {
  test('an LM on localhost is recorded under a 127.0.0.1 host and replayed under CI without a request', async () => {
    const s = await server()
    const configured = s.url // http://127.0.0.1:<port>/v1
    const spelled = configured.replace('127.0.0.1', 'localhost')
    const file = fixtureFile()

    recorder = startRecorder({ mode: 'record-missing', hosts: [configured] })
    await recorder.useFile(file, 'test/a.test.ts')
    expect(await ask(lmAt(spelled), 'hello')).toBe('echo hello')
    const recorded = await recorder.flush()
    recorder.stop()
    expect(recorded?.recorded).toBe(1)
    expect(existsSync(file)).toBe(true)
    expect(text(file)).not.toContain('localhost')
    const live = s.requests.length
    expect(live).toBe(1)

    // CI: the same host through a third spelling is replayed, and nothing reaches the server.
    recorder = startRecorder({ mode: 'replay', ci: true, hosts: [configured] })
    await recorder.useFile(file, 'test/a.test.ts')
    for (const spelling of ['localhost', '127.1.2.3', '[::1]']) {
      expect(await ask(lmAt(configured.replace('127.0.0.1', spelling)), 'hello')).toBe('echo hello')
    }
    expect(s.requests.length).toBe(live)
  })

  test('sameHostKey: every loopback spelling of one port is one host; other hosts keep their origin', () => {
    const spellings = ['localhost', 'LOCALHOST', '127.0.0.1', '127.9.8.7', '[::1]', '[::ffff:127.0.0.1]', 'app.localhost']
    fc.assert(
      fc.property(fc.constantFrom(...spellings), fc.constantFrom(...spellings), fc.integer({ min: 1, max: 65535 }), fc.constantFrom('http', 'https'), (a, b, port, scheme) => {
        expect(sameHostKey(new URL(`${scheme}://${a}:${port}/v1`))).toBe(sameHostKey(new URL(`${scheme}://${b}:${port}/v1`)))
      }),
    )
    for (const other of ['10.0.0.1', '128.0.0.1', 'localhost.example.com', 'api.openai.com', '[::2]', '0.0.0.0']) expect(isLoopbackHost(new URL(`http://${other}/`).hostname)).toBe(false)
    expect(sameHostKey(new URL('http://localhost:1/'))).not.toBe(sameHostKey(new URL('http://localhost:2/')))
    expect(sameHostKey(new URL('http://localhost:1/'))).not.toBe(sameHostKey(new URL('https://localhost:1/')))
    const hosts = normalizeHosts(['http://127.0.0.1:8791/v1'])
    expect(relativeLMPath(hosts, 'http://localhost:8791/v1/chat/completions')).toBe('/chat/completions')
    expect(relativeLMPath(hosts, 'http://[::1]:8791/v1/chat/completions')).toBe('/chat/completions')
    expect(relativeLMPath(hosts, 'http://localhost:8792/v1/chat/completions')).toBeUndefined()
  })
})

describe('an LM whose host the recorder does not cover', () => {
  test('under CI the call is refused before any request, naming the host and the hosts option', async () => {
    const covered = await server()
    const other = await server()
    recorder = startRecorder({ mode: 'replay', ci: true, hosts: [covered.url] })
    await recorder.useFile(fixtureFile(), 'test/a.test.ts')
    for (const lm of [lmAt(other.url), lmAt(other.url, { fetch: (...a: Parameters<typeof fetch>) => globalThis.fetch(...a) })]) {
      const error = await ask(lm, 'hello').then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(isSimbaError(error, 'SIMBA_CONFIG')).toBe(true)
      const message = (error as Error).message
      expect(message).toContain(other.url)
      expect(message).toContain('`hosts`')
      expect(message).toContain(`simba({ hosts: ['${other.url}'] })`)
    }
    expect(other.requests.length).toBe(0)
  })

  test('locally the call goes on with one warning per base URL naming the hosts option', async () => {
    const covered = await server()
    const other = await server()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    recorder = startRecorder({ mode: 'record-missing', hosts: [covered.url] })
    await recorder.useFile(fixtureFile(), 'test/a.test.ts')
    expect(await ask(lmAt(other.url), 'one')).toBe('echo one')
    expect(await ask(lmAt(other.url), 'two')).toBe('echo two')
    expect(await ask(lmAt(covered.url), 'three')).toBe('echo three')
    const lines = warn.mock.calls.map((c) => String(c[0]))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(other.url)
    expect(lines[0]).toContain('`hosts`')
    expect(lines[0]).toContain('fail under CI')
    expect(other.requests.length).toBe(2)
  })
})
