/**
 * Per-case traces in the report: every LM call (messages, completion, parsed outputs or parse
 * error, tokens, replayed or live) and every tool call of the case, converted from the calls the
 * evaluation collected, with long strings cut and secrets masked; and the size limit that leaves
 * out the traces of passing cases in large blocks.
 */
import type { CallRecord } from '../core/trace/calls.js'
import { canonicalJson } from '../internal/json/canonical.js'
import { maskSecrets } from '../internal/secrets/secrets.js'
import type { BlockReport, ReportCall, ReportCase, ReportCaseStatus } from './types.js'

/** Longest text of one trace field (a message, a completion, a result) kept in the report. */
export const MAX_TRACE_TEXT = 20_000

/** Trace limits of a block; above either one, only the cases that need attention keep their traces. */
export const TRACE_LIMITS = {
  /** Most cases of a block whose traces are all kept. */
  maxCases: 200,
  /** Most bytes (JSON) of a block's traces kept in full. */
  maxBytes: 2_000_000,
} as const

/** Statuses whose traces are always kept, whatever the block's size. */
export const ALWAYS_TRACED: readonly ReportCaseStatus[] = ['regressed', 'failing', 'known-failing', 'error', 'flaky']

/** Environment variable that keeps every case's trace whatever the limits (`SIMBA_REPORT_TRACES=all`). */
export const TRACES_ENV = 'SIMBA_REPORT_TRACES'

const clip = (text: string): string => {
  const masked = maskSecrets(text)
  return masked.length > MAX_TRACE_TEXT ? `${masked.slice(0, MAX_TRACE_TEXT)}… [${masked.length - MAX_TRACE_TEXT} more characters]` : masked
}

const json = (value: unknown): string => {
  try {
    return canonicalJson(value ?? null)
  } catch {
    return String(value)
  }
}

/** The report form of a case's collected calls: strings cut at {@link MAX_TRACE_TEXT}, secrets masked. */
export function reportCallsOf(calls: readonly CallRecord[]): ReportCall[] {
  return calls.map((c): ReportCall => {
    if (c.kind === 'tool') {
      const out: ReportCall = { kind: 'tool', tool: clip(c.tool), args: clip(json(c.args)), origin: c.origin }
      if (c.result !== undefined) out.result = clip(c.result)
      if (c.error !== undefined) out.error = clip(c.error)
      return out
    }
    const out: ReportCall = {
      kind: 'lm',
      predictor: clip(c.predictor),
      model: clip(c.model),
      adapter: c.adapter,
      messages: c.messages.map((m) => ({ role: m.role, content: clip(m.content) })),
      origin: c.origin ?? 'failed',
    }
    if (c.completion !== undefined) out.completion = clip(c.completion)
    if (c.outputs !== undefined) out.outputs = clip(json(c.outputs))
    if (c.parseError !== undefined) out.parseError = clip(c.parseError)
    if (c.error !== undefined) out.error = clip(c.error)
    if (c.usage) out.tokens = { prompt: c.usage.promptTokens, completion: c.usage.completionTokens, total: c.usage.totalTokens }
    return out
  })
}

/**
 * The block with its traces within the limits: when it has more than `maxCases` cases or its traces
 * take more than `maxBytes`, only cases with an {@link ALWAYS_TRACED} status keep theirs (unless
 * `keepAll`). Records in `traces` how many were kept and why the others were left out.
 */
export function limitTraces(block: BlockReport, options: { maxCases?: number; maxBytes?: number; keepAll?: boolean } = {}): BlockReport {
  const traced = block.cases.filter((c) => c.calls !== undefined)
  if (traced.length === 0) return block
  const maxCases = options.maxCases ?? TRACE_LIMITS.maxCases
  const maxBytes = options.maxBytes ?? TRACE_LIMITS.maxBytes
  let bytes = 0
  for (const c of traced) bytes += Buffer.byteLength(JSON.stringify(c.calls))
  const over = block.cases.length > maxCases ? `the block has ${block.cases.length} cases (more than ${maxCases})` : bytes > maxBytes ? `its traces take ${bytes} bytes (more than ${maxBytes})` : undefined
  if (over === undefined || options.keepAll === true) return { ...block, traces: { kept: traced.length, leftOut: 0 } }
  let leftOut = 0
  const cases = block.cases.map((c): ReportCase => {
    if (c.calls === undefined || ALWAYS_TRACED.includes(c.status)) return c
    leftOut++
    const { calls: _dropped, ...rest } = c
    return rest
  })
  return { ...block, cases, traces: { kept: traced.length - leftOut, leftOut, reason: over } }
}

/** How to get the traces that were left out (said in the page and by `inspect`). */
export const TRACES_HOW = `run the test file again with ${TRACES_ENV}=all and --report, e.g. ${TRACES_ENV}=all npx vitest-simba run --report <test file>`
