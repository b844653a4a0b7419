/**
 * worldBounds is what a real program measures: the floor equals the held-out accuracy of an
 * unoptimized Predict (our adapter, the LM client over HTTP, temperature 0) on every bundled world,
 * and the ceiling equals the accuracy of a Predict whose instructions name every keyword of every rule.
 * For tool worlds the same holds of a ReAct agent with the world's tools (floor: unoptimized;
 * ceiling: its react instructions name every lookup, its extract instructions every mapping).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { toExamples } from '../../src/core/example/example.js'
import { evaluate } from '../../src/core/evaluate/evaluate.js'
import { LM } from '../../src/core/lm/lm.js'
import { Predict } from '../../src/core/predict/predict.js'
import { signature } from '../../src/core/signature/signature.js'
import { isToolWorld, loadWorld, startSimulator, worldBounds, worldToolDefinitions, type Simulator, type ToolWorld } from '../../src/testing.js'
import { ReAct } from '../../src/core/react/react.js'
import { tool } from '../../src/core/tool/tool.js'
import type { World } from '../../src/testing/world/schema.js'

const ROOT = resolve(import.meta.dirname, '../..')
const files = readdirSync(resolve(ROOT, 'examples/worlds')).filter((f) => f.endsWith('.json')).map((f) => `examples/worlds/${f}`)
let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ worlds: files })
})
afterAll(() => sim.close())

async function heldOut(world: World, instructions?: string): Promise<number> {
  const sig = signature({ instructions, inputs: Object.fromEntries(world.inputs.map((k) => [k, z.string()])), outputs: { [world.output]: z.enum(world.labels as [string, ...string[]]) } })
  const lm = new LM({ model: 'simba-sim-1', baseURL: sim.url, apiKey: 'x', maxRetries: 0, temperature: 0, cache: false })
  const program = new Predict(sig, { lm })
  const metric = (ex: { data: Record<string, unknown> }, p: Record<string, unknown>) => (p[world.output] === ex.data[world.output] ? 1 : 0)
  return (await evaluate(program, toExamples(world.test, world.inputs), metric)).mean
}

async function agentHeldOut(world: ToolWorld, react?: string, extract?: string): Promise<number> {
  const sig = signature({ instructions: 'Decide the case.', inputs: Object.fromEntries(world.inputs.map((k) => [k, z.string()])), outputs: { [world.output]: z.enum(world.labels as [string, ...string[]]) } })
  const lm = new LM({ model: 'simba-sim-1', baseURL: sim.url, apiKey: 'x', maxRetries: 0, temperature: 0, cache: false })
  const agent = new ReAct(sig, { tools: worldToolDefinitions(world).map((d) => tool(d)), maxIters: 6 })
  if (react) agent.react.instructions += `\n\n${react}`
  if (extract) agent.extract.predict.instructions += `\n\n${extract}`
  const metric = (ex: { data: Record<string, unknown> }, p: Record<string, unknown>) => (p[world.output] === ex.data[world.output] ? 1 : 0)
  return (await evaluate(agent, toExamples(world.test, world.inputs), metric, { settings: { lm } })).mean
}

describe.each(files.filter((f) => isToolWorld(loadWorld(f))))('%s (tool world)', (file) => {
  const world = loadWorld(file) as ToolWorld
  it('floor = an unoptimized ReAct agent over HTTP with the world\'s tools; ceiling = one told every lookup and mapping', async () => {
    const b = await worldBounds(world)
    expect(b.cases).toBe(world.test.length)
    expect(await agentHeldOut(world)).toBeCloseTo(b.floor, 10)
    const lookups = world.lookups.map((r) => `For any ${r.keywords[0]} cue, call \`${r.use.tool}\` first.`).join('\n')
    const mappings = world.mappings.map((r) => `A result showing "${r.keywords[0]}" means ${r.label}.`).join('\n')
    expect(await agentHeldOut(world, lookups, mappings)).toBeCloseTo(b.ceiling, 10)
    expect(b.ceiling - b.floor).toBeGreaterThan(0.3)
  })
})

describe.each(files.filter((f) => !isToolWorld(loadWorld(f))))('%s', (file) => {
  const world = loadWorld(file)
  it('floor = an unoptimized Predict over HTTP; ceiling = a Predict told every keyword; floor < ceiling', async () => {
    const b = await worldBounds(world)
    expect(b.cases).toBe(world.test.length)
    expect(await heldOut(world)).toBeCloseTo(b.floor, 10)
    const everything = world.rules.map((r) => `Anything that mentions ${r.keywords.map((k) => `"${k}"`).join(' or ')} is ${r.label}.`).join('\n')
    expect(await heldOut(world, everything)).toBeCloseTo(b.ceiling, 10)
    expect(b.ceiling - b.floor).toBeGreaterThan(0.3)
  })
})

it('`npm run sim -- bounds` prints the same numbers for every bundled world', async () => {
  const cli = resolve(ROOT, 'dist/testing/cli.js')
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`)
  const run = spawnSync(process.execPath, [cli, 'bounds', ...files], { cwd: ROOT, encoding: 'utf8' })
  expect(run.status, run.stderr).toBe(0)
  for (const file of files) {
    const world = loadWorld(file)
    const b = await worldBounds(world)
    expect(run.stdout).toMatch(new RegExp(`^${world.name}\\s+${b.floor.toFixed(3)}\\s+${b.ceiling.toFixed(3)}\\s+${b.cases}$`, 'm'))
  }
})
