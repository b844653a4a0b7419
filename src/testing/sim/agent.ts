/**
 * The simulated agent of a tool world: answers the `react` requests of a ReAct loop (which tool to
 * call next, with which arguments), its `extract` requests (the label, from the trajectory), and
 * the rule writer's and consolidator's requests about agent runs (docs/simulator.md, "Tool worlds").
 */
import { canonicalJson } from '../../internal/json/canonical.js'
import { learningOf, budgetSlip } from '../world/learning.js'
import { findCase } from '../world/oracle.js'
import type { LookupRule, MappingRule } from '../world/schema.js'
import { decidingMapping, lookupChain, nextCall, plannedCall, runWorldTool, toolGold, type PlannedCall, type ToolStep, type ToolWorld } from '../world/tools.js'
import { keywordsIn, mentionsLabel, sentences } from './knowledge.js'
import type { ParsedPrompt } from './prompt.js'
import { parseJsonObject } from './prompt.js'
import { pick, unit, variation, type SampleContext } from './seed.js'
import { SLIP_RATE, promptTokens, wrongLabel } from './task.js'

/** Shares of the unoptimized agent's first move when it does not know the lookup a case needs. */
export const UNINFORMED_MOVES = Object.freeze({ finish: 0.55, wrongTool: 0.15, wrongArg: 0.15 })

/** What an agent request knows: lookup rules (react) and mapping rules (extract), by id. */
export interface AgentKnowledge {
  lookups: Set<string>
  mappings: Set<string>
}

/** Knowledge of every rule (a tool world's ceiling). */
export function fullAgentKnowledge(world: ToolWorld): AgentKnowledge {
  return { lookups: new Set(world.lookups.map((r) => r.id)), mappings: new Set(world.mappings.map((r) => r.id)) }
}

const STEP_LINE = /^(thought|tool_name|tool_args|observation)_(\d+): ?(.*)$/

const parseValue = (text: string): unknown => {
  const t = text.trim()
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t) as unknown
    } catch {
      return text
    }
  }
  return text
}

/** The tool calls of a trajectory field (`thought_i` / `tool_name_i` / `tool_args_i` / `observation_i` lines); `finish` steps are left out. */
export function parseTrajectory(text: string): ToolStep[] {
  const byIndex = new Map<number, Record<string, string>>()
  for (const line of text.split(/\r?\n/)) {
    const m = STEP_LINE.exec(line)
    if (!m) continue
    const i = Number(m[2])
    const rec = byIndex.get(i) ?? {}
    rec[m[1] as string] = m[3] ?? ''
    byIndex.set(i, rec)
  }
  return [...byIndex.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, r]) => r)
    .filter((r) => r.tool_name !== undefined && r.tool_name.trim() !== 'finish')
    .map((r) => {
      const args = parseJsonObject(r.tool_args ?? '') ?? {}
      return { tool: (r.tool_name ?? '').trim(), args, observation: r.observation === undefined ? undefined : parseValue(r.observation) }
    })
}

/** Tool steps of a prediction's `trajectory` array (`{tool, args, observation}` records), `finish` left out. */
export function stepsOfArray(value: unknown): ToolStep[] {
  if (!Array.isArray(value)) return typeof value === 'string' ? parseTrajectory(value) : []
  return value
    .filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null)
    .filter((s) => typeof s.tool === 'string' && s.tool !== 'finish')
    .map((s) => ({
      tool: s.tool as string,
      args: typeof s.args === 'object' && s.args !== null ? (s.args as Record<string, unknown>) : {},
      observation: typeof s.observation === 'string' ? parseValue(s.observation) : s.observation,
    }))
}

const AGENT_BLOCK_LINE = /^(You are an agent\. In each turn|Tools:\s*$|\(\d+\) `)/

/** Instructions without the tool list ReAct adds (the list describes tools; it teaches no rule). */
export function ownInstructions(instructions: string): string {
  return instructions
    .split('\n')
    .filter((l) => !AGENT_BLOCK_LINE.test(l.trim()))
    .join('\n')
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A sentence with the world's tool names taken out (so a cue word inside a tool name does not count). */
function withoutToolNames(world: ToolWorld, s: string): string {
  return world.tools.reduce((t, tool) => t.replace(new RegExp(escapeRe(tool.name), 'gi'), ' '), s)
}

const namesTool = (s: string, tool: string): boolean => s.toLowerCase().includes(tool.toLowerCase())

/** True when one sentence names the rule's tool and one of its cue keywords. */
export function sentenceTeachesLookup(world: ToolWorld, rule: LookupRule, s: string): boolean {
  return namesTool(s, rule.use.tool) && keywordsIn({ id: rule.id, keywords: rule.keywords, label: '' }, [withoutToolNames(world, s)]).length > 0
}

/** True when one sentence names one of the mapping rule's cue keywords and its label. */
export function sentenceTeachesMapping(world: ToolWorld, rule: MappingRule, s: string): boolean {
  const plain = withoutToolNames(world, s)
  return keywordsIn({ id: rule.id, keywords: rule.keywords, label: rule.label }, [plain]).length > 0 && mentionsLabel(plain, rule.label)
}

const caseInputsOf = (world: ToolWorld, values: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(world.inputs.filter((k) => typeof values[k] === 'string').map((k) => [k, values[k] as string]))

/** Lookup rules a demo's trajectory shows being applied correctly (the call the rule gives at that point). */
function demoLookups(world: ToolWorld, demo: Record<string, string>): string[] {
  const inputs = caseInputsOf(world, demo)
  const steps = parseTrajectory(demo.trajectory ?? '')
  const next = demo.next_tool_name?.trim().replace(/^"|"$/g, '')
  if (next !== undefined && next !== 'finish' && world.tools.some((t) => t.name === next)) {
    steps.push({ tool: next, args: parseJsonObject(demo.next_tool_args ?? '') ?? {}, observation: undefined })
  }
  const out: string[] = []
  steps.forEach((s, j) => {
    for (const rule of world.lookups) {
      const call = plannedCall(rule, inputs, steps.slice(0, j))
      if (call && call.tool === s.tool && canonicalJson(call.args) === canonicalJson(s.args)) out.push(rule.id)
    }
  })
  return out
}

/** The mapping rule a demo shows applied: its trajectory holds the deciding result and its output shows the rule's label. */
function demoMapping(world: ToolWorld, demo: Record<string, string>): string | undefined {
  const shown = demo[world.output]?.trim().replace(/^"|"$/g, '').toLowerCase()
  if (shown === undefined) return undefined
  const d = decidingMapping(world, parseTrajectory(demo.trajectory ?? ''))
  return d && d.rule.label.toLowerCase() === shown ? d.rule.id : undefined
}

/** What a react or extract request knows, from its own instructions (tool list left out) and its demos, under the world's learning knobs. */
export function agentKnowledgeOf(world: ToolWorld, instructions: string, demos: ReadonlyArray<Record<string, string>>): AgentKnowledge {
  const k: AgentKnowledge = { lookups: new Set(), mappings: new Set() }
  const sents = sentences(ownInstructions(instructions))
  for (const rule of world.lookups) if (sents.some((s) => sentenceTeachesLookup(world, rule, s))) k.lookups.add(rule.id)
  for (const rule of world.mappings) if (sents.some((s) => sentenceTeachesMapping(world, rule, s))) k.mappings.add(rule.id)
  if (learningOf(world).demo !== 'none') {
    for (const d of demos) {
      for (const id of demoLookups(world, d)) k.lookups.add(id)
      const m = demoMapping(world, d)
      if (m) k.mappings.add(m)
    }
  }
  return k
}

/** The react predictor's next move. */
export interface AgentMove {
  thought: string
  tool: string
  args: Record<string, unknown>
}

const caseKey = (world: ToolWorld, inputs: Record<string, string>, ctx: SampleContext): string => `${ctx.salt}|${world.name}|${canonicalJson(inputs)}`

/** Slip of a known rule: at temperature > 0 the seeded slip rate (plus the budget's), at 0 only the budget's. */
function slips(key: string, ctx: SampleContext, extra: number, ...parts: ReadonlyArray<string | number>): boolean {
  return ctx.temperature > 0 ? unit(key, 'slip', ...parts, ctx.rollout, ctx.temperature) < SLIP_RATE + extra : extra > 0 && unit(key, 'budget-slip', ...parts) < extra
}

function wrongArgs(world: ToolWorld, call: PlannedCall): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(call.args).map(([k, v]) => {
      const digits = v.replace(/[^0-9]/g, '')
      return [k, digits !== '' && digits !== v ? digits : `#${v}`]
    }),
  )
}

function wrongTool(world: ToolWorld, call: PlannedCall, seed: string): AgentMove {
  const others = world.tools.filter((t) => t.name !== call.tool)
  const value = Object.values(call.args)[0] ?? call.cue
  if (others.length === 0) return { thought: `Let me search for ${value}.`, tool: 'search', args: { query: value } }
  const t = pick(others, seed, 'wrong-tool')
  return { thought: `\`${t.name}\` should tell me about ${value}.`, tool: t.name, args: { [Object.keys(t.args)[0] as string]: value } }
}

const FINISH = (thought: string): AgentMove => ({ thought, tool: 'finish', args: {} })

/**
 * The next move of the simulated agent on a case after `steps`: the next lookup the case needs when
 * its rule is known (a known rule slips to a wrong argument at the slip rate); when unknown, the
 * first move is seeded (mostly `finish` at once, else a wrong tool, a wrong argument, or by luck the
 * right call), and after any step it finishes.
 */
export function agentMove(world: ToolWorld, inputs: Record<string, string>, steps: readonly ToolStep[], knowledge: AgentKnowledge, ctx: SampleContext, extraSlip = 0): AgentMove {
  const key = caseKey(world, inputs, ctx)
  const call = nextCall(world, inputs, steps)
  if (!call) return FINISH(steps.length === 0 ? 'I can answer from the message alone.' : 'I have what I need to answer.')
  const right: AgentMove = { thought: `The case gives ${JSON.stringify(call.cue)}; \`${call.tool}\` will tell me more.`, tool: call.tool, args: call.args }
  if (knowledge.lookups.has(call.rule.id)) {
    return slips(key, ctx, extraSlip, 'lookup', steps.length) ? { ...right, args: wrongArgs(world, call) } : right
  }
  const chain = lookupChain(world, inputs)
  const onTrack = steps.every((s, i) => chain[i] !== undefined && chain[i].tool === s.tool && canonicalJson(chain[i].args) === canonicalJson(s.args))
  if (!onTrack) return FINISH('I have looked enough; I will answer now.')
  const u = unit(`${key}|agent|${variation(ctx)}`, 'move', steps.length)
  const m = UNINFORMED_MOVES
  if (u < m.finish) return FINISH(steps.length === 0 ? 'I can answer from the message alone.' : 'I have what I need to answer.')
  if (u < m.finish + m.wrongTool) return wrongTool(world, call, `${key}|${steps.length}`)
  if (u < m.finish + m.wrongTool + m.wrongArg) return { ...right, args: wrongArgs(world, call) }
  return right
}

/** The label the simulated agent's extract step gives, and the mapping rule it applied (if known and its result is in the trajectory). */
export function agentLabel(world: ToolWorld, inputs: Record<string, string>, steps: readonly ToolStep[], knowledge: AgentKnowledge, ctx: SampleContext, extraSlip = 0): { label: string; rule?: MappingRule; step?: ToolStep } {
  const key = caseKey(world, inputs, ctx)
  const gold = toolGold(world, inputs, findCase(world, inputs)?.[world.output])
  const d = decidingMapping(world, steps)
  if (d && knowledge.mappings.has(d.rule.id)) {
    const label = slips(key, ctx, extraSlip, 'map') ? wrongLabel(world, gold, `${key}|slip|${ctx.rollout}`) : d.rule.label
    return { label, rule: d.rule, step: d.step }
  }
  const seed = `${key}|prior|${variation(ctx)}`
  const ok = unit(seed) < world.prior.accuracy
  if (gold === undefined) return { label: ok && world.prior.fallbackLabel ? world.prior.fallbackLabel : pick(world.labels, seed, 'any') }
  return { label: ok ? gold : wrongLabel(world, gold, seed) }
}

/** Runs the simulated agent's whole loop on a case (the tools served from the world's data): tool steps and the label. */
export function runAgentCase(world: ToolWorld, inputs: Record<string, string>, knowledge: AgentKnowledge, ctx: SampleContext, maxIters = 10): { steps: ToolStep[]; label: string } {
  const steps: ToolStep[] = []
  for (let i = 0; i < maxIters; i++) {
    const move = agentMove(world, inputs, steps, knowledge, ctx)
    if (move.tool === 'finish') break
    let observation: unknown
    try {
      observation = world.tools.some((t) => t.name === move.tool) ? runWorldTool(world, move.tool, move.args) : `Error: unknown tool "${move.tool}"`
    } catch (error) {
      observation = `Error: ${(error as Error).message}`
    }
    steps.push({ tool: move.tool, args: move.args, observation })
  }
  return { steps, label: agentLabel(world, inputs, steps, knowledge, ctx).label }
}

/** Output values of a react request (`next_thought`, `next_tool_name`, `next_tool_args`). */
export function answerReact(world: ToolWorld, p: ParsedPrompt, ctx: SampleContext): Record<string, unknown> {
  const inputs = caseInputsOf(world, p.inputs)
  const steps = parseTrajectory(p.inputs.trajectory ?? '')
  const knowledge = agentKnowledgeOf(world, p.instructions, p.demos)
  const move = agentMove(world, inputs, steps, knowledge, ctx, budgetSlip(learningOf(world), promptTokens(p)))
  return { next_thought: move.thought, next_tool_name: move.tool, next_tool_args: move.args }
}

/** Output values of an extract request: the label and a reasoning that names the deciding result when a known rule applied. */
export function answerExtract(world: ToolWorld, p: ParsedPrompt, ctx: SampleContext): Record<string, unknown> {
  const inputs = caseInputsOf(world, p.inputs)
  const steps = parseTrajectory(p.inputs.trajectory ?? '')
  const knowledge = agentKnowledgeOf(world, p.instructions, p.demos)
  const d = agentLabel(world, inputs, steps, knowledge, ctx, budgetSlip(learningOf(world), promptTokens(p)))
  const subject = world.inputs[0] ?? 'input'
  const out: Record<string, unknown> = {}
  for (const f of p.outputFields.length > 0 ? p.outputFields : [{ name: world.output }]) {
    if (f.name === world.output) out[f.name] = d.label
    else if (f.name === 'reasoning') {
      out[f.name] = d.rule && d.step
        ? `The \`${d.step.tool}\` result shows ${canonicalJson(d.rule.observation)}, so the ${world.output} is ${d.label}.`
        : `Judging from the ${subject} and what I found, ${d.label} seems the most likely ${world.output}.`
    } else out[f.name] = ''
  }
  return out
}
