import { describe, expect, it } from 'vitest'
import { loadWorld } from '../../src/testing/world/load.js'
import { governingRule } from '../../src/testing/world/oracle.js'

const files = ['examples/worlds/support-tickets.json', 'examples/worlds/expense-categories.json', 'examples/worlds/news-desk.json', 'examples/worlds/insurance-claims.json']

describe.each(files)('world data %s', (file) => {
  const world = loadWorld(file)
  const cases = [...world.train, ...world.test]

  it('labels every rule-governed case with its rule label (data agrees with the rules)', () => {
    const wrong = cases.filter((c) => {
      const rule = governingRule(world, Object.fromEntries(world.inputs.map((k) => [k, c[k]])))
      return rule !== undefined && rule.label !== c[world.output]
    })
    expect(wrong).toEqual([])
  })

  it('has mostly rule-governed cases, every rule used in train and test, and no duplicates', () => {
    const gov = (split: typeof cases) => split.map((c) => governingRule(world, c)?.id)
    const trainIds = gov(world.train)
    const testIds = gov(world.test)
    const share = [...trainIds, ...testIds].filter(Boolean).length / cases.length
    expect(share).toBeGreaterThan(0.75)
    expect(share).toBeLessThan(0.95)
    for (const r of world.rules) {
      expect(trainIds).toContain(r.id)
      expect(testIds).toContain(r.id)
    }
    const keys = cases.map((c) => world.inputs.map((k) => c[k]).join('|'))
    expect(new Set(keys).size).toBe(keys.length)
  })
})

it('support-tickets is large enough (>= 60 train, >= 30 test); expense-categories (>= 30, >= 15)', () => {
  const s = loadWorld(files[0] as string)
  const e = loadWorld(files[1] as string)
  expect(s.train.length).toBeGreaterThanOrEqual(60)
  expect(s.test.length).toBeGreaterThanOrEqual(30)
  expect(e.train.length).toBeGreaterThanOrEqual(30)
  expect(e.test.length).toBeGreaterThanOrEqual(15)
})

describe.each(files.slice(2))('bundled world %s (learning knobs)', (file) => {
  const world = loadWorld(file)

  it('is large enough (>= 60 train, >= 30 test), has 2+ inputs, and every keyword of every rule governs some case', () => {
    expect(world.train.length).toBeGreaterThanOrEqual(60)
    expect(world.test.length).toBeGreaterThanOrEqual(30)
    expect(world.inputs.length).toBeGreaterThanOrEqual(2)
    for (const r of world.rules) {
      expect(r.keywords.length).toBeGreaterThanOrEqual(3)
      for (const k of r.keywords) {
        const hits = world.train.filter((c) => world.inputs.some((f) => String(c[f]).toLowerCase().includes(k.toLowerCase())))
        expect(hits.length, `${r.id}: "${k}" in train`).toBeGreaterThan(0)
      }
    }
  })
})

it('the new worlds use different knobs: one learns demos per keyword, one has a token budget', () => {
  expect(loadWorld('examples/worlds/news-desk.json').learning).toEqual({ demo: 'keyword', instructions: 'rule' })
  expect(loadWorld('examples/worlds/insurance-claims.json').learning).toEqual({ demo: 'rule', instructions: 'keyword', budget: { tokens: 450, slipPerThousand: 0.3 } })
})
