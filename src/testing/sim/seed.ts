import { sha256 } from '../../internal/hash/sha256.js'

/** Deterministic uniform number in [0, 1) from any parts (sha256 of their joined text). */
export function unit(...parts: ReadonlyArray<string | number>): number {
  const hex = sha256(parts.join('\u241f')).slice(0, 13)
  return parseInt(hex, 16) / 2 ** 52
}

/** Deterministic pick of one element of a non-empty list. */
export function pick<T>(items: readonly T[], ...parts: ReadonlyArray<string | number>): T {
  return items[Math.min(items.length - 1, Math.floor(unit(...parts) * items.length))] as T
}

/** Per-request sampling context: everything an answer may depend on besides the prompt. */
export interface SampleContext {
  /** Sampling temperature of the request (OpenAI's default 1 when absent). */
  temperature: number
  /** Rollout key: the `x-simba-rollout-id` header, else the body's `seed`, else ''. */
  rollout: string
  /** Global salt (the simulator's `defaultSeed`). */
  salt: string
}

/** Part of a seed that varies across rollouts only at temperature >= 0.5. */
export function variation(ctx: SampleContext): string {
  return ctx.temperature >= 0.5 ? `r:${ctx.rollout}:t${ctx.temperature}` : 'fixed'
}
