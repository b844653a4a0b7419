import { canonicalJson } from '../../internal/json/canonical.js'
import type { World } from '../world/schema.js'
import { goldLabel, governingRule, keywordIn } from '../world/oracle.js'
import { knowledgeOf, knowsCase, misleadingOf, type Knowledge } from './knowledge.js'
import { budgetSlip, learningOf } from '../world/learning.js'
import type { ParsedPrompt } from './prompt.js'
import { pick, unit, variation, type SampleContext } from './seed.js'
import { keyPhrases, valueForType } from './values.js'

/** Chance that a known rule is misapplied at temperature > 0. */
export const SLIP_RATE = 0.03

/** The world's inputs of this request (all inputs when none of the world's fields are present). */
export function caseInputs(world: World, inputs: Record<string, string>): Record<string, string> {
  const own = Object.fromEntries(world.inputs.filter((k) => k in inputs).map((k) => [k, inputs[k] as string]))
  return Object.keys(own).length > 0 ? own : inputs
}

/** A plausible wrong label: often the fallback label (when it is not gold), else another label. */
export function wrongLabel(world: World, gold: string | undefined, seed: string): string {
  const fb = world.prior.fallbackLabel
  if (fb !== undefined && fb !== gold && unit(seed, 'fb') < 0.5) return fb
  const others = world.labels.filter((l) => l !== gold && l !== fb)
  return others.length > 0 ? pick(others, seed, 'wrong') : pick(world.labels.filter((l) => l !== gold), seed, 'wrong2')
}

/** When a misleading sentence and the known right rule both apply, the share of cases that follow the sentence. */
export const MISLEAD_SHARE = 0.5

/** The simulated model's decision on one case. */
export interface Decision {
  /** The label answered. */
  label: string
  /** Id of the case's governing rule, if any. */
  rule?: string
  /** The governing rule's keyword found in the case. */
  keyword?: string
  /** True when a known rule gave the answer. */
  known: boolean
  /** The cue of a misleading instruction sentence the answer followed (misleadable worlds only). */
  misledBy?: string
}

/** Prompt tokens of a request as the budget knob counts them (chars / 4, as in the usage block). */
export function promptTokens(p: ParsedPrompt): number {
  return p.promptChars === undefined ? 0 : Math.ceil(p.promptChars / 4)
}

/**
 * The label the simulated model gives, and whether it applied a known rule. `knowledge` overrides
 * what the prompt teaches (used for a world's ceiling); by default it is read from the prompt.
 * `readsInstructions`: whether misleading sentences of the instructions count (misleadable worlds).
 */
export function decideLabel(world: World, p: ParsedPrompt, ctx: SampleContext, knowledge?: Knowledge, readsInstructions = knowledge === undefined): Decision {
  const inputs = caseInputs(world, p.inputs)
  const key = `${ctx.salt}|${world.name}|${canonicalJson(inputs)}`
  const rule = governingRule(world, inputs)
  const gold = goldLabel(world, inputs)
  const keyword = rule ? keywordIn(rule, Object.values(inputs)) : undefined
  // Format v3: a sentence tying a cue of this case to another label is followed (a knowledge override
  // reads no instructions unless `readsInstructions`: an unreadable request does not, a ceiling does).
  const mislead = readsInstructions && learningOf(world).misleadable ? misleadingOf(world, p.instructions, inputs) : undefined
  if (rule && knowsCase(knowledge ?? knowledgeOf(world, p.instructions, p.demos, rule), rule, keyword)) {
    if (mislead && mislead.label !== rule.label && unit(key, 'mislead', mislead.sentence, variation(ctx)) < MISLEAD_SHARE) {
      return { label: mislead.label, rule: rule.id, keyword, known: false, misledBy: mislead.cue }
    }
    const extra = budgetSlip(learningOf(world), promptTokens(p))
    const slip = ctx.temperature > 0
      ? unit(key, 'slip', ctx.rollout, ctx.temperature) < SLIP_RATE + extra
      : extra > 0 && unit(key, 'budget-slip') < extra
    const label = slip ? wrongLabel(world, gold, `${key}|slip|${ctx.rollout}`) : rule.label
    return { label, rule: rule.id, keyword, known: true }
  }
  if (mislead) return { label: mislead.label, rule: rule?.id, keyword, known: false, misledBy: mislead.cue }
  const seed = `${key}|prior|${variation(ctx)}`
  const right = unit(seed) < world.prior.accuracy
  if (gold === undefined) return { label: right && world.prior.fallbackLabel ? world.prior.fallbackLabel : pick(world.labels, seed, 'any'), known: false }
  return { label: right ? gold : wrongLabel(world, gold, seed), rule: rule?.id, keyword, known: false }
}

/** Output values of a task request: the label, a short reasoning, plausible values elsewhere. */
export function answerTask(world: World, p: ParsedPrompt, ctx: SampleContext): Record<string, unknown> {
  const d = decideLabel(world, p, ctx)
  const subject = world.inputs[0] ?? 'input'
  const out: Record<string, unknown> = {}
  const fields = p.outputFields.length > 0 ? p.outputFields : [{ name: world.output, type: 'string', description: '' }]
  for (const f of fields) {
    if (f.name === world.output) out[f.name] = d.label
    else if (f.name === 'reasoning') {
      out[f.name] = d.misledBy !== undefined
        ? `The ${subject} mentions "${d.misledBy}", so the ${world.output} is ${d.label}.`
        : d.known && d.keyword
        ? `The ${subject} mentions "${d.keyword}", so the ${world.output} is ${d.label}.`
        : `Judging from the overall content of the ${subject}, ${d.label} seems the most likely ${world.output}.`
    } else out[f.name] = valueForType(f, keyPhrases(world, p.inputs), `${ctx.salt}|${f.name}`)
  }
  return out
}
