/**
 * Strategy "append a demo" (ported from DSPy `dspy/teleprompt/simba_utils.py`, MIT):
 * the best rollout's last call of each predictor becomes a new demo of that predictor, by name.
 * Departures (both modes): the trace record is not mutated when truncating (we copy; DSPy's in-place edit has
 * no later reader). The "string form" of a non-string value is its JSON (DSPy: Python `str()`).
 * As in DSPy the demo is built before the predictor-name lookup, so a key that is both an input
 * and an output (or is `augmented`) throws even for a step of an unknown predictor.
 */
import type { Demo } from '../../../core/adapter/types.js'
import type { StrategyContext, StrategyOutcome } from './types.js'

const MARK = '\n\t\t... <TRUNCATED FOR BREVITY>'

/** Truncates input values whose string form is longer than `maxlen` (0 disables). */
export function truncateInputs(inputs: Record<string, unknown>, maxlen: number): Record<string, unknown> {
  if (!maxlen) return { ...inputs }
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(inputs)) {
    const text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)
    out[k] = text.length > maxlen ? text.slice(0, maxlen) + MARK : v
  }
  return out
}

/**
 * Appends the best rollout's demos to the candidate; skipped when the best score is <= p10.
 * @example await appendADemo(ctx) // { status: 'applied' }
 */
export async function appendADemo(ctx: StrategyContext): Promise<StrategyOutcome> {
  const best = ctx.bucket[0]
  if (!best) throw new Error('empty bucket')
  if (best.score <= ctx.p10) return { status: 'skipped', reason: `best score ${best.score} <= p10 ${ctx.p10}`, gated: true }
  const latest = new Map<string, Demo>()
  for (const step of best.trace) {
    const inputs = truncateInputs(step.inputs, ctx.demoInputFieldMaxlen)
    const label = ctx.nameOf(step.predictor) ?? step.predictor.displayName
    const clash = Object.keys(step.outputs).find((k) => Object.hasOwn(inputs, k))
    if (clash !== undefined) throw new Error(`field "${clash}" is both an input and an output of predictor "${label}"; a demo cannot hold it twice`)
    if (Object.hasOwn(inputs, 'augmented') || Object.hasOwn(step.outputs, 'augmented')) throw new Error(`predictor "${label}" has a field named "augmented", which demos reserve for their flag`)
    const demo: Demo = { augmented: true, ...inputs, ...step.outputs }
    const name = ctx.nameOf(step.predictor)
    if (name === undefined) continue
    latest.set(name, demo)
  }
  const byName = new Map(ctx.candidate.namedPredictors())
  for (const [name, demo] of latest) {
    const p = byName.get(name)
    if (p) p.demos = [...p.demos, demo]
  }
  return { status: 'applied' }
}
