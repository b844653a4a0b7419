/**
 * Advice memory (`carryAdvice`, improved mode): the instruction paragraphs and demos that endorsed
 * candidates added to their source programs, per predictor name, across all steps. Each step's
 * merged candidate receives the remembered additions its winner lacks, so what an earlier step
 * learned is not lost when the next winner comes from another lineage.
 */
import type { Module } from '../../core/module/module.js'
import type { Demo } from '../../core/adapter/types.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import { normParagraph, paragraphs } from './strategies/consolidate.js'

/** What candidates added to one predictor: paragraphs and demos, oldest first, without repeats. */
export interface Additions {
  paragraphs: string[]
  demos: Demo[]
}

/** The additions of `program` over `source`, per predictor name (predictors with none are left out). */
export function additionsOver(program: Module, source: Module): Map<string, Additions> {
  const from = new Map(source.namedPredictors())
  const out = new Map<string, Additions>()
  for (const [name, p] of program.namedPredictors()) {
    const s = from.get(name)
    const had = new Set(paragraphs(s?.instructions ?? '').map(normParagraph))
    const hadDemos = new Set((s?.demos ?? []).map((d) => canonicalJson(d)))
    const add: Additions = { paragraphs: paragraphs(p.instructions).filter((x) => !had.has(normParagraph(x))), demos: p.demos.filter((d) => !hadDemos.has(canonicalJson(d))) }
    if (add.paragraphs.length > 0 || add.demos.length > 0) out.set(name, add)
  }
  return out
}

/** Remembered additions of a whole run. */
export class AdviceMemory {
  private readonly byName = new Map<string, { paragraphs: Map<string, string>; demos: Map<string, Demo> }>()

  /** Remembers `additions` (repeats, compared case- and whitespace-insensitively, are kept once). */
  remember(additions: ReadonlyMap<string, Additions>): void {
    for (const [name, a] of additions) {
      let slot = this.byName.get(name)
      if (!slot) this.byName.set(name, (slot = { paragraphs: new Map(), demos: new Map() }))
      for (const x of a.paragraphs) if (!slot.paragraphs.has(normParagraph(x))) slot.paragraphs.set(normParagraph(x), x)
      for (const d of a.demos) if (!slot.demos.has(canonicalJson(d))) slot.demos.set(canonicalJson(d), d)
    }
  }

  /** Everything remembered, per predictor name, oldest first. */
  all(): Map<string, Additions> {
    return new Map([...this.byName].map(([n, s]) => [n, { paragraphs: [...s.paragraphs.values()], demos: [...s.demos.values()] }]))
  }
}
