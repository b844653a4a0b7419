import { describe, expect, it } from 'vitest'
import { loadWorld } from '../../src/testing/world/load.js'
import { governingRule } from '../../src/testing/world/oracle.js'

const files = ['examples/worlds/support-tickets.json', 'examples/worlds/expense-categories.json']

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
