import type { RedactRule } from '../../recording/types.js'
import type { SimbaProvided } from '../shared.js'

/** Rebuilds the plugin's `fixtures.redact` rules from what crossed to the worker (source + flags). */
export function redactRulesOf(ctx: Pick<SimbaProvided, 'redact'>): RedactRule[] {
  return (ctx.redact ?? []).map((r) => ({ pattern: new RegExp(r.source, r.flags), replacement: r.replacement }))
}
