import { expect, test } from 'vitest'
import { gateMessage } from '../../../src/vitest/runtime/compare.js'

test('with both splits, the gate says which split each regressed case is in (names may repeat)', () => {
  const m = gateMessage({
    block: 'b', split: 'devset', mean: 0.25, threshold: undefined, baseline: 0.625, tolerance: 0,
    regressed: [
      { name: 'Internal claim', score: 0, baseline: 1, split: 'devset' },
      { name: 'Internal claim', score: 0, baseline: 1, split: 'trainset' },
    ],
  })
  expect(m).toContain('Regressed cases: devset "Internal claim" 1 → 0, trainset "Internal claim" 1 → 0')
})

test('without a devset the names stay bare', () => {
  const m = gateMessage({ block: 'b', split: 'trainset', mean: 0, threshold: 0.5, baseline: undefined, tolerance: 0, regressed: [{ name: 'x', score: 0, baseline: 1 }] })
  expect(m).toContain('Regressed cases: "x" 1 → 0')
})
