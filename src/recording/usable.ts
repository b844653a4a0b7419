import { eventData } from './sse.js'

/**
 * Why a 2xx reply is not a usable answer: `invalid` (an error object, or a completion without
 * choices: retried like a 5xx, never recorded) or `truncated` (cut off by the token limit: passed
 * on to the caller as it came, never recorded).
 */
export interface Unusable {
  /** `invalid` or `truncated`. */
  kind: 'invalid' | 'truncated'
  /** What is wrong, in words (for messages). */
  reason: string
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** True for a request path (relative to the LM host, query allowed) of the chat or legacy completions API. */
export function isCompletionPath(path: string): boolean {
  return /(^|\/)(chat\/)?completions\/?$/.test(path.split('?')[0] ?? '')
}

/** The message of an error object, shortened, or its JSON. */
function describeError(error: unknown): string {
  const message = isObject(error) && typeof error['message'] === 'string' ? error['message'] : JSON.stringify(error)
  return message.length > 120 ? `${message.slice(0, 120)}…` : message
}

/** Why one JSON answer (a whole body or one stream event) is truncated or an error, if it is. */
function unusableObject(value: unknown): Unusable | undefined {
  if (!isObject(value)) return undefined
  if (value['error'] !== undefined && value['error'] !== null) return { kind: 'invalid', reason: `it carries an error object (${describeError(value['error'])})` }
  if (value['type'] === 'error' || value['type'] === 'response.failed') return { kind: 'invalid', reason: `it carries an error event (${describeError(value)})` }
  const choices = value['choices']
  if (Array.isArray(choices) && choices.some((c) => isObject(c) && c['finish_reason'] === 'length')) {
    return { kind: 'truncated', reason: 'the answer was cut off by the token limit (finish_reason "length")' }
  }
  // The Responses API: the response itself, or the `response` of a `response.incomplete` event.
  const response = value['type'] === 'response.incomplete' && isObject(value['response']) ? value['response'] : value
  const details = response['incomplete_details']
  if (response['status'] === 'incomplete' && isObject(details) && details['reason'] === 'max_output_tokens') {
    return { kind: 'truncated', reason: 'the answer was cut off by the token limit (incomplete: max_output_tokens)' }
  }
  return undefined
}

/**
 * Why a 2xx JSON body is not a usable answer to a request for `path`: an error object in it, a
 * chat/legacy completion with no choices (`{}` included), or output cut off by the token limit.
 */
export function unusableBody(path: string, body: unknown): Unusable | undefined {
  const found = unusableObject(body)
  if (found) return found
  if (isCompletionPath(path)) {
    const choices = isObject(body) ? body['choices'] : undefined
    if (!Array.isArray(choices) || choices.length === 0) return { kind: 'invalid', reason: 'the completion has no choices' }
  }
  return undefined
}

/** Why a complete event stream is not a usable answer: an error event, or output cut off by the token limit. */
export function unusableStream(events: readonly string[]): Unusable | undefined {
  let truncated: Unusable | undefined
  for (const event of events) {
    const data = eventData(event)
    if (data === undefined || data.trim() === '[DONE]') continue
    let value: unknown
    try {
      value = JSON.parse(data)
    } catch {
      continue // reported by invalidStreamReason
    }
    const found = unusableObject(value)
    if (found?.kind === 'invalid') return found
    truncated ??= found
  }
  return truncated
}
