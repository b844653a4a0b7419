import { SimbaError } from '../../errors.js'
import { caseName, Example } from '../../core/example/example.js'
import { hasModuleBrand } from '../../core/module/brand.js'
import type { Module } from '../../core/module/module.js'
import type { OptimizeBlockOptions, Row } from './block-options.js'

/** One case of a block: its example and unique test name. */
export interface BlockCase {
  /** Split it belongs to. */
  split: 'trainset' | 'devset'
  /** Unique name within the split (the test name and snapshot key). */
  name: string
  /** The example passed to the program and metric. */
  example: Example
}

/** True for an Example from any copy of the package. */
function isExample(row: Row): row is Example {
  const r = row as Partial<Example>
  return typeof r.inputs === 'function' && Array.isArray(r.inputKeys) && typeof r.data === 'object'
}

/** True when `program` is a factory (no declared parameters) rather than `(inputs) => outputs`. */
export function isFactory(program: OptimizeBlockOptions['program']): boolean {
  return program.length === 0
}

/** Calls a factory and checks it returned a Module. */
export async function buildProgram(block: string, program: OptimizeBlockOptions['program']): Promise<Module> {
  const made = await (program as () => Module | Promise<Module>)()
  if (!hasModuleBrand(made)) {
    throw new SimbaError(
      'SIMBA_CONFIG',
      `describe.optimize("${block}"): option "program" must return a Module or Predict (got ${made === null ? 'null' : typeof made}); ` +
        'to test a plain async function, declare its inputs parameter: program: async (inputs) => …',
    )
  }
  return made as Module
}

/** Input keys for plain rows: `inputs`, else the first predictor's signature inputs (from a sample program). */
export function inputKeysFor(block: string, options: OptimizeBlockOptions, sample: Module | undefined): string[] {
  if (options.inputs) return [...options.inputs]
  const first = sample?.namedPredictors()[0]?.[1]
  if (first) return first.signature.inputFields.map((f) => f.name)
  throw new SimbaError(
    'SIMBA_CONFIG',
    `describe.optimize("${block}"): cannot tell the input keys of the cases; pass inputs: ['question', …] (or use Example rows)`,
  )
}

/** Turns a split's rows into named cases (duplicate names get ` (2)`, ` (3)` …). */
export function toCases(block: string, split: BlockCase['split'], rows: readonly Row[], keys: () => string[]): BlockCase[] {
  const used = new Map<string, number>()
  const taken = new Set<string>()
  return rows.map((row, i) => {
    let example: Example
    if (isExample(row)) example = row.inputKeys.length > 0 ? row : row.withInputs(...keys())
    else {
      const missing = keys().filter((k) => !Object.hasOwn(row, k))
      if (missing.length > 0) {
        throw new SimbaError('SIMBA_DATASET', `describe.optimize("${block}"): ${split} case #${i} has no input ${missing.map((k) => `"${k}"`).join(', ')} (keys: ${Object.keys(row).join(', ')})`)
      }
      example = new Example(row, keys())
    }
    const base = caseName(example, i)
    let n = used.get(base) ?? 0
    let name: string
    // Skip numbers whose name is already taken (a case really named "a (2)" and a second "a").
    do name = ++n === 1 ? base : `${base} (${n})`
    while (taken.has(name))
    used.set(base, n)
    taken.add(name)
    return { split, name, example }
  })
}
