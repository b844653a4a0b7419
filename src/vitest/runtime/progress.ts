import type { SimbaEvent } from '../../optimizer/simba/types.js'

/** One concise progress line per interesting SIMBA event (undefined for the rest). */
export function progressLine(block: string, e: SimbaEvent): string | undefined {
  const p = `[simba] ${block}:`
  switch (e.type) {
    case 'start':
      return `${p} optimizing ${e.trainsetSize} cases, mini-batch ${e.bsize}; forecast ≈ ${Math.round(e.forecast.totalCalls)} LM calls before caching${e.forecast.cost !== undefined ? `, cost ≈ ${e.forecast.cost.toFixed(4)}` : ''}`
    case 'rollouts-done':
      return `${p} step ${e.step + 1} rollouts mean ${e.mean.toFixed(3)} (p10 ${e.p10.toFixed(2)}, p90 ${e.p90.toFixed(2)}${e.errors ? `, ${e.errors} errors` : ''})`
    case 'step-end': {
      const c = e.counts
      const rules = c.ruleFailures > 0 ? `, ${c.ruleFailures}/${c.ruleCalls} rule calls failed` : ''
      return (
        `${p} step ${e.step + 1} done: winner ${e.winner ? `#${e.winner.id} ${e.winner.score.toFixed(3)}` : 'none'}, best so far ${e.bestSoFar.toFixed(3)}, ` +
        `candidates ${c.built} built (${c.applied} applied, ${c.skipped} skipped, ${c.gated} gated), ${c.failed} failed${rules}, ${e.usage.calls} LM calls`
      )
    }
    case 'final': {
      const stopped = e.failure ? `; stopped early in step ${e.failure.step + 1}: ${e.failure.message}; keeping the best program so far` : ''
      return `${p} finished (${e.stoppedReason}): best ${e.score.toFixed(3)}, ${e.usage.calls} LM calls, ${e.usage.totalTokens} tokens${stopped}`
    }
    case 'warning':
      return `${p} warning ${e.code}: ${e.message}`
    default:
      return undefined
  }
}
