import type { ParseIssue } from '../../errors.js'
import type { LMRequest } from '../lm/types.js'
import type { AnySignature } from '../signature/signature.js'

/** Input and output field values of one predictor call, used as a few-shot example. */
export type Demo = Record<string, unknown>

/** Everything an adapter needs to build the messages of one call. */
export interface FormatArgs {
  /** Fields and their schemas. */
  signature: AnySignature
  /** The predictor's current instructions (may differ from the signature's). */
  instructions: string
  /** Few-shot examples, rendered as prior turns. */
  demos: readonly Demo[]
  /** The real inputs. */
  inputs: Record<string, unknown>
}

/** Result of `safeParse`: the outputs, or every issue found. */
export type SafeParseResult =
  | { ok: true; outputs: Record<string, unknown> }
  | { ok: false; issues: ParseIssue[]; parsed: Record<string, unknown> }

/** Turns a call into chat messages and the LM's reply back into typed outputs. */
export interface Adapter {
  /** Short name used in errors (`chat`, `json`). */
  readonly name: string
  /** Builds the request for one call. */
  format(args: FormatArgs): LMRequest
  /** Parses a reply; throws `AdapterParseError` (listing every issue) when it does not fit. */
  parse(signature: AnySignature, text: string, predictorName: string): Record<string, unknown>
  /** Parses a reply without throwing. */
  safeParse(signature: AnySignature, text: string): SafeParseResult
}
