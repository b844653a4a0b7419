import { AsyncLocalStorage } from 'node:async_hooks'
import type { Adapter } from '../adapter/types.js'
import type { LanguageModel } from '../lm/types.js'

/** Run-wide defaults for predictors, set with `withSettings`. */
export interface Settings {
  /** LM for predictors that have none of their own. */
  lm?: LanguageModel
  /** Rewrites the resolved LM per call (e.g. a rollout copy); gets the predictor's dotted name when known. */
  mapLM?: (lm: LanguageModel, predictorName: string | undefined) => LanguageModel
  /** Adapter for predictors that have none of their own (default: the chat adapter). */
  adapter?: Adapter
  /** Retry once with the JSON adapter when a chat reply does not parse (default true). */
  jsonFallback?: boolean
}

const storage = new AsyncLocalStorage<Settings>()

/**
 * Runs `fn` with `settings` active for every predictor call inside it (async-context scoped).
 * Nested calls merge: inner keys override outer ones, `undefined` keys keep the outer value.
 * @example await withSettings({ lm }, () => program.forward({ question: 'hi' }))
 */
export function withSettings<T>(settings: Settings, fn: () => T): T {
  const merged: Settings = { ...storage.getStore() }
  for (const [k, v] of Object.entries(settings)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v
  return storage.run(merged, fn)
}

/** The settings active in this async context (an empty object outside `withSettings`). */
export function currentSettings(): Readonly<Settings> {
  return storage.getStore() ?? {}
}
