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

/** Quoted phrases of a sentence ("…", '…', `…`, “…”), trimmed, lower-cased, 3 to 80 characters. */
export function quotedPhrases(sentence: string): string[] {
  const out: string[] = []
  for (const m of sentence.matchAll(/"([^"\n]{3,80})"|“([^”\n]{3,80})”|`([^`\n]{3,80})`|(?<![A-Za-z])'([^'\n]{3,80})'(?![A-Za-z])/g)) {
    const q = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? '').trim().toLowerCase()
    if (q.length >= 3) out.push(q)
  }
  return out
}

/** A sentence of the instructions that ties a cue present in the case to a label other than the cue's rule's (format v3). */
export interface Misleading {
  /** The label the sentence gives. */
  label: string
  /** The cue (lower-cased) the sentence names and the case holds. */
  cue: string
  /** The sentence itself. */
  sentence: string
}

/**
 * The first sentence of `instructions` that names a cue present in the case together with a label
 * other than the one the cue's rule gives (the `misleadable` knob). A cue is a keyword of any rule,
 * or a quoted phrase of the sentence that is not a field name and holds no keyword. A sentence that
 * also names the cue's right label teaches rather than misleads; one naming three or more labels is
 * a list of choices and misleads nothing. The label followed is the first one the sentence names.
 */
export function misleadingOf(world: World, instructions: string, inputs: Record<string, unknown>): Misleading | undefined {
  const caseText = Object.values(inputs).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')).join('\n').toLowerCase()
  const fieldNames = new Set([...world.inputs, world.output].map((n) => n.toLowerCase()))
  const allKeywords = world.rules.flatMap((r) => r.keywords.map((k) => k.toLowerCase()))
  for (const s of sentences(instructions)) {
    const lower = s.toLowerCase()
    const named = world.labels
      .filter((l) => mentionsLabel(s, l))
      .map((l) => ({ l, at: lower.search(new RegExp(`(^|[^a-z0-9_-])${escapeRe(l.toLowerCase())}($|[^a-z0-9_-])`)) }))
      .sort((a, b) => a.at - b.at)
      .map((x) => x.l)
    if (named.length === 0 || named.length > 2) continue
    const cues: Array<{ cue: string; right?: string }> = []
    for (const rule of world.rules) for (const k of rule.keywords) {
      const kw = k.toLowerCase()
      if (lower.includes(kw) && caseText.includes(kw) && !cues.some((c) => c.cue === kw)) cues.push({ cue: kw, right: rule.label })
    }
    for (const q of quotedPhrases(s)) {
      if (fieldNames.has(q) || allKeywords.some((k) => q.includes(k)) || world.labels.some((l) => l.toLowerCase() === q)) continue
      if (caseText.includes(q) && !cues.some((c) => c.cue === q)) cues.push({ cue: q })
    }
    for (const c of cues) {
      if (c.right !== undefined && named.includes(c.right)) continue
      const label = named.find((l) => l !== c.right)
      if (label !== undefined) return { label, cue: c.cue, sentence: s }
    }
  }
  return undefined
}
