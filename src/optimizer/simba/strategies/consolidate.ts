/**
 * Advice consolidation (`consolidateAdvice`, improved mode): "append a rule" only ever appends, so
 * a predictor's instructions grow one tip per step, repeat themselves and keep vague tips that
 * taught nothing. Consolidation asks the prompt model to rewrite the tips a predictor gathered
 * (its instruction paragraphs beyond the baseline's) into short, non-overlapping rules, one per
 * output value, keeping every concrete cue. The result replaces the tips; the baseline's own
 * instructions are kept verbatim. The caller scores the consolidated program like any candidate,
 * so a rewrite that loses something is not taken.
 */
import { z } from 'zod'
import { withSettings } from '../../../core/module/settings.js'
import type { Module } from '../../../core/module/module.js'
import { Predict } from '../../../core/predict/predict.js'
import { field } from '../../../core/signature/field.js'
import { signature } from '../../../core/signature/signature.js'
import { runWithTrace } from '../../../core/trace/trace.js'
import type { LanguageModel } from '../../../core/lm/types.js'

const INSTRUCTIONS = [
  'A module of an LM program was given advice, one tip at a time, while it was being optimized. The tips overlap, repeat each other and some are too vague to act on.',
  'Rewrite them as a short list of rules that keeps everything concrete: merge tips that lead to the same output value into one rule that names every cue phrase those tips name (quote the cue phrases exactly), and drop tips that name no concrete cue.',
  "When failed cases are listed and this module produces the output they got wrong, also write a rule for each one that names the concrete cue in its inputs that points to the expected output (skip a case when no such cue is visible); a module that only prepares inputs for later modules keeps advice about its own outputs.",
  'Write one rule per line, without numbering. Do not repeat the module instructions; they are kept as they are.',
].join(' ')

const text = (d: string) => field(z.string(), d)

/** Inputs and outputs of one consolidation call. */
export const consolidateSignature = signature({
  instructions: INSTRUCTIONS,
  inputs: {
    module_instructions: text('The instructions the module started from (kept verbatim, for context).'),
    module_fields: text("The module's input and output fields, as 'inputs -> outputs'."),
    advice_tips: text('The tips gathered so far, oldest first (JSON list of strings).'),
    failed_cases: text('Cases of the current mini-batch that the program got wrong: inputs, outputs, expected outputs and the metric feedback (JSON list, possibly empty).'),
  },
  outputs: {
    consolidated_advice: text('The rewritten rules, one per line.'),
  },
})

/** Paragraphs of an instructions text (separated by blank lines), trimmed, empty ones dropped. */
export const paragraphs = (text: string): string[] => text.split(/\n\s*\n/).map((x) => x.trim()).filter(Boolean)
/** Case- and whitespace-insensitive form of a paragraph, for comparisons. */
export const normParagraph = (text: string): string => text.replace(/\s+/g, ' ').trim().toLowerCase()

/** The paragraphs of `instructions` that the baseline's `baseInstructions` do not hold. */
export function tipsOf(instructions: string, baseInstructions: string): string[] {
  const base = new Set(paragraphs(baseInstructions).map(normParagraph))
  return paragraphs(instructions).filter((p) => !base.has(normParagraph(p)))
}

/** A mini-batch case the program got wrong, as shown to the prompt model. */
export interface FailedCase {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown> | null
  expected: Record<string, unknown>
  feedback?: unknown
}

/** Outcome of consolidating one program: the new program (undefined when nothing changed) and failures. */
export interface Consolidation<P extends Module> {
  program: P | undefined
  /** LM calls made (one per predictor with at least `minTips` tips that was not already consolidated). */
  calls: number
  /** Why calls failed or replies were unusable (the program keeps those predictors' tips). */
  failures: string[]
}

/**
 * Rewrites the tips of every predictor of `program` that holds at least `minTips` of them (or one,
 * when `failed` lists cases to learn from; none with `minTips` 0), with `promptModel`; the baseline paragraphs of
 * `baseline` come first, then one paragraph per rule. `done` holds normalized instructions
 * produced by earlier consolidations: those are not sent again unless there are failed cases.
 * Calls run concurrently; a failed or empty reply leaves that predictor as it was. `check`
 * (`checkAdvice`) removes what the labelled trainset contradicts from each rule first.
 */
export async function consolidateAdvice<P extends Module>(program: P, baseline: Module, promptModel: LanguageModel, done: Set<string>, failed: readonly FailedCase[] = [], minTips = 2, check?: (text: string) => { text: string; removed: string[] }): Promise<Consolidation<P>> {
  const copy = program.clone()
  const baseByName = new Map(baseline.namedPredictors().map(([n, p]) => [n, p.instructions]))
  const failures: string[] = []
  let calls = 0
  let changed = false
  await Promise.all(
    copy.namedPredictors().map(async ([name, p]) => {
      const base = baseByName.get(name) ?? ''
      const tips = tipsOf(p.instructions, base)
      const baseParas = new Set(paragraphs(base).map(normParagraph))
      if (failed.length > 0 ? tips.length < Math.min(1, minTips) : tips.length < minTips || done.has(normParagraph(p.instructions))) return
      calls++
      const writer = new Predict(consolidateSignature, { lm: promptModel, name: 'simba.consolidate' })
      const run = await runWithTrace(() => withSettings({ mapLM: (lm) => lm }, () => writer.forward({ module_instructions: base, module_fields: p.signature.shorthand, advice_tips: JSON.stringify(tips), failed_cases: JSON.stringify(failed) })))
      if (run.error !== undefined) {
        const msg = run.error instanceof Error ? run.error.message : String(run.error)
        failures.push(`${name}: ${msg.split('\n')[0] ?? msg}`)
        return
      }
      const rules = String(run.result?.consolidated_advice ?? '')
        .split('\n')
        .map((l) => l.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
        .map((l) => (check ? check(l).text.trim() : l))
        .filter((l) => l !== '' && !baseParas.has(normParagraph(l)))
      if (rules.length === 0) {
        failures.push(`${name}: the consolidation reply held no rules`)
        return
      }
      const next = [...paragraphs(base), ...rules].join('\n\n')
      done.add(normParagraph(next))
      if (normParagraph(next) === normParagraph(p.instructions)) return
      p.instructions = next
      changed = true
    }),
  )
  return { program: changed ? copy : undefined, calls, failures }
}
