import { canonicalJson } from '../../internal/json/canonical.js'
import { sha256 } from '../../internal/hash/sha256.js'
import { chatAdapter } from '../adapter/chat.js'
import type { LMRequest } from '../lm/types.js'
import type { Predict } from '../predict/predict.js'
import type { Module } from './module.js'
import { currentSettings } from './settings.js'

/**
 * The request a predictor would send for `inputs` with its current instructions and demos
 * (its own adapter, else the one from settings, else chat). No LM is called.
 */
export function renderPrompt(predictor: Predict, inputs: Record<string, unknown>): LMRequest {
  const adapter = predictor.adapter ?? currentSettings().adapter ?? chatAdapter
  return adapter.format({ signature: predictor.signature, instructions: predictor.instructions, demos: predictor.demos, inputs })
}

/** Placeholder inputs `{ field: '<field>' }` for every input field of a predictor. */
export function placeholderInputs(predictor: Predict): Record<string, string> {
  return Object.fromEntries(predictor.signature.inputFields.map((f) => [f.name, `<${f.name}>`]))
}

/**
 * sha256 of the canonical JSON of every predictor's rendered messages (placeholder inputs), by
 * name. Equal fingerprints mean equal prompts, so a snapshot can prove its loaded state applied.
 */
export function promptFingerprint(program: Module): string {
  const rendered = program.namedPredictors().map(([name, p]) => [name, renderPrompt(p, placeholderInputs(p))])
  return sha256(canonicalJson(rendered))
}
