/**
 * Typed errors with stable codes. Every message starts with `[vitest-simba]` and says what to do.
 * Errors lose their class when they cross from a Vitest worker to the main process, so code that
 * reports them checks `code`, never `instanceof`.
 */

import { maskSecrets } from './internal/secrets/secrets.js'

/** Stable error codes; one per failure kind users can act on. */
export type SimbaErrorCode =
  | 'SIMBA_CONFIG'
  | 'SIMBA_ADAPTER_PARSE'
  | 'SIMBA_LM_HTTP'
  | 'SIMBA_LM_TIMEOUT'
  | 'SIMBA_LM_CONNECTION'
  | 'SIMBA_LM_TRUNCATED'
  | 'SIMBA_NO_LM'
  | 'SIMBA_STATE'
  | 'SIMBA_METRIC'
  | 'SIMBA_DATASET'
  | 'SIMBA_ALL_FAILED'
  | 'SIMBA_BUDGET'
  | 'SIMBA_FIXTURE_MISSING'
  | 'SIMBA_FIXTURE_CORRUPT'
  | 'SIMBA_SECRET'
  | 'SIMBA_SNAPSHOT_MISSING'
  | 'SIMBA_SNAPSHOT_CORRUPT'
  | 'SIMBA_SNAPSHOT_VERSION'
  | 'SIMBA_SNAPSHOT_MISMATCH'
  | 'SIMBA_SNAPSHOT_STALE'
  | 'SIMBA_FIXTURE_VERSION'
  | 'SIMBA_FIXTURE_INVALID'
  | 'SIMBA_CONFLICT'
  | 'SIMBA_WRITE'

/** Base class of every error this library throws on purpose. */
export class SimbaError extends Error {
  /** Stable machine-readable code. */
  readonly code: SimbaErrorCode

  constructor(code: SimbaErrorCode, message: string, options?: { cause?: unknown }) {
    // Messages often quote prompts, replies or case names: secrets in them are masked here, once for all.
    const masked = maskSecrets(message)
    super(masked.startsWith('[vitest-simba]') ? masked : `[vitest-simba] ${masked}`, options)
    this.name = new.target.name
    this.code = code
  }
}

/** True when `error` is a SimbaError, also after it crossed a worker boundary (checks `code`). */
export function isSimbaError(error: unknown, code?: SimbaErrorCode): error is SimbaError {
  if (typeof error !== 'object' || error === null) return false
  const c = (error as { code?: unknown }).code
  return typeof c === 'string' && c.startsWith('SIMBA_') && (code === undefined || c === code)
}

/** One problem found while parsing an LM reply (zod-issue shaped). */
export interface ParseIssue {
  /** Output field the issue is about (empty for whole-reply problems). */
  field: string
  /** What went wrong, in words. */
  message: string
}

/** An LM reply could not be parsed into the signature's output fields. */
export class AdapterParseError extends SimbaError {
  /** Dotted name of the predictor (or its signature text when unnamed). */
  readonly predictor: string
  /** First field that failed. */
  readonly field: string
  /** The raw LM text. */
  readonly raw: string
  /** Every issue found (parsing does not stop at the first). */
  readonly issues: ParseIssue[]
  /** Fields that did parse. */
  readonly parsed: Record<string, unknown>

  constructor(args: {
    predictor: string
    issues: ParseIssue[]
    raw: string
    parsed?: Record<string, unknown>
    adapter: string
  }) {
    const first = args.issues[0] ?? { field: '', message: 'unparseable reply' }
    const shown = args.raw.length > 600 ? `${args.raw.slice(0, 600)}… (${args.raw.length} chars)` : args.raw
    super(
      'SIMBA_ADAPTER_PARSE',
      `could not parse the LM reply for predictor "${args.predictor}" with the ${args.adapter} adapter: ` +
        args.issues.map((i) => (i.field ? `field "${i.field}": ${i.message}` : i.message)).join('; ') +
        `\n--- raw reply ---\n${shown}`,
    )
    this.predictor = args.predictor
    this.field = first.field
    this.raw = args.raw
    this.issues = args.issues
    this.parsed = args.parsed ?? {}
  }
}

/** The LM provider answered with an HTTP error, or could not be reached. */
export class LMError extends SimbaError {
  /** HTTP status, when there was a response. */
  readonly status: number | undefined
  /** Model the request was for. */
  readonly model: string
  /** True when the provider answered 2xx with a body that does not parse, an error object or no choices (retried like a 5xx). */
  readonly malformed: boolean

  constructor(
    code: 'SIMBA_LM_HTTP' | 'SIMBA_LM_TIMEOUT' | 'SIMBA_LM_CONNECTION' | 'SIMBA_LM_TRUNCATED',
    message: string,
    args: { status?: number; model: string; cause?: unknown; malformed?: boolean },
  ) {
    super(code, message, { cause: args.cause })
    this.status = args.status
    this.model = args.model
    this.malformed = args.malformed ?? false
  }

  /** Whether retrying the same request may succeed (429, 5xx, malformed 2xx bodies, timeouts, connection resets). */
  get isRetryable(): boolean {
    if (this.code === 'SIMBA_LM_TIMEOUT' || this.code === 'SIMBA_LM_CONNECTION' || this.malformed) return true
    return this.status === 429 || this.status === 408 || (this.status !== undefined && this.status >= 500)
  }
}
