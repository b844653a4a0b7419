import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { invokeTool, tool } from '../../src/core/tool/tool.js'
import { currentToolCallHook } from '../../src/core/tool/hook.js'
import { withPhase } from '../../src/recording/phase.js'
import type { FixtureRecorder } from '../../src/recording/recorder.js'
import { FixtureFileStore } from '../../src/recording/store.js'
import { toolKey } from '../../src/recording/tools/entry.js'
import { startScriptedServer, type ScriptedServer } from '../helpers/openai-server.js'
import { ask, client, startRecorder, tempDir, text } from './support.js'

let recorder: FixtureRecorder | undefined
let server: ScriptedServer | undefined
let cleanup: (() => void) | undefined

afterEach(async () => {
  recorder?.stop()
  await server?.close()
  cleanup?.()
  recorder = server = cleanup = undefined
})

function fixtureFile(): string {
  const t = tempDir()
  cleanup = t.cleanup
  return join(t.dir, 'fixtures', 'agent.test.ts.lm.json')
}

/** A recorded tool that counts its real runs; order "Z-0" throws. */
function lookupTool(record = true) {
  const runs: string[] = []
  const t = tool({
    name: 'lookup_order',
    description: 'Status of an order.',
    args: z.object({ orderId: z.string(), verbose: z.boolean().default(false) }),
    record,
    run: async ({ orderId }) => {
      runs.push(orderId)
      if (orderId === 'Z-0') throw new Error(`order ${orderId} not found`)
      return { status: 'lost', carrier: 'ups', orderId }
    },
  })
  return { t, runs }
}

const json = (file: string) => JSON.parse(text(file)) as { entries: Record<string, unknown>; tools?: Record<string, Record<string, unknown>> }

describe('recorded tool calls', () => {
  test('are recorded beside the LM entries, then replayed in CI without running the tool, byte-clean', async () => {
    const file = fixtureFile()
    const { t, runs } = lookupTool()
    recorder = startRecorder({ mode: 'record-missing', hosts: [] })
    expect(currentToolCallHook()).toBeDefined()
    await recorder.useFile(file, 'agent.test.ts')
    const first = await invokeTool(t, { orderId: 'A-1' })
    const failed = await invokeTool(t, { orderId: 'Z-0' })
    const again = await invokeTool(t, { verbose: false, orderId: 'A-1' })
    expect(first).toBe('{"carrier":"ups","orderId":"A-1","status":"lost"}')
    expect(failed).toBe('Error: order Z-0 not found')
    expect(again).toBe(first)
    expect(runs).toEqual(['A-1', 'Z-0'])
    const stats = await recorder.flush({ final: true })
    expect(stats?.tools).toEqual({ replayed: 1, recorded: 2, missing: 0, unused: 0, live: 0 })
    const data = json(file)
    expect(data.entries).toEqual({})
    const entries = Object.entries(data.tools ?? {})
    expect(entries).toHaveLength(2)
    const byArgs = Object.fromEntries(entries.map(([k, e]) => [(e.args as { orderId: string }).orderId, { k, e }]))
    expect(byArgs['A-1']!.k).toBe(toolKey('lookup_order', { orderId: 'A-1', verbose: false }))
    expect(byArgs['A-1']!.e).toMatchObject({ tool: 'lookup_order', args: { orderId: 'A-1', verbose: false }, result: { carrier: 'ups', orderId: 'A-1', status: 'lost' } })
    expect(byArgs['Z-0']!.e).toMatchObject({ tool: 'lookup_order', error: 'order Z-0 not found' })
    expect(byArgs['Z-0']!.e).not.toHaveProperty('result')
    recorder.stop()

    const before = text(file)
    recorder = startRecorder({ mode: 'record-missing', hosts: [], ci: true })
    await recorder.useFile(file, 'agent.test.ts')
    expect(await invokeTool(t, { orderId: 'A-1' })).toBe(first)
    expect(await invokeTool(t, { orderId: 'Z-0' })).toBe(failed)
    expect(runs).toEqual(['A-1', 'Z-0'])
    expect((await recorder.flush({ final: true }))?.tools).toEqual({ replayed: 2, recorded: 0, missing: 0, unused: 0, live: 0 })
    expect(text(file)).toBe(before)
  })

  test('a missing recording fails in CI, naming the tool, the arguments and the command that records it', async () => {
    const file = fixtureFile()
    const { t, runs } = lookupTool()
    recorder = startRecorder({ mode: 'record-missing', hosts: [], ci: true })
    await recorder.useFile(file, 'test/agent.test.ts')
    const error = await invokeTool(t, { orderId: 'A-9' }).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    )
    expect(error?.code).toBe('SIMBA_FIXTURE_MISSING')
    expect(error?.message).toContain('no recorded result of tool "lookup_order" with arguments {"orderId":"A-9","verbose":false}')
    expect(error?.message).toContain('npx vitest run test/agent.test.ts')
    expect(runs).toEqual([])
    expect((await recorder.flush({ final: true }))?.tools?.missing).toBe(1)
    expect(existsSync(file)).toBe(false)
  })

  test('record: false runs the tool live always and writes nothing; the optimization phase runs tools live unrecorded', async () => {
    const file = fixtureFile()
    const live = lookupTool(false)
    const recorded = lookupTool()
    recorder = startRecorder({ mode: 'record-missing', hosts: [], ci: true })
    await recorder.useFile(file, 'agent.test.ts')
    expect(await invokeTool(live.t, { orderId: 'A-1' })).toContain('"status":"lost"')
    expect(live.runs).toEqual(['A-1'])
    recorder.stop()
    recorder = startRecorder({ mode: 'record-missing', hosts: [] })
    await recorder.useFile(file, 'agent.test.ts')
    await withPhase('live', () => invokeTool(recorded.t, { orderId: 'A-2' }))
    expect(recorded.runs).toEqual(['A-2'])
    expect((await recorder.flush({ final: true }))?.tools).toEqual({ replayed: 0, recorded: 0, missing: 0, unused: 0, live: 1 })
    expect(existsSync(file)).toBe(false)
  })

  test('-u re-runs recorded tools and prunes the entries no call used', async () => {
    const file = fixtureFile()
    const { t, runs } = lookupTool()
    recorder = startRecorder({ mode: 'record-missing', hosts: [] })
    await recorder.useFile(file, 'agent.test.ts')
    await invokeTool(t, { orderId: 'A-1' })
    await invokeTool(t, { orderId: 'A-2' })
    await recorder.flush({ final: true })
    recorder.stop()
    recorder = startRecorder({ mode: 're-record', hosts: [] })
    await recorder.useFile(file, 'agent.test.ts')
    await invokeTool(t, { orderId: 'A-2' })
    expect(runs).toEqual(['A-1', 'A-2', 'A-2'])
    expect((await recorder.flush({ final: true }))?.tools).toMatchObject({ recorded: 1, unused: 1 })
    expect(Object.values(json(file).tools ?? {}).map((e) => (e.args as { orderId: string }).orderId)).toEqual(['A-2'])
  })

  test('-u never prunes a tool entry another run (re)wrote meanwhile', async () => {
    const file = fixtureFile()
    const { t } = lookupTool()
    const entry = (result: number) => ({ tool: 'x', args: {}, result, provenance: { recordedAt: 'now', library: 'test' } })
    const first = new FixtureFileStore(file, 'agent.test.ts', 'record-missing')
    first.addTool(toolKey('x', {}), entry(1))
    await first.flush({ final: true })
    recorder = startRecorder({ mode: 're-record', hosts: [] })
    await recorder.useFile(file, 'agent.test.ts') // reads x = 1, which this run will not use
    await invokeTool(t, { orderId: 'A-1' })
    const other = new FixtureFileStore(file, 'agent.test.ts', 're-record')
    other.addTool(toolKey('x', {}), entry(2))
    await other.flush({ final: true })
    await recorder.flush({ final: true })
    const tools = Object.values(json(file).tools ?? {})
    expect(tools.map((e) => [e.tool, e.result ?? null]).sort()).toEqual([['lookup_order', { carrier: 'ups', orderId: 'A-1', status: 'lost' }], ['x', 2]])
  })

  test('an entry holding a secret is refused, named, and kept out of the file; the others are written', async () => {
    const file = fixtureFile()
    const leaky = tool({ name: 'get_config', description: 'Config.', args: z.object({ name: z.string() }), run: ({ name }) => (name === 'key' ? 'sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345' : 'plain') })
    recorder = startRecorder({ mode: 'record-missing', hosts: [] })
    await recorder.useFile(file, 'agent.test.ts')
    await invokeTool(leaky, { name: 'key' })
    await invokeTool(leaky, { name: 'other' })
    await expect(recorder.flush({ final: true })).rejects.toThrow(/recording\(s\) of agent\.test\.ts were not written .*tool get_config .*field result/)
    const written = text(file)
    expect(written).not.toContain('ABCDEFGHIJ')
    expect(Object.values(json(file).tools ?? {}).map((e) => e.result)).toEqual(['plain'])
  })

  test('recordings are written as they arrive (nothing lost if the run is killed) and merge with another writer', async () => {
    const file = fixtureFile()
    const { t } = lookupTool()
    recorder = startRecorder({ mode: 'record-missing', hosts: [] })
    await recorder.useFile(file, 'agent.test.ts')
    const other = new FixtureFileStore(file, 'agent.test.ts', 'record-missing')
    await invokeTool(t, { orderId: 'A-1' })
    const deadline = Date.now() + 30_000
    while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(Object.keys(json(file).tools ?? {})).toHaveLength(1)
    other.addTool(toolKey('x', {}), { tool: 'x', args: {}, result: 1, provenance: { recordedAt: 'now', library: 'test' } })
    await other.flush({ final: true })
    await recorder.flush({ final: true })
    expect(Object.values(json(file).tools ?? {}).map((e) => e.tool).sort()).toEqual(['lookup_order', 'x'])
  })

  test('HTTP calls a tool makes to an LM host are recorded as LM traffic', async () => {
    server = await startScriptedServer({ reply: () => 'summary' })
    const url = server.url
    const file = fixtureFile()
    const summarize = tool({
      name: 'summarize',
      description: 'Summarizes with an LM.',
      args: z.object({ text: z.string() }),
      run: async ({ text: t }) => (await client(url).chat.completions.create(ask(t))).choices[0]?.message.content,
    })
    recorder = startRecorder({ mode: 'record-missing', hosts: [url] })
    await recorder.useFile(file, 'agent.test.ts')
    expect(await invokeTool(summarize, { text: 'long text' })).toBe('summary')
    const stats = await recorder.flush({ final: true })
    expect(stats).toMatchObject({ recorded: 1, tools: { recorded: 1 } })
    const data = json(file)
    expect(Object.keys(data.entries)).toHaveLength(1)
    expect(Object.values(data.tools ?? {})[0]).toMatchObject({ tool: 'summarize', result: 'summary' })
  })

  test('a malformed tools section is reported as a corrupt fixture file', async () => {
    const file = fixtureFile()
    const { mkdirSync } = await import('node:fs')
    mkdirSync(join(file, '..'), { recursive: true })
    writeFileSync(file, JSON.stringify({ version: 1, entries: {}, tools: { k: { tool: 'x', args: {}, provenance: { recordedAt: 'a', library: 'b' } } } }))
    expect(() => new FixtureFileStore(file, 'agent.test.ts', 'replay')).toThrow(/corrupt \(wrong shape at tools\.k: needs exactly one of "result" and "error"\)/)
  })
})
