import { AsyncLocalStorage } from 'node:async_hooks'
import type { Predict } from '../predict/predict.js'

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
}

const storage = new AsyncLocalStorage<TraceStore>()

/** Outcome of `runWithTrace`: the result or the error, plus the steps recorded until then. */
export interface TracedRun<T> {
  /** Return value of `fn` (absent when it threw). */
  result?: T
  /** What `fn` threw, if it did. */
  error?: unknown
  /** Steps recorded by predictors during `fn`, oldest first (partial when it threw). */
  trace: TraceStep[]
}

/**
 * Runs `fn` with a fresh, isolated trace; concurrent runs never see each other's steps and a
 * nested run does not write into the outer one. Never throws: errors are returned.
 * @example const { result, trace } = await runWithTrace(() => program.forward(inputs))
 */
export async function runWithTrace<T>(fn: () => Promise<T> | T, options: { maxSteps?: number } = {}): Promise<TracedRun<T>> {
  const store: TraceStore = { steps: [], max: Math.max(1, options.maxSteps ?? MAX_TRACE_STEPS) }
  return storage.run(store, async () => {
    try {
      const result = await fn()
      return { result, trace: [...store.steps] }
    } catch (error) {
      return { error, trace: [...store.steps] }
    }
  })
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
