import type { Example } from '../example/example.js'
import { runWithTrace, type TraceStep } from '../trace/trace.js'

/** What a metric may return: a number, a boolean (1/0), or a score with feedback for SIMBA's rule writer. */
export type MetricResult = number | boolean | { score: number; feedback?: string }

/**
 * Scores one prediction against its example (sync or async). `trace` holds the predictor calls.
 * @example const metric: Metric = (ex, pred) => pred.queue === ex.data.queue
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Metric<E = any, P = any> = (example: E, prediction: P, trace?: TraceStep[]) => MetricResult | Promise<MetricResult>

/**
 * A metric outcome, normalised: scores live in [0, 1] (booleans are 1/0); a value outside it, NaN or
 * not a number is a failure with score 0 and an `error` that names the case and the value.
 */
export interface CaseScore {
  /** Score in [0, 1] (0 on failure). */
  score: number
  /** Feedback text from the metric, if any. */
  feedback?: string
  /** Why the metric result was unusable (thrown error, NaN, wrong type). */
  error?: string
}

function normalise(value: unknown, caseLabel: string): CaseScore {
  const fail = (why: string): CaseScore => ({ score: 0, error: `metric ${why} for case ${caseLabel}` })
  if (typeof value === 'boolean') return { score: value ? 1 : 0 }
  const inRange = (n: number, what: string): CaseScore =>
    !Number.isFinite(n) ? fail(`returned ${what}${n} (need a score in [0, 1])`) : n < 0 || n > 1 ? fail(`returned ${what}${n}, outside [0, 1] (scale it, e.g. score / max)`) : { score: n }
  if (typeof value === 'number') return inRange(value, '')
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { score, feedback } = value as { score?: unknown; feedback?: unknown }
    const base: CaseScore =
      typeof score === 'boolean' ? { score: score ? 1 : 0 } : typeof score === 'number' ? inRange(score, 'score ') : fail(`returned an object whose score is ${typeof score} (need a number in [0, 1])`)
    if (typeof feedback === 'string' && feedback !== '') base.feedback = feedback
    return base
  }
  let shown: string
  try {
    shown = value === undefined ? 'undefined' : JSON.stringify(value).slice(0, 80)
  } catch {
    shown = typeof value
  }
  return fail(`returned ${shown} (need a number, a boolean or { score, feedback? })`)
}

/**
 * Runs a metric and normalises its result; never throws. The metric runs in its own trace, so an
 * LM judge inside it does not add steps to the program's trace.
 */
export async function scoreCase<E, P>(
  metric: Metric<E, P>,
  example: E,
  prediction: P,
  trace?: TraceStep[],
  caseLabel = describeCase(example),
): Promise<CaseScore> {
  // Like DSPy, a metric called without a trace gets two arguments, so `trace === undefined` holds.
  const run = await runWithTrace(() => (trace === undefined ? metric(example, prediction) : metric(example, prediction, trace)))
  if ('error' in run) {
    const e = run.error
    return { score: 0, error: `metric threw for case ${caseLabel}: ${e instanceof Error ? e.message : String(e)}` }
  }
  return normalise(run.result, caseLabel)
}

function describeCase(example: unknown): string {
  const id = (example as Example | undefined)?.id
  if (typeof id === 'string') return `"${id}"`
  try {
    return (JSON.stringify((example as Example | undefined)?.data ?? example) ?? 'undefined').slice(0, 60)
  } catch {
    return '(unprintable example)'
  }
}
