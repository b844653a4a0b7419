import type { Demo } from '../adapter/types.js'
import type { LanguageModel } from '../lm/types.js'
import type { Predict } from '../predict/predict.js'
import { MODULE_BRAND } from './brand.js'
import { applyState, readState, type ProgramState } from './state.js'
import { cloneGraph, walkPredictors } from './walk.js'

/**
 * Base class of LM programs. Subclasses hold predictors (and other modules) as properties and
 * implement `forward` in plain async TypeScript; predictors are found by walking the properties.
 * @example class Router extends Module<{ ticket: string }, { queue: string }> { classify = new Predict(sig); forward(i) { return this.classify.forward(i) } }
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export abstract class Module<I = any, O = any> {
  /** Brand used by the walker (works across package copies). */
  get [MODULE_BRAND](): true {
    return true
  }

  /** Runs the program on one set of inputs. */
  abstract forward(inputs: I): Promise<O>

  /** Every predictor with its stable dotted name (e.g. `retrieve.predict`, `hops[0]`), in property order. */
  namedPredictors(): Array<[string, Predict]> {
    const list = walkPredictors(this)
    for (const [name, p] of list) p.path = name
    return list
  }

  /** The predictors alone, in `namedPredictors()` order. */
  predictors(): Predict[] {
    return this.namedPredictors().map(([, p]) => p)
  }

  /** A deep copy: sub-modules, predictors (instructions, demos), arrays, maps and plain objects are copied; LMs and functions are shared. */
  clone(): this {
    return cloneGraph(this)
  }

  /** Instructions and demos of every predictor, as plain JSON keyed by predictor name. */
  state(): ProgramState {
    return readState(this.namedPredictors())
  }

  /** Applies a `state()`; throws SimbaError('SIMBA_STATE') naming missing or unknown predictors. */
  loadState(state: ProgramState): this {
    applyState(this.namedPredictors(), state, this.constructor.name)
    return this
  }

  /** Sets the LM of every predictor. */
  setLM(lm: LanguageModel | undefined): this {
    for (const p of this.predictors()) p.lm = lm
    return this
  }
}

export type { Demo, ProgramState }
