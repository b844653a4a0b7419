/**
 * Strategy "append a rule" (ported from DSPy `dspy/teleprompt/simba_utils.py`, MIT): an LM
 * contrasts the best and worst rollout of one example and writes per-module advice, which is
 * appended to each named predictor's instructions (`old + "\n\n" + advice`).
 * The default (`faithful: true`) does what DSPy does. `faithful: false` turns on three fixes that
 * change what the writer sees or what the candidate becomes: on a tie the blanked better side also
 * drops its reward info; the module listing says "Current Instructions" instead of DSPy's label
 * "Original Instructions" (it shows the current ones); advice that a predictor's instructions
 * already contain verbatim, or blank advice, is not appended (DSPy lets identical tips pile up
 * along a lineage); `dedupeAdvice` turns the last one on or off on its own. In both modes no records are mutated, and a rule that changed nothing is
 * logged as 'skipped' (the candidate is kept either way, as DSPy).
 */
import { withSettings } from '../../../core/module/settings.js'
import { Predict } from '../../../core/predict/predict.js'
import { runWithTrace } from '../../../core/trace/trace.js'
import { feedbackSignature } from './feedback.js'
import { asText, renderModules, renderProgramCode } from './render.js'
import { RuleWriterError, type RunRecord, type StrategyContext, type StrategyOutcome } from './types.js'

/** Per-module `{module_name, inputs, outputs}` list of a run, for known predictors only. */
function trajectory(run: RunRecord, ctx: StrategyContext): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = []
  for (const step of run.trace) {
    const name = ctx.nameOf(step.predictor)
    if (name !== undefined) out.push({ module_name: name, inputs: step.inputs, outputs: step.outputs })
  }
  return out
}

/**
 * Asks the prompt model for advice and appends it; skipped when best <= p10 or worst >= p90.
 * Throws (candidate discarded) when the LM call fails, the best run has no prediction, or no LM is set.
 * @example await appendARule(ctx) // { status: 'applied' }
 */
export async function appendARule(ctx: StrategyContext): Promise<StrategyOutcome> {
  const best = ctx.bucket[0]
  const worst = ctx.bucket[ctx.bucket.length - 1]
  if (!best || !worst) throw new Error('empty bucket')
  if (best.score <= ctx.p10) return { status: 'skipped', reason: `best score ${best.score} <= p10 ${ctx.p10}`, gated: true }
  if (worst.score >= ctx.p90) return { status: 'skipped', reason: `worst score ${worst.score} >= p90 ${ctx.p90}`, gated: true }
  if (!ctx.promptModel) throw new Error('no LM to write rules: pass promptModel or lm to simba()')
  // Only equal scores can reach here as a tie; blank the better side (single-trajectory advice).
  const tie = best.score === worst.score
  if (!tie && best.prediction === null) throw new Error('the best rollout has no prediction')
  const example = best.example
  const names = ctx.candidate.namedPredictors().map(([n]) => n)
  const inputs = {
    program_code: renderProgramCode(ctx.candidate),
    modules_defn: renderModules(ctx.candidate, ctx.faithful ? 'Original Instructions' : 'Current Instructions'),
    program_inputs: asText(example.inputs()),
    oracle_metadata: asText(example.labels()),
    worse_program_trajectory: asText(trajectory(worst, ctx)),
    worse_program_outputs: asText(worst.prediction ?? {}),
    worse_reward_value: asText(worst.score),
    worse_reward_info: asText(worst.outputMetadata),
    better_program_trajectory: asText(tie ? [] : trajectory(best, ctx)),
    better_program_outputs: asText(tie ? { 'N/A': 'Prediction not available' } : best.prediction),
    better_reward_value: tie ? 'N/A' : asText(best.score),
    better_reward_info: tie && !ctx.faithful ? '{}' : asText(best.outputMetadata),
    module_names: asText(names),
  }
  const writer = new Predict(feedbackSignature, { lm: ctx.promptModel, name: 'simba.rule-writer' })
  // Isolated trace, and no rollout mapLM from an outer context: the writer uses its own LM as is.
  const run = await runWithTrace(() => withSettings({ mapLM: (lm) => lm }, () => writer.forward(inputs)))
  if (run.error !== undefined) {
    const msg = run.error instanceof Error ? run.error.message : String(run.error)
    throw new RuleWriterError(msg.split('\n')[0] ?? msg, { cause: run.error })
  }
  const advice = (run.result?.module_advice ?? {}) as Record<string, string>
  const { targets, unknown } = adviceTargets(advice, names, !ctx.faithful)
  const blank: string[] = []
  const present: string[] = []
  let applied = 0
  const removed: string[] = []
  for (const [name, p] of ctx.candidate.namedPredictors()) {
    const key = targets.get(name)
    if (key === undefined) continue
    let tip = String(advice[key])
    if (ctx.checkAdvice) {
      const checked = ctx.checkAdvice(tip)
      removed.push(...checked.removed)
      if (checked.text.trim() === '') continue
      tip = checked.text
    }
    if (ctx.dedupeAdvice ?? !ctx.faithful) {
      if (tip.trim() === '') {
        blank.push(name)
        continue
      }
      if (p.instructions.includes(tip.trim())) {
        present.push(name)
        continue
      }
    }
    p.instructions = `${p.instructions}\n\n${tip}`
    applied++
  }
  if (applied === 0 && removed.length > 0) return { status: 'skipped', reason: `advice contradicted by the trainset (${removed.map((r) => JSON.stringify(r)).join(', ')})`, ruleCall: true }
  if (applied === 0) {
    const why = [
      ...(present.length > 0 ? [`already present in ${present.join(', ')}`] : []),
      ...(blank.length > 0 ? [`blank for ${blank.join(', ')}`] : []),
      ...(unknown.length > 0 ? [`unknown names ${unknown.join(', ')} (predictors: ${names.join(', ')})`] : []),
    ]
    return { status: 'skipped', reason: `advice changed no module (${why.join('; ') || 'no advice given'})`, ruleCall: true }
  }
  return { status: 'applied', ruleCall: true }
}

/**
 * Which advice key goes to which predictor. A key naming a predictor exactly is used as is. With
 * `lenient` (not DSPy's behaviour, so off in faithful mode) the rule writer may also name a
 * predictor of a nested module by its leaf name, as the program's code shows it (`extract` for
 * `pipeline.extract`), or with a `self.` prefix, when that picks exactly one predictor that no key
 * names exactly. Returns the key per predictor name, and the keys that named no predictor.
 */
export function adviceTargets(advice: Readonly<Record<string, unknown>>, names: readonly string[], lenient: boolean): { targets: Map<string, string>; unknown: string[] } {
  const targets = new Map<string, string>()
  const keys = Object.keys(advice)
  for (const k of keys) if (names.includes(k)) targets.set(k, k)
  const unknown: string[] = []
  for (const k of keys) {
    if (names.includes(k)) continue
    const bare = k.replace(/^self\./, '')
    const leaf = (n: string): string => n.slice(Math.max(n.lastIndexOf('.'), n.lastIndexOf(']')) + 1)
    const matches = lenient ? names.filter((n) => n === bare || n.endsWith(`.${bare}`) || leaf(n) === bare) : []
    const only = matches.length === 1 ? (matches[0] as string) : undefined
    if (only !== undefined && !targets.has(only)) targets.set(only, k)
    else unknown.push(k)
  }
  return { targets, unknown }
}
