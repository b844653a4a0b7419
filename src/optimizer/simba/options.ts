/** Validation and defaults of `simba()` options (DSPy's defaults; the table is in docs/simba.md). */
import { SimbaError } from '../../errors.js'
import type { LanguageModel } from '../../core/lm/types.js'
import { priceTableProblem } from '../../core/lm/usage.js'
import type { Module } from '../../core/module/module.js'
import { currentSettings } from '../../core/module/settings.js'
import type { SimbaEvent, SimbaOptions } from './types.js'

/** Options with defaults applied. */
export type ResolvedOptions = Required<
  Pick<SimbaOptions, 'seed' | 'bsize' | 'numCandidates' | 'maxSteps' | 'maxDemos' | 'temperatureForSampling' | 'temperatureForCandidates' | 'concurrency' | 'schedule' | 'freshRolloutIds' | 'faithful' | 'maxErrors' | 'metricTrace' | 'metricLMCalls' | 'dedupeAdvice' | 'mergeAdvice' | 'carryAdvice' | 'consolidateAdvice' | 'skipUnchanged' | 'patience' | 'finalists' | 'rulesAtDemoCap' | 'creditRollouts' | 'labeledDemos' | 'checkAdvice' | 'thinDemos' | 'reflectiveStart'>
> & { mode: 'faithful' | 'improved' } & { demoInputFieldMaxlen: number; promptModel: LanguageModel | undefined; lm: LanguageModel | undefined }

const int = (name: string, v: number, min: number): number => {
  if (!Number.isInteger(v) || v < min) throw new SimbaError('SIMBA_CONFIG', `simba option ${name} must be an integer >= ${min}, got ${v}`)
  return v
}

/** Throws SIMBA_CONFIG unless `program` is a Module (what SIMBA can optimize), saying what to pass instead. */
export function checkProgram(program: unknown): asserts program is Module {
  if (program !== null && typeof program === 'object' && typeof (program as Module).namedPredictors === 'function' && typeof (program as Module).clone === 'function' && typeof (program as Module).forward === 'function') return
  const got = typeof program === 'function' ? `a plain function${program.name ? ` (${program.name})` : ''}` : program === null || program === undefined ? String(program) : `a ${typeof program} that is not a Module`
  throw new SimbaError(
    'SIMBA_CONFIG',
    `simba() optimizes the instructions and demos of a program's predictors, so it needs a Module, got ${got}. ` +
      'Pass a Predict or ChainOfThought, or a class extending Module whose properties hold them, e.g. ' +
      '`class Router extends Module { classify = new Predict(sig); forward(i) { return this.classify.forward(i) } }`.',
  )
}

/** Applies defaults, validates, clamps bsize (with a warning event) and checks every predictor has an LM. */
export function resolveOptions(program: Module, o: SimbaOptions, emit: (e: SimbaEvent) => void): ResolvedOptions {
  checkProgram(program)
  if (!o || !Array.isArray(o.trainset) || o.trainset.length === 0) {
    throw new SimbaError('SIMBA_DATASET', 'simba needs a non-empty trainset: pass { trainset: toExamples(rows, ["input"]) }')
  }
  if (typeof o.metric !== 'function') throw new SimbaError('SIMBA_CONFIG', 'simba needs a metric function (example, prediction) => number | { score, feedback }')
  if (o.valset !== undefined && (!Array.isArray(o.valset) || o.valset.length === 0)) throw new SimbaError('SIMBA_DATASET', 'simba valset must be a non-empty array of examples when given')
  const named = program.namedPredictors()
  if (named.length === 0) throw new SimbaError('SIMBA_CONFIG', `program ${program.constructor.name} has no predictors for SIMBA to optimize: hold Predict or ChainOfThought instances in its properties (plain objects, arrays and Maps of them work too)`)
  const lm = o.lm ?? currentSettings().lm
  const missing = named.filter(([, p]) => !p.lm && !lm).map(([n]) => n)
  if (missing.length > 0) throw new SimbaError('SIMBA_NO_LM', `predictors ${missing.join(', ')} have no LM: pass { lm } to simba() or set one on each predictor`)
  let bsize = int('bsize', o.bsize ?? 32, 1)
  if (bsize > o.trainset.length) {
    emit({ type: 'warning', code: 'SIMBA_BSIZE_CLAMPED', message: `bsize ${bsize} is larger than the trainset (${o.trainset.length} examples); using bsize ${o.trainset.length}` })
    bsize = o.trainset.length
  }
  for (const k of ['temperatureForSampling', 'temperatureForCandidates'] as const) {
    const v = o[k]
    if (v !== undefined && !(v > 0)) throw new SimbaError('SIMBA_CONFIG', `simba option ${k} must be > 0, got ${v}`)
  }
  if (o.maxDemos !== undefined && !Number.isFinite(o.maxDemos)) throw new SimbaError('SIMBA_CONFIG', `simba option maxDemos must be a finite number (<= 0 disables the demo strategy), got ${o.maxDemos}`)
  const maxlen = o.demoInputFieldMaxlen === null ? 0 : int('demoInputFieldMaxlen', o.demoInputFieldMaxlen ?? 100_000, 0)
  if (o.metricLMCalls !== undefined && !(Number.isFinite(o.metricLMCalls) && o.metricLMCalls >= 0)) throw new SimbaError('SIMBA_CONFIG', `simba option metricLMCalls must be a finite number >= 0 (LM calls per metric call), got ${o.metricLMCalls}`)
  const priceProblem = o.prices === undefined ? undefined : priceTableProblem(o.prices)
  if (priceProblem) throw new SimbaError('SIMBA_CONFIG', `simba option prices ${priceProblem}`)
  if (o.schedule !== undefined && o.schedule !== 'concurrent' && o.schedule !== 'sequential') throw new SimbaError('SIMBA_CONFIG', `simba option schedule must be 'concurrent' or 'sequential', got ${String(o.schedule)}`)
  if (o.mode !== undefined && o.mode !== 'faithful' && o.mode !== 'improved') throw new SimbaError('SIMBA_CONFIG', `simba option mode must be 'faithful' or 'improved', got ${String(o.mode)}`)
  const improved = o.mode === 'improved'
  if (o.finalists !== undefined && o.finalists !== 'spaced' && o.finalists !== 'best') throw new SimbaError('SIMBA_CONFIG', `simba option finalists must be 'spaced' or 'best', got ${String(o.finalists)}`)
  if (improved && o.faithful === true) throw new SimbaError('SIMBA_CONFIG', "simba options mode: 'improved' and faithful: true contradict each other: drop one (mode: 'faithful' is DSPy's search)")
  if (o.mode === 'faithful' && o.faithful === false) throw new SimbaError('SIMBA_CONFIG', "simba options mode: 'faithful' and faithful: false contradict each other: drop one (or use mode: 'improved')")
  const faithful = o.faithful ?? !improved
  return {
    mode: improved ? 'improved' : 'faithful',
    seed: o.seed ?? 0,
    bsize,
    numCandidates: int('numCandidates', o.numCandidates ?? 6, 1),
    maxSteps: int('maxSteps', o.maxSteps ?? 8, 0),
    maxDemos: o.maxDemos ?? 4,
    temperatureForSampling: o.temperatureForSampling ?? 0.2,
    temperatureForCandidates: o.temperatureForCandidates ?? (improved ? 0.02 : 0.2),
    demoInputFieldMaxlen: maxlen,
    concurrency: int('concurrency', o.concurrency ?? 16, 1),
    schedule: o.schedule ?? 'concurrent',
    freshRolloutIds: o.freshRolloutIds ?? false,
    faithful,
    maxErrors: o.maxErrors ?? Number.POSITIVE_INFINITY,
    metricTrace: o.metricTrace ?? false,
    dedupeAdvice: o.dedupeAdvice ?? !faithful,
    mergeAdvice: o.mergeAdvice ?? improved,
    carryAdvice: o.carryAdvice ?? improved,
    consolidateAdvice: o.consolidateAdvice ?? improved,
    skipUnchanged: o.skipUnchanged ?? improved,
    finalists: o.finalists ?? (improved ? 'best' : 'spaced'),
    rulesAtDemoCap: o.rulesAtDemoCap ?? improved,
    creditRollouts: o.creditRollouts ?? improved,
    checkAdvice: o.checkAdvice ?? improved,
    thinDemos: o.thinDemos ?? improved,
    reflectiveStart: o.reflectiveStart ?? improved,
    labeledDemos: int('labeledDemos', o.labeledDemos ?? (improved ? 24 : 0), 0),
    patience: int('patience', o.patience ?? (improved ? 2 : 0), 0),
    metricLMCalls: o.metricLMCalls ?? 0,
    lm,
    promptModel: o.promptModel ?? lm ?? named.find(([, p]) => p.lm)?.[1].lm,
  }
}
