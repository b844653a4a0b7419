import { SimbaError } from '../../errors.js'
import type { Demo } from '../adapter/types.js'
import type { Predict } from '../predict/predict.js'

/** Saved program: instructions and demos per predictor name (plain JSON). */
export type ProgramState = Record<string, { instructions: string; demos: Demo[] }>

/** Plain-JSON copy of an object (drops functions/undefined, as JSON does). */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/** Reads the state of the given named predictors. */
export function readState(named: Array<[string, Predict]>): ProgramState {
  // Built with fromEntries: every predictor name is an own key (a `__proto__` one too).
  return Object.fromEntries(named.map(([name, p]) => [name, { instructions: p.instructions, demos: jsonCopy(p.demos) }]))
}

/**
 * Validates `state` against the predictors (same names, right shapes) and applies it. Nothing is
 * changed when validation fails.
 */
export function applyState(named: Array<[string, Predict]>, state: ProgramState, programName: string): void {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new SimbaError('SIMBA_STATE', `program state for ${programName} must be an object keyed by predictor name, got ${Array.isArray(state) ? 'an array' : typeof state}`)
  }
  const names = named.map(([n]) => n)
  const missing = names.filter((n) => !Object.hasOwn(state, n))
  const extra = Object.keys(state).filter((n) => !names.includes(n))
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `missing predictors: ${missing.join(', ')}` : '',
      extra.length > 0 ? `unknown predictors: ${extra.join(', ')}` : '',
    ].filter(Boolean)
    throw new SimbaError(
      'SIMBA_STATE',
      `saved state does not match ${programName} (${parts.join('; ')}); the program has [${names.join(', ')}]. ` +
        'If the program changed, re-create the snapshot (vitest -u, or --optimize -u).',
    )
  }
  for (const [name] of named) {
    const entry = state[name] as unknown as { instructions?: unknown; demos?: unknown }
    if (typeof entry !== 'object' || entry === null || typeof entry.instructions !== 'string' || !Array.isArray(entry.demos)) {
      throw new SimbaError('SIMBA_STATE', `saved state of predictor "${name}" in ${programName} must be { instructions: string, demos: object[] }`)
    }
    const bad = entry.demos.findIndex((d) => typeof d !== 'object' || d === null || Array.isArray(d))
    if (bad >= 0) throw new SimbaError('SIMBA_STATE', `saved state of predictor "${name}" in ${programName}: demo #${bad} is not an object`)
  }
  for (const [name, p] of named) {
    const entry = state[name] as { instructions: string; demos: Demo[] }
    p.instructions = entry.instructions
    p.demos = jsonCopy(entry.demos)
  }
}
