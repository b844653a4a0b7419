/**
 * The simulated rule writer and consolidator for agent runs of a tool world: they read the
 * trajectories they are shown and name the missing lookup (tool + cue) or the mapping from a tool
 * result to the label, at the same vague rate as for other worlds. Advice is drawn only from what
 * the request shows: a lookup whose argument comes from an earlier result, and a mapping, are
 * named only when that result is visible in a shown trajectory.
 */
import { canonicalJson } from '../../internal/json/canonical.js'
import type { LookupRule, MappingRule } from '../world/schema.js'
import { decidingMapping, lookupChain, performed, plannedCall, type PlannedCall, type ToolStep, type ToolWorld } from '../world/tools.js'
import { sentenceTeachesLookup, sentenceTeachesMapping, stepsOfArray } from './agent.js'
import { sentences } from './knowledge.js'
import { parseJsonObject, type ParsedPrompt } from './prompt.js'
import { learningOf } from '../world/learning.js'
import { pick, unit, variation, type SampleContext } from './seed.js'

interface Step { module_name?: unknown; inputs?: unknown; outputs?: unknown }

const parseJson = (text: string | undefined): unknown => {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

const asSteps = (text: string | undefined): Step[] => {
  const v = parseJson(text)
  return Array.isArray(v) ? v.filter((s): s is Step => typeof s === 'object' && s !== null) : []
}

const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {})

/** The tool steps of one run shown to the rule writer: the longest trajectory any module call saw, plus a last react call's pending tool. */
function runSteps(steps: readonly Step[]): ToolStep[] {
  let best: ToolStep[] = []
  for (const s of steps) {
    const t = stepsOfArray(rec(s.inputs).trajectory ?? rec(s.outputs).trajectory)
    if (t.length > best.length) best = t
  }
  return best
}

const argText = (args: Record<string, string>): string => Object.entries(args).map(([k, v]) => `${k} "${v}"`).join(', ')

const LOOKUP_PHRASINGS: Array<(a: { input: string; kw: string; cue: string; tool: string; args: string }) => string> = [
  (a) => `When the ${a.input} mentions ${a.kw === a.cue ? `"${a.kw}"` : `"${a.kw}" (as in "${a.cue}")`}, call \`${a.tool}\` with ${a.args} before answering.`,
  (a) => `Before you finish, look up every ${a.kw} the ${a.input} gives with \`${a.tool}\` (here ${a.args}).`,
  (a) => `Do not answer from the ${a.input} alone: the cue "${a.kw}" means calling \`${a.tool}\` first (here with ${a.args}).`,
]

const CHAIN_PHRASINGS: Array<(a: { kw: string; field: string; from: string; tool: string; arg: string }) => string> = [
  (a) => `When a \`${a.from}\` result carries ${a.kw} information (its "${a.field}" field), call \`${a.tool}\` with that value as ${a.arg}.`,
  (a) => `A ${a.kw} found in a lookup result must itself be checked: pass its "${a.field}" value to \`${a.tool}\` as ${a.arg}.`,
]

const MAPPING_PHRASINGS: Array<(a: { kw: string; tool: string; output: string; label: string }) => string> = [
  (a) => `When the \`${a.tool}\` result says "${a.kw}", the ${a.output} is ${a.label}.`,
  (a) => `A lookup that shows "${a.kw}" means ${a.label} is the right ${a.output}.`,
]

const VAGUE_REACT = [
  'Gather the facts the decision depends on before calling `finish`.',
  'Think about which tool could settle the case before you answer.',
]
const VAGUE_EXTRACT = (output: string): string[] => [
  `Base the ${output} on what the lookups returned, not on the tone of the message.`,
  `Read the trajectory to the end before choosing the ${output}.`,
]

/** The sentence naming a lookup the case needs (tool + cue). */
export function lookupAdvice(world: ToolWorld, call: PlannedCall, seed: string): string {
  const rule: LookupRule = call.rule
  const tool = world.tools.find((t) => t.name === call.tool)
  const arg = tool ? (Object.keys(tool.args)[0] as string) : Object.keys(call.args)[0] ?? 'the argument'
  if ('input' in rule.when) {
    const cueLower = call.cue.toLowerCase()
    const kw = rule.keywords.find((k) => cueLower.includes(k.toLowerCase())) ?? (rule.keywords[0] as string)
    return pick(LOOKUP_PHRASINGS, seed, 'lookup-phrase')({ input: rule.when.input, kw, cue: call.cue, tool: call.tool, args: argText(call.args) })
  }
  return pick(CHAIN_PHRASINGS, seed, 'chain-phrase')({ kw: rule.keywords[0] as string, field: rule.when.field, from: rule.when.tool, tool: call.tool, arg })
}

/** The sentence naming a mapping from a tool result to the label. */
export function mappingAdvice(world: ToolWorld, rule: MappingRule, step: ToolStep, seed: string): string {
  const obsText = JSON.stringify(step.observation ?? '').toLowerCase()
  const kw = rule.keywords.find((k) => obsText.includes(k.toLowerCase())) ?? (rule.keywords[0] as string)
  return pick(MAPPING_PHRASINGS, seed, 'mapping-phrase')({ kw, tool: step.tool, output: world.output, label: rule.label })
}

/** The first lookup of the case's chain missing from `steps`, if the shown results make it visible (its cue is in the inputs or in a shown result). */
function missingLookup(world: ToolWorld, inputs: Record<string, unknown>, steps: readonly ToolStep[], visible: readonly ToolStep[]): PlannedCall | undefined {
  const chain = lookupChain(world, inputs)
  const missing = chain.find((c) => !performed(steps, c))
  if (!missing) return undefined
  const shown = plannedCall(missing.rule, inputs, visible)
  return shown && shown.tool === missing.tool && canonicalJson(shown.args) === canonicalJson(missing.args) ? missing : undefined
}

/** Replies to the rule-writing request about an agent run: advice for the react module (lookups) and the extract module (mapping). */
export function answerAgentRuleWriting(world: ToolWorld, p: ParsedPrompt, moduleNames: readonly string[], ctx: SampleContext): Record<string, unknown> {
  const programInputs = parseJsonObject(p.inputs.program_inputs ?? '') ?? {}
  const seed = `${ctx.salt}|advice|${p.inputs.program_inputs ?? ''}|${p.inputs.worse_program_trajectory ?? ''}|${p.inputs.better_program_trajectory ?? ''}|${variation(ctx)}`
  const worse = asSteps(p.inputs.worse_program_trajectory)
  const better = asSteps(p.inputs.better_program_trajectory)
  const worseSteps = runSteps(worse)
  const visible = [...worseSteps, ...runSteps(better)]
  const all = [...better, ...worse]
  const moduleOf = (pred: (o: Record<string, unknown>) => boolean): string | undefined => moduleNames.find((n) => all.some((s) => s.module_name === n && pred(rec(s.outputs))))
  const reactName = moduleOf((o) => 'next_tool_name' in o) ?? moduleNames.find((n) => n === 'react')
  const extractName = moduleOf((o) => world.output in o) ?? moduleNames.find((n) => n !== reactName && n.startsWith('extract'))
  const advice: Record<string, string> = {}
  const notes: string[] = []
  if (reactName !== undefined) {
    const missing = missingLookup(world, programInputs, worseSteps, visible)
    if (missing && unit(seed, 'vague-react') >= learningOf(world).reflection.vague) {
      advice[reactName] = lookupAdvice(world, missing, seed)
      notes.push(`the lower-scoring run never called \`${missing.tool}\` with ${argText(missing.args)}`)
    } else advice[reactName] = pick(VAGUE_REACT, seed, 'vague-react-phrase')
  }
  if (extractName !== undefined) {
    const d = decidingMapping(world, visible)
    if (d && unit(seed, 'vague-extract') >= learningOf(world).reflection.vague) {
      advice[extractName] = mappingAdvice(world, d.rule, d.step, seed)
      notes.push(`the \`${d.step.tool}\` result ${canonicalJson(d.rule.observation)} decides the ${world.output}`)
    } else advice[extractName] = pick(VAGUE_EXTRACT(world.output), seed, 'vague-extract-phrase')
  }
  for (const n of moduleNames) advice[n] ??= `Keep the key facts of the ${world.inputs[0] ?? 'input'} visible to the later steps.`
  const discussion = notes.length > 0 ? `Comparing the two runs: ${notes.join('; ')}.` : 'The two runs differ, but what they show does not point to one missing fact.'
  return { discussion, module_advice: advice }
}

/**
 * Replies to the consolidation request for a module of an agent over a tool world: the react
 * module's tips keep one sentence per lookup they teach; the extract module's tips become one rule
 * per label naming every result cue that leads to it. Failed cases add the lookup or mapping their
 * trajectory shows missing (each skipped at the vague rate). Undefined when the module is neither.
 */
export function answerAgentConsolidation(world: ToolWorld, p: ParsedPrompt, tips: readonly string[], ctx: SampleContext): Record<string, unknown> | undefined {
  const fields = p.inputs.module_fields ?? ''
  const outputs = fields.includes('->') ? (fields.split('->')[1] ?? '').split(',').map((f) => f.trim()) : []
  const isReact = outputs.includes('next_tool_name')
  const isExtract = !isReact && outputs.includes(world.output)
  if (!isReact && !isExtract) return undefined
  const failed = parseJson(p.inputs.failed_cases)
  const cases = (Array.isArray(failed) ? failed : []).map((f) => {
    const r = rec(f)
    return { inputs: rec(r.inputs), steps: stepsOfArray(rec(r.outputs).trajectory) }
  })
  const sents = tips.flatMap((t) => sentences(t))
  const lines: string[] = []
  if (isReact) {
    const byRule = new Map<string, string>()
    for (const rule of world.lookups) {
      const s = sents.find((x) => sentenceTeachesLookup(world, rule, x))
      if (s) byRule.set(rule.id, s)
    }
    for (const c of cases) {
      const missing = missingLookup(world, c.inputs, c.steps, c.steps)
      if (!missing || byRule.has(missing.rule.id)) continue
      const seed = `${ctx.salt}|consolidate-case|${canonicalJson(c.inputs)}|${variation(ctx)}`
      if (unit(seed, 'vague') < learningOf(world).reflection.vague) continue
      byRule.set(missing.rule.id, lookupAdvice(world, missing, seed))
    }
    for (const rule of world.lookups) {
      const s = byRule.get(rule.id)
      if (s) lines.push(s)
    }
  } else {
    const cues = new Map<string, string[]>()
    const add = (label: string, kw: string): void => {
      const list = cues.get(label) ?? []
      if (!list.includes(kw)) list.push(kw)
      cues.set(label, list)
    }
    for (const rule of world.mappings) {
      for (const s of sents) {
        if (!sentenceTeachesMapping(world, rule, s)) continue
        const lower = s.toLowerCase()
        add(rule.label, rule.keywords.find((k) => lower.includes(k.toLowerCase())) ?? (rule.keywords[0] as string))
      }
    }
    for (const c of cases) {
      const d = decidingMapping(world, c.steps)
      if (!d) continue
      if (unit(`${ctx.salt}|consolidate-case|${canonicalJson(c.inputs)}|${variation(ctx)}`, 'vague') < learningOf(world).reflection.vague) continue
      const obsText = JSON.stringify(d.step.observation ?? '').toLowerCase()
      add(d.rule.label, d.rule.keywords.find((k) => obsText.includes(k.toLowerCase())) ?? (d.rule.keywords[0] as string))
    }
    for (const label of world.labels) {
      const list = cues.get(label)
      if (!list || list.length === 0) continue
      const q = list.map((c) => `"${c}"`)
      const named = q.length === 1 ? (q[0] as string) : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1] as string}`
      lines.push(`When a lookup result says ${named}, the ${world.output} is ${label}.`)
    }
  }
  if (lines.length === 0) return undefined
  return { consolidated_advice: lines.join('\n') }
}
