import type { z } from 'zod'
import type * as core from 'zod/v4/core'

/** A signature field given with an explicit description: `field(z.string(), 'The question')`. */
export interface FieldSpec<T extends core.$ZodType = core.$ZodType> {
  /** Zod schema that validates (and types) the field value. */
  readonly schema: T
  /** Text shown to the LM next to the field name. */
  readonly description: string | undefined
  /** Brand telling a FieldSpec apart from a bare zod schema. */
  readonly kind: 'simba-field'
}

/**
 * What a signature accepts per field: a `field(...)` or a bare zod schema (its `.description` is
 * used). Typed against zod's core types (`zod/v4/core`), so schemas of any zod 4 release compile.
 */
export type FieldInput = FieldSpec | core.$ZodType

/** One resolved field of a signature, in declaration order. */
export interface FieldInfo {
  /** Field name (identifier-like). */
  readonly name: string
  /** Zod schema of the value. */
  readonly schema: z.ZodType
  /** Description shown to the LM, or undefined when none was given. */
  readonly description: string | undefined
}

/**
 * Declares a field with a zod schema and an optional description.
 * @example field(z.enum(['billing', 'technical']), 'Queue that handles the ticket')
 */
export function field<T extends core.$ZodType>(schema: T, description?: string): FieldSpec<T> {
  return { schema, description: description ?? (schema as unknown as { description?: string }).description, kind: 'simba-field' }
}

/** True when `value` was made by `field(...)`. */
export function isFieldSpec(value: unknown): value is FieldSpec {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'simba-field'
}

/** The zod schema inside a field input. */
export type SchemaOf<F> = F extends FieldSpec<infer T> ? T : F extends core.$ZodType ? F : never

/** Flattens an intersection of object types into one object type (for readable hovers and errors). */
type Simplify<T> = { [K in keyof T]: T[K] } & {}

/** Keys of `R` whose parsed value may be undefined (`.optional()` schemas). */
type OptionalOutputKeys<R> = { [K in keyof R]: undefined extends core.output<SchemaOf<R[K]>> ? K : never }[keyof R]
/** Keys of `R` that may be left out when calling (`.optional()` and `.default(...)` schemas). */
type OptionalInputKeys<R> = { [K in keyof R]: undefined extends core.input<SchemaOf<R[K]>> ? K : never }[keyof R]

/** Value types of a record of output fields; optional fields are optional keys. */
export type InferFields<R extends Record<string, FieldInput>> = Simplify<
  { [K in Exclude<keyof R, OptionalOutputKeys<R>>]: core.output<SchemaOf<R[K]>> } & { [K in OptionalOutputKeys<R>]?: core.output<SchemaOf<R[K]>> }
>

/** Value types of a record of input fields; optional and defaulted fields are optional keys. */
export type InferInputFields<R extends Record<string, FieldInput>> = Simplify<
  { [K in Exclude<keyof R, OptionalInputKeys<R>>]: core.output<SchemaOf<R[K]>> } & { [K in OptionalInputKeys<R>]?: core.output<SchemaOf<R[K]>> }
>
