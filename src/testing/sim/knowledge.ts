import type { World, WorldRule } from '../world/schema.js'
import { keywordIn } from '../world/oracle.js'
import { learningOf } from '../world/learning.js'

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

/** Ids of the rules a task request knows, through its instructions or its demos (v1 behaviour, docs/simulator.md). */
export function knownRules(world: World, instructions: string, demos: ReadonlyArray<Record<string, string>>): Set<string> {
  const known = new Set<string>()
  for (const rule of world.rules) {
    if (instructionsKnow(rule, instructions) || demos.some((d) => demoKnows(world, rule, d))) known.add(rule.id)
  }
  return known
}

/** What a request knows: whole rules (by id) and single keywords (lower-cased, by rule id). */
export interface Knowledge {
  /** Rules known as a whole: every case they govern is answered by them. */
  rules: Set<string>
  /** Keywords known one by one (keyword-mode learning): only cases governed through them are answered. */
  keywords: Map<string, Set<string>>
}

/** Keywords of `rule` (lower-cased) found in any of `texts`. */
export function keywordsIn(rule: WorldRule, texts: readonly string[]): string[] {
  const lower = texts.map((t) => t.toLowerCase())
  return rule.keywords.map((k) => k.toLowerCase()).filter((k) => lower.some((t) => t.includes(k)))
}

function demoShowsLabel(world: World, rule: WorldRule, demo: Record<string, string>): boolean {
  const shown = demo[world.output]
  return shown !== undefined && shown.trim().replace(/^"|"$/g, '').toLowerCase() === rule.label.toLowerCase()
}

const demoInputs = (world: World, demo: Record<string, string>): string[] =>
  Object.entries(demo).filter(([k]) => k !== world.output && k !== 'reasoning').map(([, v]) => v)

/**
 * Everything a task request knows under the world's learning knobs. With the defaults this is
 * exactly `knownRules` (whole rules); keyword modes record (rule, keyword) pairs instead.
 * `only` restricts the work to one rule (the case's governing rule).
 */
export function knowledgeOf(world: World, instructions: string, demos: ReadonlyArray<Record<string, string>>, only?: WorldRule): Knowledge {
  const learning = learningOf(world)
  const k: Knowledge = { rules: new Set(), keywords: new Map() }
  const addKeywords = (rule: WorldRule, kws: readonly string[]): void => {
    if (kws.length === 0) return
    const set = k.keywords.get(rule.id) ?? new Set<string>()
    for (const kw of kws) set.add(kw)
    k.keywords.set(rule.id, set)
  }
  const sents = learning.instructions === 'keyword' ? sentences(instructions) : []
  for (const rule of only ? [only] : world.rules) {
    if (learning.instructions === 'rule') {
      if (instructionsKnow(rule, instructions)) k.rules.add(rule.id)
    } else {
      for (const s of sents) if (mentionsLabel(s, rule.label)) addKeywords(rule, keywordsIn(rule, [s]))
    }
    if (learning.demo === 'rule') {
      if (!k.rules.has(rule.id) && demos.some((d) => demoKnows(world, rule, d))) k.rules.add(rule.id)
    } else if (learning.demo === 'keyword') {
      for (const d of demos) if (demoShowsLabel(world, rule, d)) addKeywords(rule, keywordsIn(rule, demoInputs(world, d)))
    }
  }
  return k
}

/** True when `knowledge` covers a case governed by `rule` through `keyword` (the rule's first keyword in the case). */
export function knowsCase(knowledge: Knowledge, rule: WorldRule, keyword: string | undefined): boolean {
  if (knowledge.rules.has(rule.id)) return true
  return keyword !== undefined && (knowledge.keywords.get(rule.id)?.has(keyword.toLowerCase()) ?? false)
}

/** Knowledge of every rule (the ceiling of a world). */
export function fullKnowledge(world: World): Knowledge {
  return { rules: new Set(world.rules.map((r) => r.id)), keywords: new Map() }
}
