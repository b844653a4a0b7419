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

const orders: Record<string, { status: string }> = { 'A-1042': { status: 'lost' }, 'A-2210': { status: 'delivered' } }

const lookupOrder = tool({
  name: 'lookup_order',
  description: 'Status of an order, by order number.',
  args: z.object({ orderId: z.string().describe('The order number') }),
  run: ({ orderId }) => {
    appendFileSync(join(process.cwd(), 'tool-runs.log'), orderId + '\\n')
    const order = orders[orderId]
    if (!order) throw new Error('no order ' + orderId)
    return order
  },
})

const resolve = signature({
  instructions: 'Decide how to resolve the customer message.',
  inputs: { message: z.string() },
  outputs: { resolution: z.enum(['refund', 'track', 'escalate']) },
})

const lm = new LM({ model: 'agent-1', baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY ?? 'test-key', maxRetries: 0 })

describe.optimize('resolves order messages', {
  program: () => new ReAct(resolve, { tools: [lookupOrder], maxIters: 4 }),
  trainset: [
    { id: 'lost', message: 'My order A-1042 never came.', resolution: 'refund' },
    { id: 'delivered', message: 'Where is order A-2210?', resolution: 'track' },
    { id: 'unknown', message: 'What about order B-7?', resolution: 'escalate' },
  ],
  metric: (ex, pred) => (pred.resolution === ex.data.resolution && pred.trajectory.some((s) => s.tool === 'lookup_order') ? 1 : 0),
  lm,
  tolerance: 0,
})
`

/** The scripted agent: look the order up once, then finish; answer from the observation. */
function reply(body: ChatCompletionBody): string {
  const system = body.messages[0]?.content ?? ''
  const last = body.messages.at(-1)?.content ?? ''
  const trajectory = /\[\[ ## trajectory ## \]\]\n([\s\S]*)$/.exec(last)?.[1]?.trim() ?? ''
  if (system.includes('next_tool_name')) {
    const id = /order ([A-Z]-\d+)/.exec(last)?.[1] ?? ''
    return trajectory === ''
      ? `[[ ## next_thought ## ]]\nLook it up.\n\n[[ ## next_tool_name ## ]]\nlookup_order\n\n[[ ## next_tool_args ## ]]\n{"orderId": "${id}"}\n\n[[ ## completed ## ]]`
      : '[[ ## next_thought ## ]]\nDone.\n\n[[ ## next_tool_name ## ]]\nfinish\n\n[[ ## next_tool_args ## ]]\n{}\n\n[[ ## completed ## ]]'
  }
  const resolution = trajectory.includes('"lost"') ? 'refund' : trajectory.includes('"delivered"') ? 'track' : 'escalate'
  return `[[ ## reasoning ## ]]\nFrom the lookup.\n\n[[ ## resolution ## ]]\n${resolution}\n\n[[ ## completed ## ]]`
}

let server: ScriptedServer
let dir = ''
const copies: string[] = []
beforeAll(async () => {
  requireBuild()
  server = await startScriptedServer({ reply })
})
afterAll(async () => {
  for (const d of [dir, ...copies]) if (d) removeProject(d)
  await server.close()
})

const fixtureFile = (d: string): string => join(d, 'fixtures', 'agent.test.ts.lm.json')
const copyOf = (from: string, name: string): string => {
  const files: Record<string, string> = {}
  for (const rel of ['vitest.config.ts', 'agent.test.ts', 'fixtures/agent.test.ts.lm.json', '__snapshots__/agent.test.ts.simba.json']) files[rel] = readFileSync(join(from, rel), 'utf8')
  const d = writeProject(name, files)
  copies.push(d)
  return d
}

describe('vitest-simba e2e: a ReAct agent with recorded tool calls', () => {
  test('records tool results beside the LM calls, replays them in CI with no live call; a lost entry or an edited tool fails CI', async () => {
    dir = writeProject('agent', {
      'vitest.config.ts': "import { defineConfig } from 'vitest/config'\nimport { simba } from 'vitest-simba/plugin'\nexport default defineConfig({ plugins: [simba()], test: { include: ['*.test.ts'] } })\n",
      'agent.test.ts': TEST_FILE,
    })
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test-key' }
    const recorded = await run(dir, ['run'], { env })
    expect(recorded.code, recorded.output).toBe(0)
    expect(recorded.output).toContain('tool calls agent.test.ts: 0 replayed, 3 recorded, 0 missing, 0 unused, 0 live')
    const data = JSON.parse(readFileSync(fixtureFile(dir), 'utf8')) as { entries: object; tools: Record<string, { tool: string; args: { orderId: string }; result?: unknown; error?: string }> }
    expect(Object.keys(data.entries).length).toBeGreaterThan(0)
    const tools = Object.values(data.tools).sort((a, b) => a.args.orderId.localeCompare(b.args.orderId))
    expect(tools).toMatchObject([
      { tool: 'lookup_order', args: { orderId: 'A-1042' }, result: { status: 'lost' } },
      { tool: 'lookup_order', args: { orderId: 'A-2210' }, result: { status: 'delivered' } },
      { tool: 'lookup_order', args: { orderId: 'B-7' }, error: 'no order B-7' },
    ])
    const snapshot = JSON.parse(readFileSync(join(dir, '__snapshots__', 'agent.test.ts.simba.json'), 'utf8')) as { blocks: Record<string, { program: Record<string, unknown> }> }
    expect(Object.keys(Object.values(snapshot.blocks)[0]!.program).sort()).toEqual(['extract.predict', 'react'])
    rmSync(join(dir, 'tool-runs.log'))

    // CI: every LM and tool call replayed; no request reaches the server, no tool runs, no file changes.
    const before = hashTree(dir)
    const served = server.requests.length
    const ci = await run(dir, ['run'], { env: { ...env, CI: 'true' } })
    expect(ci.code, ci.output).toBe(0)
    expect(ci.output).toContain('tool calls agent.test.ts: 3 replayed, 0 recorded, 0 missing, 0 unused, 0 live')
    expect(ci.output).toMatch(/fixtures agent\.test\.ts: \d+ replayed, 0 recorded, 0 missing, 0 unused, 0 live/)
    expect(server.requests.length).toBe(served)
    expect(existsSync(join(dir, 'tool-runs.log'))).toBe(false)
    expect(hashTree(dir)).toEqual(before)

    // A deleted tool entry and an edited tool description, each in its own copy, in parallel.
    const lost = copyOf(dir, 'agent-lost-entry')
    const file = JSON.parse(readFileSync(fixtureFile(lost), 'utf8')) as { tools: Record<string, { args: { orderId: string } }> }
    for (const [k, e] of Object.entries(file.tools)) if (e.args.orderId === 'A-2210') delete file.tools[k]
    writeFileSync(fixtureFile(lost), `${JSON.stringify(file, null, 2)}\n`)
    const edited = copyOf(dir, 'agent-edited-tool')
    const testFile = join(edited, 'agent.test.ts')
    writeFileSync(testFile, readFileSync(testFile, 'utf8').replace('Status of an order, by order number.', 'Status and carrier of an order.'))
    const [missing, stale] = await Promise.all([run(lost, ['run'], { env: { ...env, CI: 'true' } }), run(edited, ['run'], { env: { ...env, CI: 'true' } })])
    expect(missing.code).toBe(1)
    expect(missing.output).toContain('case "delivered" of block "resolves order messages" failed')
    expect(missing.output).toContain('no recorded result of tool "lookup_order" with arguments {"orderId":"A-2210"}')
    expect(missing.output).toMatch(/npx vitest run [^\n]*agent\.test\.ts/)
    expect(missing.output).toContain('tool calls agent.test.ts: 2 replayed, 0 recorded, 1 missing, 0 unused, 0 live')
    expect(existsSync(join(lost, 'tool-runs.log'))).toBe(false)
    expect(stale.code).toBe(1)
    expect(stale.output).toContain('SIMBA_SNAPSHOT_STALE')
    expect(stale.output).toMatch(/predictor "react": (fields changed|field descriptions changed|instructions changed)/)
  }, 120_000)
})
