/** Fixed `created` timestamp of every simulated response (determinism: never the clock). */
export const CREATED = 1_700_000_000

/** Token estimate used for usage: about one token per 4 characters. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

/** Usage block in OpenAI's shape. */
export interface Usage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

/** Usage of a reply, estimated from prompt and completion text lengths. */
export function usageOf(promptChars: number, completion: string): Usage {
  const prompt = Math.ceil(promptChars / 4)
  const completionTokens = estimateTokens(completion)
  return { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens }
}

/** A non-streaming `chat.completion` object. */
export function completionBody(id: string, model: string, content: string, usage: Usage): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion',
    created: CREATED,
    model,
    system_fingerprint: 'vitest-simba-sim',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage,
  }
}

/** The SSE `data:` payloads of a streamed reply, in order (without the final `[DONE]`). */
export function streamChunks(id: string, model: string, content: string, usage: Usage | undefined, pieceSize = 24): Array<Record<string, unknown>> {
  const base = { id, object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'vitest-simba-sim' }
  const extra = usage ? { usage: null } : {}
  const chunks: Array<Record<string, unknown>> = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], ...extra },
  ]
  for (let i = 0; i < content.length; i += pieceSize) {
    chunks.push({ ...base, choices: [{ index: 0, delta: { content: content.slice(i, i + pieceSize) }, logprobs: null, finish_reason: null }], ...extra })
  }
  chunks.push({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], ...extra })
  if (usage) chunks.push({ ...base, choices: [], usage })
  return chunks
}

/** An OpenAI-style error body. */
export function errorBody(message: string, type: string, code: string | null): Record<string, unknown> {
  return { error: { message, type, param: null, code } }
}

/** Content of a `garbage` fault: prose with no field markers and no JSON. */
export const GARBAGE_TEXT = 'Sure! I thought about this for a while and I think it depends on a lot of things, honestly.'
