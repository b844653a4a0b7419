/**
 * Advice check (`checkAdvice`, improved mode): a prompt model's advice can be wrong, and a model
 * that follows instructions then gets right cases wrong. A rule such as `When the ticket mentions
 * "invoice", set queue to billing.` is a claim about the training data: the cases whose inputs hold
 * the quoted phrase should mostly have that output value. Before advice is appended (rule writer)
 * or kept (consolidation), every sentence that names exactly one output value and quotes phrases
 * is checked against the labelled trainset: a quoted phrase that the training cases holding it
 * contradict (no more than half of them have that value) or do not support (with 30 or more
 * training cases: fewer than two of them have that value, i.e. only the case the tip was written
 * for) is removed from the sentence, and a
 * sentence left without a quoted phrase is dropped. It costs no LM call. Advice that quotes
 * nothing, names no output value or several, or quotes a phrase no training case holds is kept
 * as it is: the data can neither confirm nor refute it.
 */
import type { Example } from '../../core/example/example.js'

/** One training case as the check sees it: lower-cased input text and its labelled values. */
interface CheckCase {
  text: string
  labels: Record<string, unknown>
}

/** A categorical output value, as named in advice. */
interface LabelValue {
  field: string
  value: string
  pattern: RegExp
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Quoted phrases of a sentence (double, curly, backtick quotes; single quotes around whole words), 3 to 80 characters. */
export function quotedPhrases(sentence: string): string[] {
  const out: string[] = []
  for (const re of [/"([^"\n]{3,80})"/g, /“([^”\n]{3,80})”/g, /`([^`\n]{3,80})`/g, /(?:^|[\s(])'([^'\n]{3,80})'(?=[\s).,;:!?]|$)/g]) {
    for (const m of sentence.matchAll(re)) out.push(m[1] as string)
  }
  return out
}

/** Checks advice sentences against a labelled trainset. */
export class AdviceCheck {
  private readonly cases: CheckCase[]
  private readonly values: LabelValue[]
  private readonly fieldNames: Set<string>
  /** Training cases with the named value a phrase needs: 2 from 30 training cases on (one case is an anecdote, not a rule), else 1. */
  private readonly minSupport: number

  /**
   * Uses the string label values of `trainset` that look categorical (a field with at most half as
   * many distinct values as examples, and at least two).
   */
  constructor(trainset: readonly Example[]) {
    this.cases = trainset.map((ex) => ({
      text: Object.values(ex.inputs() as Record<string, unknown>).filter((v) => typeof v === 'string').join('\n').toLowerCase(),
      labels: ex.labels() as Record<string, unknown>,
    }))
    const byField = new Map<string, Set<string>>()
    for (const c of this.cases) {
      for (const [f, v] of Object.entries(c.labels)) {
        if (typeof v !== 'string' || v.trim() === '') continue
        let s = byField.get(f)
        if (!s) byField.set(f, (s = new Set()))
        s.add(v)
      }
    }
    this.values = []
    for (const [field, set] of byField) {
      if (set.size < 2 || set.size > Math.max(2, this.cases.length / 2)) continue
      for (const value of set) this.values.push({ field, value, pattern: new RegExp(`(?<![\\w-])${escape(value)}(?![\\w-])`, 'i') })
    }
    this.minSupport = this.cases.length >= 30 ? 2 : 1
    this.fieldNames = new Set(trainset.flatMap((ex) => Object.keys(ex.data)).map((k) => k.toLowerCase()))
  }

  /** The quoted phrases of `sentence` that the training data contradicts (empty when the sentence cannot be checked). */
  contradicted(sentence: string): string[] {
    const named = this.values.filter((v) => v.pattern.test(sentence))
    if (named.length !== 1) return []
    const { field, value } = named[0] as LabelValue
    const bad: string[] = []
    for (const phrase of quotedPhrases(sentence)) {
      const q = phrase.toLowerCase().trim()
      if (q.length < 3 || this.fieldNames.has(q) || this.values.some((v) => v.value.toLowerCase() === q)) continue
      const holding = this.cases.filter((c) => c.text.includes(q))
      if (holding.length === 0) continue
      const agree = holding.filter((c) => c.labels[field] === value).length
      if (agree * 2 <= holding.length || agree < this.minSupport) bad.push(phrase)
    }
    return bad
  }

  /**
   * `text` without the contradicted phrases: each is removed from its sentence (with a list
   * separator next to it); a sentence left without any quoted phrase is dropped. Paragraphs and
   * lines are kept; returns the text and the removed phrases.
   */
  prune(text: string): { text: string; removed: string[] } {
    const removed: string[] = []
    const lines = text.split('\n').map((line) => {
      const sentences = line.split(/(?<=[.!?])\s+/)
      const kept: string[] = []
      for (const s of sentences) {
        const bad = this.contradicted(s)
        if (bad.length === 0) {
          kept.push(s)
          continue
        }
        let out = s
        for (const phrase of bad) {
          removed.push(phrase)
          const quoted = `(?:"${escape(phrase)}"|“${escape(phrase)}”|\`${escape(phrase)}\`|'${escape(phrase)}')`
          const before = new RegExp(`(?:,\\s*|\\s+(?:or|and)\\s+)${quoted}`)
          out = before.test(out) ? out.replace(before, '') : out.replace(new RegExp(`${quoted}(?:,\\s*|\\s+(?:or|and)\\s+)?`), '')
        }
        if (quotedPhrases(out).length > 0) kept.push(out)
      }
      return kept.join(' ')
    })
    // Drop lines emptied by the check, but keep blank separator lines between paragraphs.
    const result = lines.filter((l, i) => l.trim() !== '' || (text.split('\n')[i] ?? '').trim() === '').join('\n').replace(/\n{3,}/g, '\n\n').trim()
    return { text: result, removed }
  }
}
