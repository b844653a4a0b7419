import { describe, expect, it } from 'vitest'
import { parseBinArgs } from '../../src/vitest/node/args.js'
import { parsePluginOptions } from '../../src/vitest/node/options.js'
import { buildProvided } from '../../src/vitest/node/provided.js'
import { formatScoreTable } from '../../src/vitest/node/table.js'
import { trialGateMessage } from '../../src/vitest/runtime/compare.js'
import type { SimbaBlockMeta } from '../../src/vitest/shared.js'

const meta = (block: string, trials?: SimbaBlockMeta['trials']): SimbaBlockMeta => ({
  kind: 'block', block, file: 'a.test.ts', split: 'trainset', cases: 4, mean: 0.75, baseline: 0.8, regressed: [], improved: [],
  calls: { total: 4, live: 0, replayed: 4 }, tokens: 0, cost: 0, optimized: false, snapshot: 'skipped', ...(trials ? { trials } : {}),
})

describe('trials in the plugin, the bin and the table', () => {
  it('the table shows mean ± half-width and a flaky column only when a block ran trials', () => {
    const plain = formatScoreTable([meta('a')])
    expect(plain).not.toContain('flaky')
    const text = formatScoreTable([meta('a'), meta('b', { k: 5, half: 0.0625, flaky: 2, p: 0.4 })])
    expect(text).toMatch(/\bflaky\b/)
    expect(text).toMatch(/^b\s+trainset\s+4\s+0\.750 ± 0\.063\s+0\.800\s+-0\.050\s+-\s+-\s+2\s+0\/4/m)
    expect(text).toMatch(/^a\s+trainset\s+4\s+0\.750\s+0\.800\s+-0\.050\s+-\s+-\s+-\s+0\/4/m)
  })

  it('--trials k (or =k) is the bin\'s own flag; a bad value is an error naming it', () => {
    expect(parseBinArgs(['run', '--trials', '5', 'a.test.ts'])).toEqual({ kind: 'run', optimize: false, ci: false, rest: ['run', 'a.test.ts'], trials: 5 })
    expect(parseBinArgs(['--trials=3'])).toMatchObject({ kind: 'run', rest: [], trials: 3 })
    const bad = parseBinArgs(['--trials', 'x'])
    expect(bad.kind).toBe('error')
    expect(bad.kind === 'error' && bad.message).toContain('--trials')
  })

  it('plugin `trials` and SIMBA_TRIALS reach the workers; the default provides neither', () => {
    const base = { root: '/r', viteMode: 'test', updateSnapshot: 'new', filtered: false, testNamePattern: undefined } as const
    const none = buildProvided({ ...base, options: parsePluginOptions({}), env: {} } as never)
    expect('trials' in none || 'trialsOverride' in none).toBe(false)
    const set = buildProvided({ ...base, options: parsePluginOptions({ trials: 5 }), env: { SIMBA_TRIALS: '3' } } as never)
    expect(set).toMatchObject({ trials: 5, trialsOverride: 3 })
    expect(() => parsePluginOptions({ trials: 0 })).toThrow(/trials/)
  })

  it('a significant mean drop names the cases that dropped most, even when none regressed alone', () => {
    const msg = trialGateMessage({
      block: 'b', split: 'trainset', mean: 0.7, half: 0.05, threshold: undefined, baseline: 0.8, tolerance: 0,
      verdict: { regressed: true, drop: 0.1, p: 0.001 }, regressed: [],
      cases: [{ name: 'x', score: 0.2, baseline: 0.8 }, { name: 'y', score: 0.8, baseline: 0.8 }, { name: 'z', score: 0.6, baseline: 0.8 }],
    })
    expect(msg).toBe(
      '[vitest-simba] block "b": mean 0.700 ± 0.050 on trainset dropped below the baseline 0.800 by 0.100, more than the tolerance 0 and more than sampling noise explains (permutation test p = 0.0010 < 0.025). Cases that dropped most: "x" 0.800 → 0.200, "z" 0.800 → 0.600',
    )
    expect(trialGateMessage({ block: 'b', split: 'trainset', mean: 0.7, half: 0.05, threshold: undefined, baseline: 0.8, tolerance: 0, verdict: { regressed: false, drop: 0.1, p: 0.2 }, regressed: [] })).toBeUndefined()
  })
})
