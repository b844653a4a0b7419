import { SimbaError } from '../../errors.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import { sha256 } from '../../internal/hash/sha256.js'
import { maskSecrets } from '../../internal/secrets/secrets.js'
import { caseName, Example } from '../../core/example/example.js'
import { hasModuleBrand } from '../../core/module/brand.js'
import type { Module } from '../../core/module/module.js'
import type { OptimizeBlockOptions, Row } from './block-options.js'

/** One case of a block: its example and unique test name. */
export interface BlockCase {
  /** Split it belongs to. */
  split: 'trainset' | 'devset'
  /** Identity within the split, from the case's content (the test name and snapshot key). */
  name: string
  /** The example passed to the program and metric. */
  example: Example
  /** Its name under version 0.1's position-based naming (to read older snapshot files' baselines). */
  legacyName: string
}

/** True for an Example from any copy of the package. */
function isExample(row: Row): row is Example {
  if (row === null || typeof row !== 'object') return false
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

/**
 * Input keys for plain rows: `inputs`, else the program's own signature inputs when it has one
 * (a Predict, a ReAct agent), else the first predictor's signature inputs (from a sample program).
 */
export function inputKeysFor(block: string, options: OptimizeBlockOptions, sample: Module | undefined): string[] {
  if (options.inputs) return [...options.inputs]
  const own = (sample as { signature?: { inputFields?: unknown } } | undefined)?.signature?.inputFields
  if (Array.isArray(own)) return own.map((f: { name: string }) => f.name)
  const first = sample?.namedPredictors()[0]?.[1]
  if (first) return first.signature.inputFields.map((f) => f.name)
  throw new SimbaError(
    'SIMBA_CONFIG',
    `describe.optimize("${block}"): cannot tell the input keys of the cases; pass inputs: ['question', …] (or use Example rows)`,
  )
}

/** Longest input text used as a case's identity as is (longer texts are shortened plus a digest). */
const MAX_PLAIN_NAME = 60

/** The end of a generated name (` #` and 8 hex digits): a text that ends so is never used as a name as is. */
const GENERATED_END = /(?:^|\s)#[0-9a-f]{8}$/

const digestOf = (value: unknown): string => sha256(canonicalJson(value)).slice(0, 8)

/** A case's identity: its name, whether it is an explicit id, and the real value it stands for. */
export interface CaseIdentity {
  /** The name (test name and snapshot key); secrets masked. */
  id: string
  /** Whether the name is the row's explicit id. */
  explicit: boolean
  /** The unmasked value the name stands for (the id, or the canonical JSON of the inputs): equal keys are the same case. */
  key: string
}

/**
 * The identity of a case, from its content alone: its explicit id (`Example` id, else an `id` or
 * `name` field); else, when its only input is a short single-line text, that text; else the start of
 * its first input plus a digest of all its input values (`"My order… #3fa2c1d9"`). Secrets are
 * masked, so an identity (test name, snapshot key) never carries one; an id that had a secret masked
 * gets the digest of its real value, so two ids differing inside a secret keep different names. A
 * text that itself ends like a generated name (` #3fa2c1d9`) gets a digest too, so it never takes
 * another row's generated name. Object inputs are shown with sorted keys, like their digest.
 */
export function caseIdentity(example: Example): CaseIdentity {
  const explicit = explicitId(example)
  if (explicit !== undefined) {
    const masked = maskSecrets(explicit)
    return { id: masked === explicit ? explicit : `${masked} #${digestOf(explicit)}`, explicit: true, key: `id\0${explicit}` }
  }
  const inputs = example.inputs() as Record<string, unknown>
  const keys = example.inputKeys as readonly string[]
  const values = keys.map((k) => [k, Object.hasOwn(inputs, k) ? (inputs[k] ?? null) : null])
  const key = `inputs\0${canonicalJson(values)}`
  const first = keys[0] !== undefined && Object.hasOwn(inputs, keys[0]) ? inputs[keys[0]] : undefined
  const raw = typeof first === 'string' ? first : first === undefined ? '' : canonicalJson(first)
  const text = raw.replace(/\s+/g, ' ').trim()
  const masked = maskSecrets(text)
  if (keys.length === 1 && typeof first === 'string' && text === first && text !== '' && text.length <= MAX_PLAIN_NAME && masked === text && !GENERATED_END.test(text)) {
    return { id: text, explicit: false, key }
  }
  const digest = digestOf(values)
  const short = masked.length > 40 ? `${masked.slice(0, 40)}…` : masked
  return { id: short === '' ? `#${digest}` : `${short} #${digest}`, explicit: false, key }
}

/** The explicit id of an example: its `id`, else a non-empty `id` or `name` field of the row. */
function explicitId(example: Example): string | undefined {
  if (example.id !== undefined && example.id !== '') return example.id
  for (const key of ['id', 'name']) {
    const v = example.data[key]
    if ((typeof v === 'string' && v !== '') || typeof v === 'number') return String(v)
  }
  return undefined
}

/**
 * Turns a split's rows into cases named by their content ({@link caseIdentity}), so re-ordering,
 * inserting or removing rows never changes another case's name or verdict. Two rows with the same
 * identity (duplicate ids, or identical inputs, compared by their real values) are an error naming
 * both rows and the fix; so are two different rows whose names would still coincide.
 */
export function toCases(block: string, split: BlockCase['split'], rows: readonly Row[], keys: () => string[]): BlockCase[] {
  const byName = new Map<string, { row: number; explicit: boolean }>()
  const byKey = new Map<string, number>()
  const legacyTaken = new Set<string>()
  const legacyCount = new Map<string, number>()
  return rows.map((row, i) => {
    let example: Example
    if (isExample(row)) example = row.inputKeys.length > 0 ? row : row.withInputs(...keys())
    else {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        throw new SimbaError('SIMBA_DATASET', `describe.optimize("${block}"): ${split} case #${i} is not an object (got ${Array.isArray(row) ? 'an array' : String(row)})`)
      }
      const missing = keys().filter((k) => !Object.hasOwn(row, k))
      if (missing.length > 0) {
        throw new SimbaError('SIMBA_DATASET', `describe.optimize("${block}"): ${split} case #${i} has no input ${missing.map((k) => `"${k}"`).join(', ')} (keys: ${Object.keys(row).join(', ')})`)
      }
      example = new Example(row, keys())
    }
    const { id, explicit, key } = caseIdentity(example)
    const same = byKey.get(key)
    if (same !== undefined) {
      throw new SimbaError(
        'SIMBA_DATASET',
        explicit
          ? `describe.optimize("${block}"): ${split} rows #${same} and #${i} have the same id "${id}"; ids must be unique within a split (rename one).`
          : `describe.optimize("${block}"): ${split} rows #${same} and #${i} have identical inputs ("${id}"), so they are the same case. ` +
              'Give them ids (an `id` field) if they differ in their labels, or drop one.',
      )
    }
    const clash = byName.get(id)
    if (clash !== undefined) {
      const by = (e: boolean): string => (e ? 'its id' : 'its inputs')
      throw new SimbaError(
        'SIMBA_DATASET',
        `describe.optimize("${block}"): ${split} rows #${clash.row} and #${i} are different cases but would both be named "${id}" (row #${clash.row} by ${by(clash.explicit)}, ` +
          `row #${i} by ${by(explicit)}). Give row #${i} an id (an \`id\` field) that no other row uses.`,
      )
    }
    byKey.set(key, i)
    byName.set(id, { row: i, explicit })
    // The 0.1 naming (by position among equal names), to read baselines of older snapshot files.
    const base = caseName(example, i)
    let n = legacyCount.get(base) ?? 0
    let legacyName: string
    do legacyName = ++n === 1 ? base : `${base} (${n})`
    while (legacyTaken.has(legacyName))
    legacyCount.set(base, n)
    legacyTaken.add(legacyName)
    return { split, name: id, example, legacyName }
  })
}
