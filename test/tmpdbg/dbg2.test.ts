import { test, expect } from 'vitest'
import { join } from 'node:path'
import { sequence, startScriptedServer } from '../helpers/openai-server.js'
import { ask, client, startRecorder, tempDir } from '../recording/support.js'
test('dbg', async () => {
  const s = await startScriptedServer({ reply: sequence({ status: 500, headers: { 'content-type': 'application/json' }, body: { error: { message: 'x' } } }, 'recovered') })
  const t = tempDir()
  const recorder = { stop() {} }

  const OpenAI = (await import('openai')).default
  const c = new OpenAI({ apiKey: 'sk-x', baseURL: s.url, maxRetries: 2, fetch: async (...a: Parameters<typeof fetch>) => { console.log('fetch'); try { const r = await globalThis.fetch(...a); console.log('status', r.status, [...r.headers]); return r } catch (e) { console.log('fetcherr', e); throw e } } })
  const p = c.chat.completions.create(ask('hello')).then((r) => console.log('got', r.choices[0]?.message.content), (e) => console.log('err', e))
  await new Promise((r) => setTimeout(r, 5000))
  console.log('requests', s.requests.length)
  await Promise.race([p, new Promise((r) => setTimeout(r, 1000))])
  recorder.stop(); await s.close()
}, 20000)
