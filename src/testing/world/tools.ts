import { z } from 'zod'
import { canonicalJson } from '../../internal/json/canonical.js'
import type { LookupRule, MappingRule, ToolWorldParts, World, WorldTool } from './schema.js'

/** A world that declares tools (its lookup and mapping rules split out of `rules`). */
export type ToolWorld = World & ToolWorldParts

/** True when the world declares tools (a tool world, answered as an agent task). */
export function isToolWorld(world: World): world is ToolWorld {
  return Array.isArray((world as Partial<ToolWorldParts>).tools)
}

/** One tool call of a trajectory: the tool, its arguments and what it returned (parsed JSON when it was an object). */
export interface ToolStep {
  tool: string
  args: Record<string, unknown>
  /** The observation: an object for a structured result, else its text (errors start with `Error:`). */
  observation: unknown
}

/** A planned call: the lookup rule that asks for it, the tool and the arguments. */
export interface PlannedCall {
  rule: LookupRule
  tool: string
  args: Record<string, string>
  /** The cue that triggered it: the matched input text, or the result field's value. */
  cue: string
}

const argName = (tool: WorldTool): string => Object.keys(tool.args)[0] as string

/** The tool's result for `args`; throws an Error (an observation `Error: …` in an agent) on a miss or bad arguments. */
export function runWorldTool(world: ToolWorld, name: string, args: Record<string, unknown>): unknown {
  const tool = world.tools.find((t) => t.name === name)
  if (!tool) throw new Error(`unknown tool "${name}"`)
  const key = argName(tool)
  const value = args[key]
  if (typeof value !== 'string') throw new Error(`${name} needs the argument ${key} (a string)`)
  if (!Object.hasOwn(tool.data, value)) throw new Error(`${name}: no record for ${key} "${value}"`)
  return tool.data[value]
}

/** A world tool as `tool()` takes it: name, description, zod schema of its one string argument, and `run` serving the world's data. */
export interface WorldToolDefinition {
  name: string
  description: string
  args: z.ZodObject<Record<string, z.ZodString>>
  run: (args: Record<string, string>) => Promise<unknown>
}

/**
 * Definitions of a tool world's tools, ready for `tool()` (`worldToolDefinitions(world).map((d) => tool(d))`);
 * a value the data does not hold throws (the agent observes `Error: …`). Empty for other worlds.
 */
export function worldToolDefinitions(world: World): WorldToolDefinition[] {
  if (!isToolWorld(world)) return []
  return world.tools.map((t) => ({
    name: t.name,
    description: t.description,
    args: z.object(Object.fromEntries(Object.entries(t.args).map(([k, a]) => [k, typeof a === 'string' ? z.string() : z.string().describe(a.description)]))),
    run: async (args: Record<string, string>) => runWorldTool(world, t.name, args),
  }))
}

const substitute = (template: string, groups: readonly string[], value: string): string =>
  template.replace(/\$(value|\d)/g, (_, g: string) => (g === 'value' ? value : groups[Number(g)] ?? ''))

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The call a lookup rule asks for at this point (given the case inputs and the steps so far), if its cue is present. */
export function plannedCall(rule: LookupRule, inputs: Record<string, unknown>, steps: readonly ToolStep[]): PlannedCall | undefined {
  const make = (groups: readonly string[], value: string, cue: string): PlannedCall => ({
    rule,
    tool: rule.use.tool,
    args: Object.fromEntries(Object.entries(rule.use.arg).map(([k, t]) => [k, substitute(t, groups, value)])),
    cue,
  })
  if ('input' in rule.when) {
    const text = inputs[rule.when.input]
    if (typeof text !== 'string') return undefined
    const m = new RegExp(rule.when.pattern).exec(text)
    return m ? make([...m].map((g) => g ?? ''), m[0], m[0]) : undefined
  }
  const { tool, field } = rule.when
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i] as ToolStep
    if (s.tool !== tool || !isObject(s.observation)) continue
    const v = s.observation[field]
    if (typeof v === 'string' || typeof v === 'number') return make([String(v)], String(v), String(v))
  }
  return undefined
}

/** True when the trajectory already holds this call (same tool, same canonical arguments). */
export function performed(steps: readonly ToolStep[], call: { tool: string; args: Record<string, unknown> }): boolean {
  const key = canonicalJson(call.args)
  return steps.some((s) => s.tool === call.tool && canonicalJson(s.args) === key)
}

/** The next lookup the case needs after `steps`: the first lookup rule (file order) whose cue is present and whose call is not made yet. */
export function nextCall(world: ToolWorld, inputs: Record<string, unknown>, steps: readonly ToolStep[]): PlannedCall | undefined {
  for (const rule of world.lookups) {
    const call = plannedCall(rule, inputs, steps)
    if (call && !performed(steps, call)) return call
  }
  return undefined
}

/** The full chain of lookups a case needs, with their real results (at most one call per rule). */
export function lookupChain(world: ToolWorld, inputs: Record<string, unknown>): Array<PlannedCall & { observation: unknown }> {
  const steps: ToolStep[] = []
  const chain: Array<PlannedCall & { observation: unknown }> = []
  for (let guard = 0; guard < world.lookups.length; guard++) {
    const call = nextCall(world, inputs, steps)
    if (!call) break
    let observation: unknown
    try {
      observation = runWorldTool(world, call.tool, call.args)
    } catch (error) {
      observation = `Error: ${(error as Error).message}`
    }
    steps.push({ tool: call.tool, args: call.args, observation })
    chain.push({ ...call, observation })
  }
  return chain
}

/** True when a tool result matches a mapping rule (every field of `observation` equal; the rule's tool, if named). */
export function mappingMatches(rule: MappingRule, step: ToolStep): boolean {
  if (rule.tool !== undefined && rule.tool !== step.tool) return false
  if (!isObject(step.observation)) return false
  const obs = step.observation
  return Object.entries(rule.observation).every(([k, v]) => obs[k] === v)
}

/** The mapping rule that decides a trajectory: the first rule (file order) matched by any of its results. */
export function decidingMapping(world: ToolWorld, steps: readonly ToolStep[]): { rule: MappingRule; step: ToolStep } | undefined {
  for (const rule of world.mappings) {
    const step = [...steps].reverse().find((s) => mappingMatches(rule, s))
    if (step) return { rule, step }
  }
  return undefined
}

/** Gold label of a tool-world case: the mapping rule decided by its full lookup chain, else the case data's label. */
export function toolGold(world: ToolWorld, inputs: Record<string, unknown>, dataLabel?: unknown): string | undefined {
  const chain = lookupChain(world, inputs)
  const d = decidingMapping(world, chain)
  if (d) return d.rule.label
  return typeof dataLabel === 'string' ? dataLabel : undefined
}
