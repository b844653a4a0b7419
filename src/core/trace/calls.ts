/**
 * The LM and tool calls of one program run, in the order they started (so concurrent calls that
 * finish in any order are listed the same way every run). Collected only when asked for
 * (`runWithTrace(fn, { calls: true })`); the report shows them per case.
 */
import type { ChatMessage, TokenUsage } from '../lm/types.js'

/** Where an answer came from: a live request, a recorded fixture, or this run's in-memory cache. */
export type CallOrigin = 'live' | 'replayed' | 'cached'

/** One LM call of a predictor. */
export interface LMCallRecord {
  /** Discriminant. */
  kind: 'lm'
  /** Dotted name of the predictor that made the call (else its display name). */
  predictor: string
  /** Model of the LM that was asked. */
  model: string
  /** Adapter that formatted the request (`chat`, or `json` for the fallback after an unreadable chat reply). */
  adapter: string
  /** The messages sent (system, demos as user/assistant turns, then the real inputs). */
  messages: ChatMessage[]
  /** The raw completion text (absent when the call failed). */
  completion?: string
  /** The parsed outputs (absent when parsing failed or the call failed). */
  outputs?: Record<string, unknown>
  /** Why the completion could not be parsed. */
  parseError?: string
  /** Why the call itself failed (no completion). */
  error?: string
  /** Token counts the provider reported. */
  usage?: TokenUsage
  /** Where the answer came from (absent when the call failed). */
  origin?: CallOrigin
}

/** One tool call of an agent. */
export interface ToolCallRecord {
  /** Discriminant. */
  kind: 'tool'
  /** Tool name as the agent asked for it. */
  tool: string
  /** Arguments as the agent sent them. */
  args: unknown
  /** The observation the agent got from a successful call. */
  result?: string
  /** The error the agent observed (invalid arguments, unknown tool, the tool threw), or that failed the run. */
  error?: string
  /** `live` (ran now), `replayed` (from a fixture) or `not-run` (refused before running: bad arguments, unknown tool). */
  origin: 'live' | 'replayed' | 'not-run'
}

/** One recorded call. */
export type CallRecord = LMCallRecord | ToolCallRecord
