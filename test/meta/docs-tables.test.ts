/**
 * The docs' numeric tables are generated from bench/results (`npm run docs:tables`): the committed
 * docs match the committed results, a region is rewritten in place and nothing else is touched,
 * `--check` reports a stale doc without writing, and optional results (peers, misleadable worlds)
 * render when present and say "not measured" when absent.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadResults, REGIONS, rewrite, run, type Results } from '../../bench/docs-tables.mjs'

const world = (name: string, extra: Record<string, unknown> = {}) => ({
  name, floor: 0.5, ceiling: 1, ...extra,
  rows: [
    { optimizer: 'unoptimized', shape: 'predict', seeds: [0.5, 0.5], mean: 0.5, sd: 0, calls: 0 },
    { optimizer: 'simba-improved', shape: 'predict', seeds: [1, 0.9], mean: 0.95, sd: 0.05, calls: 1234, stopped: ['completed@8', 'plateau@6'] },
  ],
})

describe('docs tables', () => {
  it('the committed docs hold the tables the committed results give', () => {
    expect(run({ check: true }).map((s) => `${s.file}\n${s.diff}`)).toEqual([])
  })

  it('rewrites only the marked regions; an unknown or unclosed region is an error naming the file', () => {
    const results: Results = { quality: { worlds: [world('tickets')] } }
    const text = 'intro 0.68x\n<!-- generated:plateau -->\nold table\n<!-- /generated -->\noutro\n'
    const out = rewrite(text, results, 'doc.md')
    expect(out).toBe('intro 0.68x\n<!-- generated:plateau -->\n| world | shape | seeds stopped by `patience` (step) | of 5 |\n|---|---|---|---|\n| tickets | Predict | seed 1 (6) | 1 |\n<!-- /generated -->\noutro\n')
    expect(rewrite(out, results)).toBe(out)
    expect(() => rewrite('<!-- generated:nope -->\n<!-- /generated -->', results, 'doc.md')).toThrow(/doc\.md: unknown generated region "nope"/)
    expect(() => rewrite('<!-- generated:quality -->\nx', results, 'doc.md')).toThrow(/doc\.md: region "quality" has no closing/)
  })

  it('check mode reports a stale doc with a line diff and writes nothing', () => {
    const root = mkdtempSync(join(tmpdir(), 'docs-tables-'))
    try {
      mkdirSync(join(root, 'docs'))
      const stale = '# B\n<!-- generated:quality-summary -->\n| stale |\n<!-- /generated -->\n'
      writeFileSync(join(root, 'docs', 'benchmarks.md'), stale)
      const results: Results = { quality: { worlds: [world('tickets')] } }
      const [found] = run({ check: true, root, results })
      expect(found?.file).toBe('docs/benchmarks.md')
      expect(found?.diff).toContain('3: - | stale |')
      expect(readFileSync(join(root, 'docs', 'benchmarks.md'), 'utf8')).toBe(stale)
      run({ root, results })
      expect(run({ check: true, root, results })).toEqual([])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('peers and misleadable worlds: "not measured" when absent, a table per world when present', () => {
    const none: Results = { quality: { worlds: [world('tickets')] } }
    expect(REGIONS['peers']!(none)).toMatch(/peers not measured/)
    expect(REGIONS['misleadable']!(none)).toMatch(/No misleadable world/)
    const peers = { worlds: [{ name: 'tickets', floor: 0.5, ceiling: 1, rows: [{ optimizer: 'gepa', seeds: [0.75, 0.85], mean: 0.8, calls: 2000 }], curve: [{ calls: 500, mean: 0.6 }, { calls: 2000, mean: 0.8 }] }] }
    const shown = REGIONS['peers']!({ ...none, peers })
    expect(shown).toContain('**tickets** (floor 0.500 → ceiling 1.000)')
    expect(shown).toContain('| gepa | 0.750, 0.850 | 0.800 | 60% | 2,000 |')
    expect(shown).toContain('500 → 0.600, 2,000 → 0.800')
    const withTrap: Results = { quality: { worlds: [world('tickets'), world('trap', { misleadable: true })] } }
    expect(REGIONS['misleadable']!(withTrap)).toContain('| trap (misleadable) | Predict | 0.500 |')
    expect(REGIONS['misleadable']!(withTrap)).not.toContain('| tickets |')
    expect(REGIONS['quality-summary']!(withTrap)).toContain('| trap (misleadable) |')
    // The committed results load whether or not peers.json exists.
    expect(loadResults().latest).toBeDefined()
  })
})
