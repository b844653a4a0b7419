import type { CandidateCounts, SimbaEvent } from '../../optimizer/simba/types.js'

/** One concise progress line per interesting SIMBA event (undefined for the rest). */
export function progressLine(block: string, e: SimbaEvent): string | undefined {
  const p = `[simba] ${block}:`
  switch (e.type) {
    case 'start':
      return `${p} optimizing ${e.trainsetSize} cases, mini-batch ${e.bsize}; forecast ≈ ${Math.round(e.forecast.totalCalls)} LM calls before caching${e.forecast.cost !== undefined ? `, cost ≈ ${e.forecast.cost.toFixed(4)}` : ''}`
    case 'rollouts-done':
      return `${p} step ${e.step + 1} rollouts mean ${e.mean.toFixed(3)} (p10 ${e.p10.toFixed(2)}, p90 ${e.p90.toFixed(2)}${e.errors ? `, ${e.errors} errors` : ''})`
    case 'step-end': {
      const winner = e.winner ? `#${e.winner.id} ${e.winner.score.toFixed(3)}` : 'none'
      const best = e.bestSoFar === null ? 'none' : e.bestSoFar.toFixed(3)
      return `${p} step ${e.step + 1} done: step winner ${winner}, best step winner so far ${best} (mini-batch means); ${candidateCounts(e.counts, e.wanted)}; ${e.usage.calls} LM calls so far`
    }
    case 'final': {
      const stopped = e.failure ? `; stopped early in step ${e.failure.step + 1}: ${e.failure.message}; keeping the best program so far` : ''
      const total = `over ${e.summary.steps} step${e.summary.steps === 1 ? '' : 's'}: ${candidateCounts(e.summary)}`
      return `${p} finished (${e.stoppedReason}): returned program ${e.score.toFixed(3)} (${e.finalists.length > 0 ? 'selection set' : 'mini-batch'}), ${e.usage.calls} LM calls in all, ${e.usage.totalTokens} tokens; candidates ${total}${stopped}`
    }
    case 'reflective-start': {
      const s = e.start
      const ruled = s.calls === 0 ? 'no rules written' : `rules from them (${s.calls} prompt-model call${s.calls === 1 ? '' : 's'})`
      const verdict = s.id !== undefined ? `kept as program #${s.id} (${s.score?.toFixed(3)})` : s.lost ? `not kept: ${s.lost} case${s.lost === 1 ? '' : 's'} it got right ${s.lost === 1 ? 'was' : 'were'} lost` : s.score !== undefined ? `not kept: ${s.score.toFixed(3)}, no gain` : s.failed === 0 ? 'nothing to learn from' : 'its replies changed nothing'
      return `${p} reflective start: ${s.failed} of ${s.examples.length} training cases wrong (mean ${s.sourceScore.toFixed(3)}); ${ruled}; ${verdict}; ${e.usage.calls} LM calls so far`
    }
    case 'warning':
      return `${p} warning ${e.code}: ${e.message}`
    default:
      return undefined
  }
}

/**
 * Candidate counts in words: built (of `wanted` per step, when given) from the buckets tried, and
 * what happened to each bucket; `applied + skipped + failed` is the number of buckets tried.
 * @example candidateCounts(counts, 7) // '0 of 7 candidates built from 32 buckets tried (0 applied, 32 skipped by the p10/p90 gate, 0 failed)'
 */
export function candidateCounts(c: CandidateCounts, wanted?: number): string {
  const tried = c.applied - c.merged + c.skipped + c.failed
  const other = c.skipped - c.gated
  const skipped =
    c.skipped === 0 ? '0 skipped'
    : other === 0 ? `${c.skipped} skipped by the p10/p90 gate`
    : c.gated === 0 ? `${c.skipped} skipped (advice changed nothing)`
    : `${c.skipped} skipped (${c.gated} by the p10/p90 gate, ${other} advice changed nothing)`
  const rules = c.ruleFailures > 0 ? `; ${c.ruleFailures} of ${c.ruleCalls} rule calls failed` : ''
  const merged = c.merged > 0 ? `, plus ${c.merged} merged candidate${c.merged === 1 ? '' : 's'}` : ''
  const built = `${c.built - c.merged}${wanted === undefined ? '' : ` of ${wanted}`} candidates built`
  return `${built} from ${tried} bucket${tried === 1 ? '' : 's'} tried (${c.applied - c.merged} applied, ${skipped}, ${c.failed} failed${rules})${merged}`
}

/** `12s`, `3m05s`, `1h02m`: a short, human duration. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}

/** Where and how {@link createProgress} writes. */
export interface ProgressOptions {
  /** SIMBA's step budget (`maxSteps`), when known: enables `step k/N` and the ETA. */
  maxSteps?: number
  /** True when the output is a terminal: one status line redrawn in place; else plain lines. */
  tty: boolean
  /** Writes raw text (e.g. to the terminal, outside Vitest's per-test console framing). */
  write: (text: string) => void
  /** Clock in ms (tests pass a fake one). */
  now?: () => number
}

/**
 * A SIMBA `onProgress` handler for one block: step k/N, elapsed time, ETA and LM calls so far.
 * In a terminal it keeps one status line redrawn in place (`\r`), with the start, warnings and the
 * final result as lines of their own; otherwise it writes the plain {@link progressLine} lines,
 * with elapsed time and ETA added to each finished step.
 * @example const onProgress = createProgress('routes tickets', { maxSteps: 8, tty: process.stdout.isTTY, write: (t) => process.stdout.write(t) })
 */
export function createProgress(block: string, options: ProgressOptions): (e: SimbaEvent) => void {
  const now = options.now ?? Date.now
  const n = options.maxSteps
  let start: number | undefined
  let step = 0
  let done = 0
  let calls = 0
  let status = ''
  const clear = (): void => {
    if (status !== '') options.write('\r\u001b[2K')
  }
  const timing = (): string => {
    const elapsed = start === undefined ? 0 : now() - start
    const eta = n !== undefined && done > 0 ? ` · ETA ${formatDuration((elapsed / done) * Math.max(0, n - done))}` : ''
    return `elapsed ${formatDuration(elapsed)}${eta}`
  }
  const draw = (): void => {
    clear()
    status = `[simba] ${block}: step ${step}${n !== undefined ? `/${n}` : ''} · ${timing()} · ${calls} LM calls`
    options.write(status)
  }
  const line = (text: string): void => {
    clear()
    options.write(`${text}\n`)
    if (status !== '' && options.tty) options.write(status)
  }
  return (e) => {
    if (e.type === 'start') start = now()
    if (e.type === 'step-start') step = e.step + 1
    if (e.type === 'step-end') {
      done = e.step + 1
      calls = e.usage.calls
    }
    if (e.type === 'final') calls = e.usage.calls
    const plain = progressLine(block, e)
    if (!options.tty) {
      if (plain) options.write(`${e.type === 'step-end' ? `${plain} (${timing()})` : plain}\n`)
      return
    }
    if (e.type === 'start' || e.type === 'warning') {
      if (plain) line(plain)
      return
    }
    if (e.type === 'final') {
      clear()
      status = ''
      if (plain) options.write(`${plain} (${timing()})\n`)
      return
    }
    if (e.type === 'step-start' || e.type === 'rollouts-done' || e.type === 'step-end') draw()
  }
}
