import { z } from 'zod'
import { SimbaError } from '../../errors.js'
import { findSecret, maskSecrets } from '../../internal/secrets/secrets.js'
import type { Example, ExampleOf } from '../../core/example/example.js'
import type { Metric } from '../../core/evaluate/metric.js'
import type { LanguageModel } from '../../core/lm/types.js'
import type { Module } from '../../core/module/module.js'
import type { SimbaOptions } from '../../optimizer/simba/types.js'

/** A dataset row: a plain object (input keys from `inputs` or the program's signature) or an Example. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Row = Record<string, any> | Example

/** SIMBA settings a block may set (the plugin's `optimize` option gives defaults). */
export type BlockOptimizerOptions = Omit<SimbaOptions, 'trainset' | 'metric' | 'lm' | 'onProgress' | 'valset' | '__program'>

/** What `program` accepts: a factory of a Module/Predict, or an async `(inputs) => outputs` function. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ProgramSpec = (() => Module | Promise<Module>) | ((inputs: any) => Promise<any>)

/**
 * The prediction a program produces: the `forward` output of the Module a factory returns, or what
 * a plain async function resolves to.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PredictionOf<F> = F extends () => infer R ? (Awaited<R> extends Module<any, infer O> ? O : Awaited<R>) : F extends (inputs: any) => infer R ? Awaited<R> : any

/**
 * Options of `describe.optimize(name, options)`. `T` is the row type, inferred from `trainset`,
 * so the metric's example is typed (`ex.queue`); `F` is the program, so the metric's prediction is
 * typed from its output (`pred.queue`) and `inputs` must name keys of the rows.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface OptimizeBlockOptions<T extends Record<string, any> = Record<string, any>, F extends ProgramSpec = ProgramSpec> {
  /** A factory returning a Module/Predict (optimizable), or an async `(inputs) => outputs` (regression tests only). */
  program: F
  /** Training cases (each becomes a test). */
  trainset: ReadonlyArray<T | Example<T>>
  /** Held-out cases; when given, their mean is the gate. */
  devset?: ReadonlyArray<T | Example<T>>
  /** Input keys of plain-object rows (default: the first predictor's signature inputs). */
  inputs?: ReadonlyArray<NoInfer<keyof T & string>>
  /** Scores one case: number, boolean or `{ score, feedback }`. Gets the example (`ex.queue` or `ex.data.queue`) and the prediction. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  metric: Metric<ExampleOf<T, any>, NoInfer<PredictionOf<F>>>
  /** Absolute floor for the gating mean. */
  threshold?: number
  /** Allowed drop vs the snapshot baseline, for the mean and each case (default 0). */
  tolerance?: number
  /** A case "passes" when its score is at least this (default 1). Only passing baseline cases can regress. */
  caseThreshold?: number
  /** LM for predictors without their own (applied with `withSettings`). */
  lm?: LanguageModel
  /**
   * SIMBA settings (seed, bsize, numCandidates, maxSteps, …). Blocks default to `mode: 'improved'`;
   * `mode: 'faithful'` (or a `faithful` setting) runs DSPy's search.
   */
  optimizer?: BlockOptimizerOptions
  /** Cases evaluated at once (default: the plugin's `concurrency`, 8). */
  concurrency?: number
  /** Timeout of the block's setup (evaluation, optimization) in ms. */
  timeout?: number
  /**
   * Runs every case this many times (default: the plugin's `trials`, else 1), each trial with its
   * own rollout id (recorded and replayed like any call). With more than one, a case's score is its
   * trials' mean, disagreeing trials make it `flaky`, and the gate only fails on drops larger than
   * sampling noise explains.
   */
  trials?: number
}

/** Every key of {@link BlockOptimizerOptions} (kept in sync by a type check below). */
const OPTIMIZER_KEYS = [
  'seed',
  'bsize',
  'numCandidates',
  'maxSteps',
  'maxDemos',
  'temperatureForSampling',
  'temperatureForCandidates',
  'demoInputFieldMaxlen',
  'promptModel',
  'teacherSettings',
  'concurrency',
  'schedule',
  'temperatureSchedule',
  'freshRolloutIds',
  'mode',
  'faithful',
  'mergeAdvice',
  'carryAdvice',
  'consolidateAdvice',
  'skipUnchanged',
  'patience',
  'finalists',
  'rulesAtDemoCap',
  'creditRollouts',
  'labeledDemos',
  'checkAdvice',
  'thinDemos',
  'reflectiveStart',
  'dedupeAdvice',
  'metricTrace',
  'metricLMCalls',
  'budget',
  'prices',
  'maxErrors',
] as const satisfies ReadonlyArray<keyof BlockOptimizerOptions>
// Fails to compile when BlockOptimizerOptions gains a key that OPTIMIZER_KEYS lacks.
type MissingOptimizerKeys = Exclude<keyof BlockOptimizerOptions, (typeof OPTIMIZER_KEYS)[number]>
const _allOptimizerKeys: [MissingOptimizerKeys] extends [never] ? true : MissingOptimizerKeys = true
void _allOptimizerKeys

const fn = z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', { message: 'must be a function' })
const rows = z.array(z.custom<Row>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'each case must be an object' }))
const schema = z.strictObject({
  program: fn,
  trainset: rows.min(1, { message: 'needs at least one case' }),
  devset: rows.min(1, { message: 'needs at least one case when given' }).optional(),
  inputs: z.array(z.string().min(1)).min(1).optional(),
  metric: fn,
  threshold: z.number().finite().optional(),
  tolerance: z.number().finite().nonnegative().optional(),
  caseThreshold: z.number().finite().optional(),
  lm: z.custom<LanguageModel>((v) => typeof v === 'object' && v !== null && typeof (v as { call?: unknown }).call === 'function', { message: 'must be an LM (an object with call())' }).optional(),
  // Keys are checked here (a typo such as `maxStep` is an error, not silently ignored); values by simba().
  optimizer: z.strictObject(Object.fromEntries(OPTIMIZER_KEYS.map((k) => [k, z.unknown().optional()]))).optional(),
  concurrency: z.int().positive().optional(),
  timeout: z.int().positive().optional(),
  trials: z.int().positive().max(100).optional(),
})

/**
 * Refuses a block name that holds a secret (a key shape or a configured credential): the name is
 * the block's identity in the snapshot, the score table, the report and every Vitest reporter, so it
 * is renamed at the source rather than masked in some of those places.
 */
export function checkBlockName(block: string): void {
  const hit = findSecret(block)
  if (!hit) return
  throw new SimbaError(
    'SIMBA_SECRET',
    `describe.optimize("${maskSecrets(block)}"): the block name holds a ${hit.kind} (${hit.preview}). ` +
      'A block name is written to the snapshot, the score table, the HTML and JSON reports and every Vitest reporter: rename the block to a name without the secret.',
  )
}

/** Validates the block name and options; errors name the block and the option. */
export function parseBlockOptions(block: string, options: unknown): OptimizeBlockOptions {
  if (typeof block !== 'string' || block === '') throw new SimbaError('SIMBA_CONFIG', 'describe.optimize(name, options) needs a non-empty name')
  checkBlockName(block)
  const result = schema.safeParse(options)
  if (result.success) return result.data as unknown as OptimizeBlockOptions
  const lines = result.error.issues.map((i) => {
    const path = [...i.path.map(String), ...('keys' in i && Array.isArray(i.keys) ? [i.keys.join(', ')] : [])].join('.')
    return `option "${path || '(options)'}": ${i.message}`
  })
  throw new SimbaError('SIMBA_CONFIG', `describe.optimize("${block}"): invalid options:\n  ${lines.join('\n  ')}`)
}
