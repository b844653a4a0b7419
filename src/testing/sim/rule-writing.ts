import type { World, WorldRule } from '../world/schema.js'
import { governingRule, keywordIn } from '../world/oracle.js'
import { keywordsIn, mentionsLabel, sentences } from './knowledge.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import { parseJsonObject, type ParsedPrompt } from './prompt.js'
import { isToolWorld, type ToolWorld } from '../world/tools.js'
import { answerAgentConsolidation, answerAgentRuleWriting } from './agent-advice.js'
import { pick, unit, variation, type SampleContext } from './seed.js'
import { adviceKind, learningOf } from '../world/learning.js'

/** Chance that advice for a rule-governed case is vague (names no keyword, so teaches nothing): the default of `learning.reflection.vague`. */
export const VAGUE_RATE = 0.2

const STOPWORDS = new Set(
  'about above after again against because before being below between could their there these those through under until which while would should where other every since still please thanks thank hello never always without within'.split(' '),
)

/**
 * A wrong cue for advice on a case governed by `rule` (the `reflection.wrong` share): seeded, either
 * a keyword of a rule with another label that the shown case holds, or a distractor word of the case
 * (5+ letters, no keyword, label or field name). Undefined when the case offers neither.
 */
export function wrongCue(world: World, texts: readonly string[], rule: WorldRule | undefined, seed: string): string | undefined {
  const lower = texts.map((t) => t.toLowerCase())
  const keywords = world.rules.flatMap((r) => r.keywords.map((k) => k.toLowerCase()))
  const others = world.rules
    .filter((r) => r.label !== rule?.label)
    .flatMap((r) => r.keywords.map((k) => k.toLowerCase()))
    .filter((k, i, a) => a.indexOf(k) === i && lower.some((t) => t.includes(k)))
  const banned = new Set([...world.labels, ...world.inputs, world.output].map((w) => w.toLowerCase()))
  const words = [...new Set(lower.flatMap((t) => t.match(/[a-z][a-z'-]{4,}/g) ?? []))].filter(
    (w) => !STOPWORDS.has(w) && !banned.has(w) && !keywords.some((k) => k.includes(w) || w.includes(k)),
  )
  if (others.length > 0 && (words.length === 0 || unit(seed, 'wrong-kind') < 0.5)) return pick(others, seed, 'wrong-keyword')
  return words.length > 0 ? pick(words, seed, 'wrong-word') : undefined
}

interface Step { module_name?: unknown; inputs?: unknown; outputs?: unknown }

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function steps(text: string | undefined): Step[] {
  const v = parseJson(text)
  return Array.isArray(v) ? v.filter((s): s is Step => typeof s === 'object' && s !== null) : []
}

function stringValues(obj: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => typeof v === 'string') as Array<[string, string]>)
}

function findWorld(worlds: readonly World[], programInputs: Record<string, unknown>): World | undefined {
  const keys = Object.keys(programInputs)
  const texts = stringValues(programInputs)
  return worlds.find((w) => w.inputs.some((k) => keys.includes(k))) ?? worlds.find((w) => governingRule(w, texts) !== undefined)
}

const RULE_PHRASINGS: Array<(a: { input: string; output: string; kw: string; label: string }) => string> = [
  (a) => `When the ${a.input} mentions "${a.kw}", set ${a.output} to ${a.label}.`,
  (a) => `If you see "${a.kw}" in the ${a.input}, the correct ${a.output} is ${a.label}.`,
  (a) => `Anything that says "${a.kw}" belongs to ${a.label}, whatever else the ${a.input} talks about.`,
  (a) => `Route every ${a.input} containing "${a.kw}" to ${a.label}.`,
]

const VAGUE_PHRASINGS: Array<(a: { input: string; output: string }) => string> = [
  (a) => `Read the whole ${a.input} carefully and pick the ${a.output} that fits its main concern.`,
  (a) => `Pay closer attention to the specific wording of the ${a.input} before choosing the ${a.output}.`,
  (a) => `Do not fall back to a generic ${a.output}; weigh the concrete details the ${a.input} gives.`,
]

/** Replies to SIMBA's rule-writing ("feedback") request: a discussion and advice keyed by module name. */
export function answerRuleWriting(worlds: readonly World[], p: ParsedPrompt, ctx: SampleContext): Record<string, unknown> {
  const names = parseJson(p.inputs.module_names)
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    return { discussion: 'The request did not list the module names, so no advice can be given.', module_advice: {} }
  }
  const moduleNames = names as string[]
  const programInputs = parseJsonObject(p.inputs.program_inputs ?? '') ?? {}
  const world = findWorld(worlds, programInputs)
  const seed = `${ctx.salt}|advice|${p.inputs.program_inputs ?? ''}|${p.inputs.worse_program_trajectory ?? ''}|${p.inputs.better_program_trajectory ?? ''}|${variation(ctx)}`
  const advice: Record<string, string> = {}
  if (world && isToolWorld(world)) return answerAgentRuleWriting(world, p, moduleNames, ctx)
  if (!world) {
    for (const n of moduleNames) advice[n] = 'Work through the inputs step by step and check the answer against every detail given.'
    return { discussion: 'The inputs do not match a task I recognise; the advice is general.', module_advice: advice }
  }
  const input = world.inputs[0] ?? 'input'
  const output = world.output
  const texts = stringValues(programInputs)
  const rule: WorldRule | undefined = governingRule(world, texts)
  const oracle = parseJsonObject(p.inputs.oracle_metadata ?? '') ?? {}
  const gold = rule?.label ?? (typeof oracle[output] === 'string' ? (oracle[output] as string) : undefined)
  const worse = [...steps(p.inputs.worse_program_trajectory)]
  const better = [...steps(p.inputs.better_program_trajectory)]
  const all = [...better, ...worse]
  const finalOf = (list: Step[], outputsText: string | undefined): string => {
    const fromOutputs = parseJsonObject(outputsText ?? '')?.[output]
    const fromSteps = [...list].reverse().map((s) => (s.outputs as Record<string, unknown> | undefined)?.[output]).find((v) => v !== undefined)
    const v = fromOutputs ?? fromSteps
    return v === undefined ? 'nothing' : `"${String(v)}"`
  }
  let targets = moduleNames.filter((n) => all.some((s) => s.module_name === n && typeof s.outputs === 'object' && s.outputs !== null && output in (s.outputs as object)))
  if (targets.length === 0 && moduleNames.length > 0) targets = [moduleNames[moduleNames.length - 1] as string]
  const kind = adviceKind(learningOf(world), unit(seed, 'vague'))
  const kw = rule ? keywordIn(rule, Object.values(texts)) : undefined
  const wrong = rule && kw && kind === 'wrong' ? wrongCue(world, Object.values(texts), rule, seed) : undefined
  let targetAdvice: string
  if (rule && wrong !== undefined) targetAdvice = pick(RULE_PHRASINGS, seed, 'phrase')({ input, output, kw: wrong, label: rule.label })
  else if (rule && kw && kind === 'right') targetAdvice = pick(RULE_PHRASINGS, seed, 'phrase')({ input, output, kw, label: rule.label })
  else if (gold !== undefined && !rule) targetAdvice = `When unsure about a ${input} like this one, prefer ${gold} as the ${output} and read it to the end before deciding.`
  else targetAdvice = pick(VAGUE_PHRASINGS, seed, 'vague-phrase')({ input, output })
  for (const n of moduleNames) {
    advice[n] = targets.includes(n)
      ? targetAdvice
      : `Keep the key phrases of the ${input} verbatim in your outputs so the later steps can see exactly what was asked.`
  }
  const discussion =
    `The lower-scoring run answered ${finalOf(worse, p.inputs.worse_program_outputs)} and the higher-scoring run answered ` +
    `${finalOf(better, p.inputs.better_program_outputs)}` +
    (gold !== undefined ? `; the expected ${output} is ${gold}.` : '.') +
    (targets.length > 0 ? ` The deciding module is ${targets.join(', ')}.` : '')
  return { discussion, module_advice: advice }
}

/** True when the failed cases hold the tool world's input fields, or the tips name one of its tools. */
function failedOrTipsMatch(w: ToolWorld, failedInputs: ReadonlyArray<Record<string, string>>, text: string): boolean {
  const lower = text.toLowerCase()
  return failedInputs.some((i) => w.inputs.some((k) => k in i)) || w.tools.some((t) => lower.includes(t.name.toLowerCase())) || w.labels.some((l) => mentionsLabel(text, l))
}

/** Chance that a consolidated rule with two or more cues leaves its last cue out (rewrites are not perfect). */
export const CONSOLIDATION_LOSS_RATE = 0.05

const quoted = (s: string): string[] => [...s.matchAll(/"([^"\n]{1,80})"/g)].map((m) => (m[1] as string).trim()).filter(Boolean)

function cueList(cues: readonly string[]): string {
  const q = cues.map((c) => `"${c}"`)
  return q.length === 1 ? (q[0] as string) : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1] as string}`
}

/**
 * Replies to SIMBA's advice-consolidation request: the tips' sentences are grouped by the label
 * they name, and each label gets one rule naming every cue its sentences quote or contain (world
 * keywords, or quoted phrases); sentences naming no label or no cue are dropped as vague. Each
 * failed case adds the keyword that governs it to its label's rule, unless (at the rule writer's
 * vague rate) the case teaches nothing. When `module_fields` shows that the module does not
 * produce the world's output, or when no world matches, the tips come back de-duplicated, one per
 * line.
 */
export function answerConsolidation(worlds: readonly World[], p: ParsedPrompt, ctx: SampleContext): Record<string, unknown> {
  const raw = parseJson(p.inputs.advice_tips)
  const tips = Array.isArray(raw) ? raw.filter((t): t is string => typeof t === 'string') : (p.inputs.advice_tips ?? '').split('\n')
  const text = tips.join('\n')
  const failed = parseJson(p.inputs.failed_cases)
  const failedInputs = (Array.isArray(failed) ? failed : []).map((f: { inputs?: unknown } | null) => {
    const inputs = f?.inputs
    return typeof inputs === 'object' && inputs !== null ? stringValues(inputs as Record<string, unknown>) : {}
  })
  const agentWorld = (p.inputs.module_fields ?? '').includes('trajectory') ? worlds.find((w) => isToolWorld(w) && failedOrTipsMatch(w, failedInputs, text)) : undefined
  if (agentWorld && isToolWorld(agentWorld)) {
    const reply = answerAgentConsolidation(agentWorld, p, tips, ctx)
    if (reply) return reply
  }
  const shown = `${text}\n${failedInputs.flatMap((i) => Object.values(i)).join('\n')}`
  const hits = (w: World): number => w.rules.reduce((n, r) => n + keywordsIn(r, [shown]).length, 0) + w.labels.filter((l) => mentionsLabel(text, l)).length
  const world = [...worlds].sort((a, b) => hits(b) - hits(a))[0]
  // A module that does not produce the world's output (e.g. an extraction step) keeps its own tips.
  const fields = p.inputs.module_fields
  const outputs = fields?.includes('->') ? (fields.split('->')[1] ?? '').split(',').map((f) => f.trim()) : undefined
  const decides = (w: World): boolean => outputs === undefined || outputs.includes(w.output)
  if (!world || hits(world) === 0 || !decides(world)) {
    const seen = new Set<string>()
    const kept = tips.map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => t !== '' && !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()))
    return { consolidated_advice: kept.join('\n') }
  }
  const cues = new Map<string, string[]>()
  const addCue = (label: string, c: string): void => {
    const list = cues.get(label) ?? []
    if (!list.includes(c) && !world.labels.some((l) => l.toLowerCase() === c)) list.push(c)
    cues.set(label, list)
  }
  // Failed cases: the cue of each case's governing rule, as the rule writer finds it for one case
  // (vague as often, so nothing is learned from that case).
  for (const inputs of failedInputs) {
    const rule = governingRule(world, inputs)
    const kw = rule ? keywordIn(rule, Object.values(inputs)) : undefined
    if (!rule || !kw) continue
    const caseSeed = `${ctx.salt}|consolidate-case|${canonicalJson(inputs)}|${variation(ctx)}`
    const kind = adviceKind(learningOf(world), unit(caseSeed, 'vague'))
    if (kind === 'vague') continue
    const cue = kind === 'wrong' ? wrongCue(world, Object.values(inputs), rule, caseSeed) : kw.toLowerCase()
    if (cue !== undefined) addCue(rule.label, cue)
  }
  for (const s of tips.flatMap((t) => sentences(t))) {
    for (const label of world.labels) {
      if (!mentionsLabel(s, label)) continue
      const found = [...world.rules.filter((r) => r.label === label).flatMap((r) => keywordsIn(r, [s])), ...quoted(s).map((q) => q.toLowerCase())]
      for (const c of found) addCue(label, c)
    }
  }
  const input = world.inputs[0] ?? 'input'
  const seed = `${ctx.salt}|consolidate|${text}|${variation(ctx)}`
  const lines: string[] = []
  for (const label of world.labels) {
    let list = cues.get(label)
    if (!list || list.length === 0) continue
    if (list.length >= 2 && unit(seed, label) < CONSOLIDATION_LOSS_RATE) list = list.slice(0, -1)
    lines.push(`When the ${input} mentions ${cueList(list)}, the ${world.output} is ${label}.`)
  }
  return { consolidated_advice: lines.join('\n') }
}
