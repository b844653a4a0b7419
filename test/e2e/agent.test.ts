/**
 * A ReAct agent in a real Vitest run: its tool calls are recorded beside its LM calls, replayed in
 * CI with no live LM or tool call, a deleted tool entry fails CI naming the tool and arguments,
 * and editing a tool's description in code makes the snapshot stale.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startScriptedServer, type ChatCompletionBody, type ScriptedServer } from '../helpers/openai-server.js'
import { hashTree, removeProject, requireBuild, run, writeProject } from './harness.js'

const TEST_FILE = `import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { describe, LM, ReAct, signature, tool } from 'vitest-simba'

const logRun = (what: string) => appendFileSync(join(process.cwd(), 'tool-runs.log'), what + '\\n')
const orders: Record<string, { status: string }> = { 'A-1042': { status: 'lost' }, 'A-2210': { status: 'delivered' } }
const lookupOrder = tool({
  name: 'lookup_order',
  description: 'Status of an order, by order number.',
  args: z.object({ orderId: z.string().describe('The order number') }),
  run: ({ orderId }) => {
    logRun(orderId)
    const order = orders[orderId]
    if (!order) throw new Error('no order ' + orderId)
    return order
  },
})
const trackParcel = tool({
  name: 'track_parcel',
  description: 'Where a parcel is.',
  args: z.object({ parcelId: z.string() }),
  run: ({ parcelId }) => {
    logRun(parcelId)
    return parcelId === 'P-1' ? 'lost in transit' : 'delivered to the door'
  },
})

const resolve = signature({
  instructions: 'Decide how to resolve the customer message.',
  inputs: { message: z.string() },
  outputs: { resolution: z.enum(['refund', 'track', 'escalate']) },
})
const lm = new LM({ model: 'agent-1', baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY ?? 'test-key', maxRetries: 0 })
const used = (tool: string) => (ex: { data: Record<string, unknown> }, pred: { resolution: string; trajectory: Array<{ tool: string }> }) =>
  pred.resolution === ex.data.resolution && pred.trajectory.some((s) => s.tool === tool) ? 1 : 0

describe.optimize('resolves order messages', {
  program: () => new ReAct(resolve, { tools: [lookupOrder], maxIters: 4 }),
  trainset: [
    { id: 'lost', message: 'My order A-1042 never came.', resolution: 'refund' },
    { id: 'delivered', message: 'Where is order A-2210?', resolution: 'track' },
    { id: 'unknown', message: 'What about order B-7?', resolution: 'escalate' },
  ],
  metric: used('lookup_order'),
  lm,
  tolerance: 0,
})

describe.optimize('tracks parcels', {
  program: () => new ReAct(resolve, { tools: [trackParcel], maxIters: 4 }),
  trainset: [
    { id: 'parcel-lost', message: 'Parcel P-1 is late.', resolution: 'refund' },
    { id: 'parcel-home', message: 'Parcel P-2 status?', resolution: 'track' },
  ],
  metric: used('track_parcel'),
  lm,
  tolerance: 0,
})
`

/** The scripted agent: call the listed tool once with the id from the message, then finish; answer from the observation. */
function reply(body: ChatCompletionBody): string {
  const system = body.messages[0]?.content ?? ''
  const last = body.messages.at(-1)?.content ?? ''
  const trajectory = /\[\[ ## trajectory ## \]\]\n([\s\S]*)$/.exec(last)?.[1]?.trim() ?? ''
  if (system.includes('next_tool_name')) {
    const id = /(?:order|Parcel) ([A-Z]-\d+)/.exec(last)?.[1] ?? ''
    const call = system.includes('`track_parcel`') ? `track_parcel\n\n[[ ## next_tool_args ## ]]\n{"parcelId": "${id}"}` : `lookup_order\n\n[[ ## next_tool_args ## ]]\n{"orderId": "${id}"}`
    return trajectory === ''
      ? `[[ ## next_thought ## ]]\nLook it up.\n\n[[ ## next_tool_name ## ]]\n${call}\n\n[[ ## completed ## ]]`
      : '[[ ## next_thought ## ]]\nDone.\n\n[[ ## next_tool_name ## ]]\nfinish\n\n[[ ## next_tool_args ## ]]\n{}\n\n[[ ## completed ## ]]'
  }
  const resolution = /"lost"|lost in transit/.test(trajectory) ? 'refund' : /"delivered"|delivered to/.test(trajectory) ? 'track' : 'escalate'
  return `[[ ## reasoning ## ]]\nFrom the lookup.\n\n[[ ## resolution ## ]]\n${resolution}\n\n[[ ## completed ## ]]`
}

let server: ScriptedServer
let dir = ''
beforeAll(async () => {
  requireBuild()
  server = await startScriptedServer({ reply })
})
afterAll(async () => {
  if (dir) removeProject(dir)
  await server.close()
})

type ToolEntries = Record<string, { tool: string; args: Record<string, string>; result?: unknown; error?: string }>
const fixture = (file: string): string => join(dir, 'fixtures', `${file}.lm.json`)
const toolsOf = (file: string): ToolEntries => (JSON.parse(readFileSync(fixture(file), 'utf8')) as { tools: ToolEntries }).tools

describe('vitest-simba e2e: a ReAct agent with recorded tool calls', () => {
  test('records tool results beside the LM calls, replays them in CI with no live call; a lost entry or an edited tool fails CI', async () => {
    // Two identical test files: `clean` must replay in CI, `broken` gets a lost entry and an edited tool.
    dir = writeProject('agent', {
      'vitest.config.ts': "import { defineConfig } from 'vitest/config'\nimport { simba } from 'vitest-simba/plugin'\nexport default defineConfig({ plugins: [simba()], test: { include: ['*.test.ts'] } })\n",
      'clean.test.ts': TEST_FILE,
      'broken.test.ts': TEST_FILE,
    })
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test-key' }
    const recorded = await run(dir, ['run'], { env })
    expect(recorded.code, recorded.output).toBe(0)
    expect(recorded.output).toContain('tool calls clean.test.ts: 0 replayed, 5 recorded, 0 missing, 0 unused, 0 live')
    const sorted = Object.values(toolsOf('clean.test.ts')).sort((a, b) => JSON.stringify(a.args).localeCompare(JSON.stringify(b.args)))
    expect(sorted).toMatchObject([
      { tool: 'lookup_order', args: { orderId: 'A-1042' }, result: { status: 'lost' } },
      { tool: 'lookup_order', args: { orderId: 'A-2210' }, result: { status: 'delivered' } },
      { tool: 'lookup_order', args: { orderId: 'B-7' }, error: 'no order B-7' },
      { tool: 'track_parcel', args: { parcelId: 'P-1' }, result: 'lost in transit' },
      { tool: 'track_parcel', args: { parcelId: 'P-2' }, result: 'delivered to the door' },
    ])
    expect(Object.keys((JSON.parse(readFileSync(fixture('clean.test.ts'), 'utf8')) as { entries: object }).entries).length).toBeGreaterThan(0)
    const snapshot = JSON.parse(readFileSync(join(dir, '__snapshots__', 'clean.test.ts.simba.json'), 'utf8')) as { blocks: Record<string, { program: Record<string, unknown> }> }
    expect(Object.keys(snapshot.blocks['resolves order messages']!.program).sort()).toEqual(['extract.predict', 'react'])
    rmSync(join(dir, 'tool-runs.log'))

    // broken.test.ts: one tool entry deleted, one tool description edited.
    const tools = toolsOf('broken.test.ts')
    for (const [k, e] of Object.entries(tools)) if (e.args.parcelId === 'P-2') delete tools[k]
    const data = JSON.parse(readFileSync(fixture('broken.test.ts'), 'utf8')) as { tools: ToolEntries }
    writeFileSync(fixture('broken.test.ts'), `${JSON.stringify({ ...data, tools }, null, 2)}\n`)
    const broken = join(dir, 'broken.test.ts')
    writeFileSync(broken, readFileSync(broken, 'utf8').replace('Status of an order, by order number.', 'Status and carrier of an order.'))

    // CI: clean.test.ts replays every LM and tool call (nothing reaches the server, no tool runs, no file changes).
    const before = hashTree(dir)
    const served = server.requests.length
    const ci = await run(dir, ['run'], { env: { ...env, CI: 'true' } })
    expect(ci.code).toBe(1)
    expect(ci.output).toMatch(/✓ clean\.test\.ts/)
    expect(ci.output).toContain('tool calls clean.test.ts: 5 replayed, 0 recorded, 0 missing, 0 unused, 0 live')
    expect(ci.output).toMatch(/fixtures clean\.test\.ts: \d+ replayed, 0 recorded, 0 missing, 0 unused, 0 live/)
    expect(server.requests.length).toBe(served)
    expect(existsSync(join(dir, 'tool-runs.log'))).toBe(false)
    expect(hashTree(dir)).toEqual(before)
    // broken.test.ts: the lost entry fails its case, naming the tool, the arguments and the command.
    expect(ci.output).toContain('case "parcel-home" of block "tracks parcels" failed')
    expect(ci.output).toContain('no recorded result of tool "track_parcel" with arguments {"parcelId":"P-2"}')
    expect(ci.output).toMatch(/npx vitest run [^\n]*broken\.test\.ts/)
    expect(ci.output).toContain('tool calls broken.test.ts: 1 replayed, 0 recorded, 1 missing, 3 unused, 0 live') // the stale block runs no case
    // ... and the edited description makes the block's snapshot stale.
    expect(ci.output).toContain('SIMBA_SNAPSHOT_STALE')
    expect(ci.output).toMatch(/resolves order messages[^\n]*\n?[^\n]*predictor "react": (fields changed|field descriptions changed|instructions changed)/)
  })
})
