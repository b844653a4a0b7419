import { SimbaError } from '../../errors.js'

/**
 * Names an Example keeps for its own API. A row field with one of these names is still in
 * `example.data`, but is not mirrored onto the example itself.
 */
export const RESERVED_EXAMPLE_KEYS = ['data', 'inputKeys', 'id', 'inputs', 'labels', 'withInputs', 'constructor', 'toJSON', 'then'] as const

/** One of {@link RESERVED_EXAMPLE_KEYS}. */
export type ReservedExampleKey = (typeof RESERVED_EXAMPLE_KEYS)[number]

const reserved: ReadonlySet<string> = new Set(RESERVED_EXAMPLE_KEYS)

/**
 * An Example whose row fields can also be read directly (`ex.queue` as well as `ex.data.queue`),
 * except fields named like the Example's own members ({@link RESERVED_EXAMPLE_KEYS}).
 */
export type ExampleOf<T extends Record<string, unknown> = Record<string, unknown>, K extends keyof T & string = keyof T & string> = Example<T, K> &
  Readonly<Omit<T, ReservedExampleKey>>

/**
 * One dataset row plus which of its keys are program inputs; the other keys are labels. Row fields
 * are readable on the example itself too (`ex.queue`), as read-only, non-enumerable getters.
 * @example const ex = new Example({ ticket: 'refund?', queue: 'billing' }, ['ticket'])
 */
export class Example<T extends Record<string, unknown> = Record<string, unknown>, K extends keyof T & string = keyof T & string> {
  /** The row. */
  readonly data: T
  /** Keys passed to the program. */
  readonly inputKeys: readonly K[]
  /** Stable case id (used as the test name), if given. */
  readonly id: string | undefined

  /** Wraps a row; `inputKeys` must be keys of it. */
  constructor(data: T, inputKeys: readonly K[] = [], id?: string) {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new SimbaError('SIMBA_DATASET', `an example must be an object, got ${Array.isArray(data) ? 'an array' : String(data)}`)
    }
    this.data = data
    this.inputKeys = [...inputKeys]
    this.id = id
    for (const key of Object.keys(data)) {
      if (reserved.has(key)) continue
      Object.defineProperty(this, key, { get: () => this.data[key], enumerable: false, configurable: false })
    }
  }

  /** Creates an example typed with direct field access (`ex.queue`); same as `new Example(...)`. */
  static of<T extends Record<string, unknown>, K extends keyof T & string = keyof T & string>(data: T, inputKeys: readonly K[] = [], id?: string): ExampleOf<T, K> {
    return new Example<T, K>(data, inputKeys, id) as ExampleOf<T, K>
  }

  /** The input fields, for `program.forward(...)`. Throws when no input keys were set. */
  inputs(): Pick<T, K> {
    if (this.inputKeys.length === 0) {
      throw new SimbaError('SIMBA_DATASET', `example ${this.id ?? JSON.stringify(this.data).slice(0, 60)} has no input keys; use toExamples(rows, ['input', ...]) or example.withInputs('input')`)
    }
    // fromEntries defines own keys: a field named `__proto__` stays a field.
    return Object.fromEntries(this.inputKeys.map((k) => [k, this.data[k]])) as Pick<T, K>
  }

  /** The non-input fields (expected outputs and metadata). */
  labels(): Omit<T, K> {
    return Object.fromEntries(Object.entries(this.data).filter(([k]) => !(this.inputKeys as readonly string[]).includes(k))) as Omit<T, K>
  }

  /** A copy with other input keys. */
  withInputs<K2 extends keyof T & string>(...keys: K2[]): Example<T, K2> {
    return new Example<T, K2>(this.data, keys, this.id)
  }
}

/**
 * Wraps rows as examples with the given input keys; every row must have every input key.
 * @example const trainset = toExamples(rows, ['ticket'], { id: (row) => row.ticketId })
 */
export function toExamples<T extends Record<string, unknown>, K extends keyof T & string>(
  rows: readonly T[],
  inputKeys: readonly K[],
  options: { id?: (row: T, index: number) => string } = {},
): Array<ExampleOf<T, K>> {
  if (!Array.isArray(rows)) throw new SimbaError('SIMBA_DATASET', `toExamples needs an array of rows, got ${typeof rows}`)
  if (inputKeys.length === 0) throw new SimbaError('SIMBA_DATASET', 'toExamples needs at least one input key, e.g. toExamples(rows, ["question"])')
  return rows.map((row, i) => {
    if (typeof row !== 'object' || row === null) throw new SimbaError('SIMBA_DATASET', `row #${i} is not an object`)
    const missing = inputKeys.filter((k) => !Object.hasOwn(row, k))
    if (missing.length > 0) {
      throw new SimbaError('SIMBA_DATASET', `row #${i} has no input ${missing.map((k) => `"${k}"`).join(', ')} (keys: ${Object.keys(row).join(', ')})`)
    }
    return Example.of<T, K>(row, inputKeys, options.id?.(row, i))
  })
}

/**
 * A human name for a case: its explicit id, else an `id`/`name` field, else its first input
 * (whitespace collapsed, cut at 60 characters), else `#index` when that input is empty.
 * @example caseName(example, 3) // 'How do I reset my password?'
 */
export function caseName(example: Example, index: number): string {
  if (example.id !== undefined && example.id !== '') return example.id
  for (const key of ['id', 'name']) {
    const v = example.data[key]
    if ((typeof v === 'string' && v !== '') || typeof v === 'number') return String(v)
  }
  const firstKey = example.inputKeys[0]
  const first = firstKey === undefined ? undefined : example.data[firstKey]
  const text = (typeof first === 'string' ? first : (JSON.stringify(first) ?? '')).replace(/\s+/g, ' ').trim()
  // Named by content, not position, so inserting or removing a case does not rename the others
  // (their baselines in the snapshot are keyed by name). Callers disambiguate duplicates.
  if (text === '') return `#${index}`
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}
