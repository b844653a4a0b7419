import type { World, WorldRule } from './schema.js'

/** Text of every string-ish input value, for keyword search. */
export function inputText(inputs: Record<string, unknown>): string[] {
  return Object.values(inputs).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? ''))
}

/** First keyword of `rule` found (case-insensitive) in any of `texts`, or undefined. */
export function keywordIn(rule: WorldRule, texts: readonly string[]): string | undefined {
  const lower = texts.map((t) => t.toLowerCase())
  return rule.keywords.find((k) => lower.some((t) => t.includes(k.toLowerCase())))
}

/** The rule governing a case: the first rule with a keyword in any input value (docs/simulator.md). */
export function governingRule(world: World, inputs: Record<string, unknown>): WorldRule | undefined {
  const texts = inputText(inputs)
  return world.rules.find((r) => keywordIn(r, texts) !== undefined)
}

const norm = (v: unknown): string => (typeof v === 'string' ? v.trim().replace(/\s+/g, ' ') : JSON.stringify(v) ?? '')

/**
 * The labelled train/test case whose input values equal the given ones (only fields present are
 * compared). Without any world field (e.g. a later pipeline stage fed with extracted phrases), a case
 * one of whose input values contains a given value of 12+ characters is accepted instead.
 */
export function findCase(world: World, inputs: Record<string, unknown>): Record<string, unknown> | undefined {
  const cases = [...world.train, ...world.test]
  const keys = world.inputs.filter((k) => k in inputs)
  if (keys.length > 0) return cases.find((c) => keys.every((k) => norm(c[k]) === norm(inputs[k])))
  const needles = Object.values(inputs).map(norm).map((v) => v.toLowerCase()).filter((v) => v.length >= 12)
  return cases.find((c) => world.inputs.some((k) => needles.some((n) => norm(c[k]).toLowerCase().includes(n))))
}

/** Gold label: the governing rule's label, else the data's label, else undefined (unknown). */
export function goldLabel(world: World, inputs: Record<string, unknown>): string | undefined {
  const rule = governingRule(world, inputs)
  if (rule) return rule.label
  const c = findCase(world, inputs)
  const label = c?.[world.output]
  return typeof label === 'string' ? label : undefined
}
