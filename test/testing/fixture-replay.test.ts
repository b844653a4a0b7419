/**
 * Every simulator reply recorded in the committed LM fixtures (fixtures/examples, fixtures/projects)
 * is produced again, byte for byte, by today's simulator on the same world (format v1; the agent example's tool world): the learning
 * knobs and the foreign-layout reader change nothing for the project's own requests.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { usageOf } from '../../src/testing/sim/openai-shapes.js'
import { messageText, type RawMessage } from '../../src/testing/sim/prompt.js'
import { simulate } from '../../src/testing/sim/simulate.js'
import { loadWorld } from '../../src/testing/world/load.js'
import { support } from './helpers.js'

/** The worlds the committed fixtures were recorded on: support-tickets, and order-desk for the agent example. */
const worlds = [support, loadWorld('examples/worlds/order-desk.json')]

const ROOT = resolve(import.meta.dirname, '../..')

function lmFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? lmFiles(join(dir, e.name)) : e.name.endsWith('.lm.json') ? [join(dir, e.name)] : []))
}

interface Entry {
  request: { body: { messages: RawMessage[]; temperature?: number; seed?: number; response_format?: unknown } }
  response: { body?: { system_fingerprint?: string; choices: Array<{ message: { content: string } }>; usage: unknown } }
  /** The rollout (or trial) id the request was made under; the simulator saw it as a header. */
  rolloutId?: number
}

const files = [...lmFiles(join(ROOT, 'fixtures/examples')), ...lmFiles(join(ROOT, 'fixtures/projects'))]

describe.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s', (_, file) => {
  const entries = Object.values((JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, Entry> }).entries).filter((e) => e.response.body?.system_fingerprint === 'vitest-simba-sim')

  it('replays every recorded simulator reply byte for byte (content and usage)', () => {
    expect(entries.length).toBeGreaterThan(0)
    for (const e of entries) {
      const body = e.request.body
      const ctx = { temperature: body.temperature ?? 1, rollout: e.rolloutId !== undefined ? String(e.rolloutId) : body.seed !== undefined ? String(body.seed) : '', salt: '0' }
      const content = simulate(worlds, body.messages, body.response_format, ctx).content
      expect(content).toBe(e.response.body!.choices[0]!.message.content)
      expect(usageOf(body.messages.reduce((n, m) => n + messageText(m.content).length, 0), content)).toEqual(e.response.body!.usage)
    }
  })
})
