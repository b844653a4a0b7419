import { AsyncLocalStorage } from 'node:async_hooks'
import type { Predict } from '../predict/predict.js'
import type { CallRecord } from './calls.js'

/** One predictor call inside a program run. */
export interface TraceStep {
  /** The predictor object that ran (identity maps it back to its name). */
  predictor: Predict
  /** The inputs it received (all keys, including extra ones). */
  inputs: Record<string, unknown>
  /** Its parsed outputs (including e.g. `reasoning`). */
  outputs: Record<string, unknown>
}

/** Maximum steps kept per run; older steps are dropped first. */
export const MAX_TRACE_STEPS = 10_000

interface TraceStore {
  steps: TraceStep[]
  max: number
  /** LM and tool calls, when the run collects them. */
  calls: CallRecord[] | undefined
}

/** Most calls kept per run; later calls are not collected. */
export const MAX_TRACE_CALLS = 1_000

const storage = new AsyncLocalStorage<TraceStore>()

/** Outcome of `runWithTrace`: the result or the error, plus the steps recorded until then. */
export interface TracedRun<T> {
  /** Return value of `fn` (absent when it threw). */
  result?: T
  /** What `fn` threw, if it did. */
  error?: unknown
  /** Steps recorded by predictors during `fn`, oldest first (partial when it threw). */
  trace: TraceStep[]
  /** LM and tool calls in the order they started, with `calls: true` (partial when it threw). */
  calls?: CallRecord[]
}

/**
 * Runs `fn` with a fresh, isolated trace; concurrent runs never see each other's steps and a
 * nested run does not write into the outer one. Never throws: errors are returned.
 * @example const { result, trace } = await runWithTrace(() => program.forward(inputs))
 */
export async function runWithTrace<T>(fn: () => Promise<T> | T, options: { maxSteps?: number; calls?: boolean } = {}): Promise<TracedRun<T>> {
  const store: TraceStore = { steps: [], max: Math.max(1, options.maxSteps ?? MAX_TRACE_STEPS), calls: options.calls === true ? [] : undefined }
  const calls = (): { calls?: CallRecord[] } => (store.calls ? { calls: [...store.calls] } : {})
  return storage.run(store, async () => {
    try {
      const result = await fn()
      return { result, trace: [...store.steps], ...calls() }
    } catch (error) {
      return { error, trace: [...store.steps], ...calls() }
    }
  })
}

/**
 * Adds a call to the active run's call list when it collects calls, and returns the same record
 * (the caller fills in the answer later, so the list keeps start order); undefined otherwise.
 */
export function beginCall<R extends CallRecord>(record: R, after?: CallRecord): R | undefined {
  const calls = storage.getStore()?.calls
  if (!calls || calls.length >= MAX_TRACE_CALLS) return undefined
  // A follow-up call (the JSON fallback) goes right after the call it follows, whatever started meanwhile.
  const at = after === undefined ? -1 : calls.indexOf(after)
  if (at < 0) calls.push(record)
  else calls.splice(at + 1, 0, record)
  return record
}

/** Steps of the trace active in this async context, or undefined outside `runWithTrace`. */
export function currentTrace(): readonly TraceStep[] | undefined {
  return storage.getStore()?.steps
}

/** Appends a step to the active trace (no-op outside `runWithTrace`); keeps at most the cap. */
export function recordStep(step: TraceStep): void {
  const store = storage.getStore()
  if (!store) return
  store.steps.push(step)
  if (store.steps.length > store.max) store.steps.splice(0, store.steps.length - store.max)
}
