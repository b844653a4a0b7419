import { z } from 'zod'
import { SimbaError } from '../../errors.js'
import { isFieldSpec, type FieldInfo, type FieldInput, type FieldSpec, type InferFields, type InferInputFields } from './field.js'
import { parseShorthand, type ShorthandInputs, type ShorthandOutputs } from './shorthand.js'

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Named, typed input and output fields plus instructions: the contract of one LM call.
 * Immutable; `withInstructions` and `prependOutput` return new signatures.
 */
export class Signature<I extends Record<string, unknown> = Record<string, unknown>, O extends Record<string, unknown> = Record<string, unknown>> {
  /** Input fields in declaration order. */
  readonly inputFields: readonly FieldInfo[]
  /** Output fields in declaration order. */
  readonly outputFields: readonly FieldInfo[]
  /** Task instructions (generated from the field names when none were given). */
  readonly instructions: string
  /** True when `instructions` were generated, not written by the user. */
  readonly defaultInstructions: boolean
  /** Phantom member carrying the value types; never set at runtime. */
  declare readonly __types?: { inputs: I; outputs: O }

  /** Prefer `signature(...)`; this validates names and fills in default instructions. */
  constructor(inputFields: readonly FieldInfo[], outputFields: readonly FieldInfo[], instructions?: string) {
    validateNames(inputFields, outputFields)
    this.inputFields = Object.freeze([...inputFields])
    this.outputFields = Object.freeze([...outputFields])
    this.defaultInstructions = instructions === undefined || instructions.trim() === ''
    this.instructions = this.defaultInstructions ? defaultInstructionsFor(inputFields, outputFields) : (instructions as string)
  }

  /** The `'a, b -> c'` form of this signature (used as a predictor's name when it has none). */
  get shorthand(): string {
    return `${this.inputFields.map((f) => f.name).join(', ')} -> ${this.outputFields.map((f) => f.name).join(', ')}`
  }

  /** A copy with other instructions. */
  withInstructions(instructions: string): Signature<I, O> {
    return new Signature<I, O>(this.inputFields, this.outputFields, instructions)
  }

  /** A copy with one more output field placed first (e.g. `reasoning` for chain of thought). */
  prependOutput<N extends string, F extends FieldInput>(name: N, spec: F): Signature<I, InferFields<{ [K in N]: F }> & O> {
    const info = toFieldInfo(name, spec)
    return new Signature(this.inputFields, [info, ...this.outputFields], this.defaultInstructions ? undefined : this.instructions)
  }
}

/** Any signature, whatever its field types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySignature = Signature<any, any>
/** Input value types of a signature. */
export type InferInputs<S> = S extends Signature<infer I, Record<string, unknown>> ? I : never
/** Output value types of a signature. */
export type InferOutputs<S> = S extends Signature<Record<string, unknown>, infer O> ? O : never
/** The typed outputs a predictor with signature `S` returns. */
export type Prediction<S> = InferOutputs<S>

/** Object form accepted by `signature(...)`. */
export interface SignatureSpec<I extends Record<string, FieldInput>, O extends Record<string, FieldInput>> {
  /** Task instructions; defaults to "Given the fields … produce the fields …". */
  instructions?: string
  /** Input fields by name, in order. */
  inputs: I
  /** Output fields by name, in order. */
  outputs: O
}

/**
 * Builds a signature from fields, or from the shorthand `'question, context -> answer'` (all strings).
 * @example signature({ inputs: { ticket: field(z.string(), "The customer's message") }, outputs: { queue: z.enum(['billing', 'technical']) } })
 */
export function signature<T extends string>(text: T, instructions?: string): Signature<ShorthandInputs<T>, ShorthandOutputs<T>>
export function signature<I extends Record<string, FieldInput>, O extends Record<string, FieldInput>>(
  spec: SignatureSpec<I, O>,
): Signature<InferInputFields<I>, InferFields<O>>
export function signature(spec: string | SignatureSpec<Record<string, FieldInput>, Record<string, FieldInput>>, instructions?: string): AnySignature {
  if (typeof spec === 'string') {
    let parsed: { inputs: string[]; outputs: string[] }
    try {
      parsed = parseShorthand(spec)
    } catch (error) {
      throw new SimbaError('SIMBA_CONFIG', (error as Error).message)
    }
    const mk = (name: string): FieldInfo => ({ name, schema: z.string(), description: undefined })
    return new Signature(parsed.inputs.map(mk), parsed.outputs.map(mk), instructions)
  }
  if (typeof spec !== 'object' || spec === null || typeof spec.inputs !== 'object' || typeof spec.outputs !== 'object') {
    throw new SimbaError('SIMBA_CONFIG', 'signature(...) needs { inputs: {...}, outputs: {...} } or a string like "question -> answer"')
  }
  const inputs = Object.entries(spec.inputs).map(([n, f]) => toFieldInfo(n, f))
  const outputs = Object.entries(spec.outputs).map(([n, f]) => toFieldInfo(n, f))
  return new Signature(inputs, outputs, spec.instructions)
}

function toFieldInfo(name: string, spec: FieldInput): FieldInfo {
  if (isFieldSpec(spec)) return { name, schema: (spec as FieldSpec).schema as z.ZodType, description: (spec as FieldSpec).description }
  if (spec instanceof z.ZodType) return { name, schema: spec, description: spec.description }
  throw new SimbaError('SIMBA_CONFIG', `signature field "${name}" must be a zod schema or field(schema, description), got ${typeof spec}`)
}

function validateNames(inputs: readonly FieldInfo[], outputs: readonly FieldInfo[]): void {
  const where = `signature "${[inputs, outputs].map((s) => s.map((f) => f.name).join(', ')).join(' -> ')}"`
  if (outputs.length === 0) throw new SimbaError('SIMBA_CONFIG', `${where} has no output fields; add at least one after "->"`)
  const seen = new Set<string>()
  for (const f of [...inputs, ...outputs]) {
    if (!NAME.test(f.name)) {
      throw new SimbaError('SIMBA_CONFIG', `${where}: field name "${f.name}" is not identifier-like (letters, digits, _; not starting with a digit)`)
    }
    if (seen.has(f.name)) {
      const both = inputs.some((x) => x.name === f.name) && outputs.some((x) => x.name === f.name)
      throw new SimbaError('SIMBA_CONFIG', `${where}: field "${f.name}" ${both ? 'is both an input and an output' : 'appears twice'}; rename one of them`)
    }
    seen.add(f.name)
  }
}

function defaultInstructionsFor(inputs: readonly FieldInfo[], outputs: readonly FieldInfo[]): string {
  const list = (fs: readonly FieldInfo[]): string => fs.map((f) => `\`${f.name}\``).join(', ')
  return inputs.length === 0
    ? `Produce the fields ${list(outputs)}.`
    : `Given the fields ${list(inputs)}, produce the fields ${list(outputs)}.`
}
