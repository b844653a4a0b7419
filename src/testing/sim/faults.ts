import { unit } from './seed.js'

/** Kinds of failure the simulator can inject. */
export type FaultKind = '429' | '500' | 'hang' | 'malformed-json' | 'truncated-sse' | 'garbage'

/** What a fault predicate sees of a request. */
export interface FaultRequestInfo {
  /** Parsed request body. */
  body: Record<string, unknown>
  /** Rollout key ('' when none). */
  rollout: string
  /** Classification of the request. */
  kind: string
  /** True for `stream: true` requests. */
  stream: boolean
}

/** One fault rule. Without `times` or `rate` it hits every matching request. */
export interface FaultRule {
  /** What goes wrong. */
  kind: FaultKind
  /** Only requests for which this returns true are candidates. */
  match?: (req: FaultRequestInfo) => boolean
  /** Hit only the first N matching requests (arrival order), then never again. */
  times?: number
  /** Hit this fraction of matching requests, decided by a hash of (seed, body, rollout, attempt #). */
  rate?: number
  /** Seed of the `rate` hash. */
  seed?: number | string
  /** 429: value of Retry-After in milliseconds (sent as `retry-after-ms` and rounded-up `retry-after`). Default 1000. */
  retryAfterMs?: number
  /** hang: answer normally after this many ms; omitted = never answer (until the client gives up or close()). */
  hangMs?: number
  /** truncated-sse: end without `[DONE]` after some chunks (`no-done`, default) or cut a chunk in half (`mid-chunk`). */
  truncate?: 'no-done' | 'mid-chunk'
}

/** A list of fault rules (the first that hits wins), or a single rule. */
export type FaultPlan = FaultRule | readonly FaultRule[]

/**
 * Decides per request which fault (if any) applies. `times` counts matching arrivals; `rate` hashes
 * the request with the number of times the same request (body + rollout) was seen, so a retry of a
 * failed request gets a fresh, still deterministic, draw.
 */
export function createFaultInjector(plan: FaultPlan | undefined): (req: FaultRequestInfo, requestKey: string) => FaultRule | undefined {
  const rules: readonly FaultRule[] = plan === undefined ? [] : Array.isArray(plan) ? plan : [plan as FaultRule]
  const hits = rules.map(() => 0)
  const seen = new Map<string, number>()
  return (req, requestKey) => {
    const attempt = seen.get(requestKey) ?? 0
    seen.set(requestKey, attempt + 1)
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as FaultRule
      if (rule.match && !rule.match(req)) continue
      if (rule.times !== undefined) {
        if ((hits[i] as number) >= rule.times) continue
        hits[i] = (hits[i] as number) + 1
        return rule
      }
      if (rule.rate !== undefined) {
        if (unit(String(rule.seed ?? 0), i, requestKey, attempt) < rule.rate) return rule
        continue
      }
      return rule
    }
    return undefined
  }
}
