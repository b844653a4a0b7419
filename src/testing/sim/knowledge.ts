import type { World, WorldRule } from '../world/schema.js'
import { keywordIn } from '../world/oracle.js'

/** Splits instructions into sentences (on . ! ? followed by space, and on line breaks). */
export function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter(Boolean)
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** True when `label` occurs in `text` as a whole word (case-insensitive). */
export function mentionsLabel(text: string, label: string): boolean {
  return new RegExp(`(^|[^a-z0-9_-])${escapeRe(label.toLowerCase())}($|[^a-z0-9_-])`).test(text.toLowerCase())
}

/** True when one sentence of `instructions` names a keyword of `rule` and its label. */
export function instructionsKnow(rule: WorldRule, instructions: string): boolean {
  return sentences(instructions).some((s) => keywordIn(rule, [s]) !== undefined && mentionsLabel(s, rule.label))
}

/** True when a demo's input values hold a keyword of `rule` and its output shows the rule's label. */
export function demoKnows(world: World, rule: WorldRule, demo: Record<string, string>): boolean {
  const shown = demo[world.output]
  if (shown === undefined || shown.trim().replace(/^"|"$/g, '').toLowerCase() !== rule.label.toLowerCase()) return false
  const inputValues = Object.entries(demo).filter(([k]) => k !== world.output && k !== 'reasoning').map(([, v]) => v)
  return keywordIn(rule, inputValues) !== undefined
}

/** Ids of the rules a task request knows, through its instructions or its demos (docs/simulator.md). */
export function knownRules(world: World, instructions: string, demos: ReadonlyArray<Record<string, string>>): Set<string> {
  const known = new Set<string>()
  for (const rule of world.rules) {
    if (instructionsKnow(rule, instructions) || demos.some((d) => demoKnows(world, rule, d))) known.add(rule.id)
  }
  return known
}
