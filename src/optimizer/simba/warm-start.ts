/**
 * Warm start with labelled demos (`labeledDemos`, improved mode): before the first step, the
 * baseline plus up to k labelled training examples as demos becomes a second pool program. It
 * costs no LM call, so it is what a stop before any evaluation returns (a bootstrap of labelled
 * demos is the cheapest improvement there is); the first step's rollouts sample it next to the
 * baseline and score it (`creditRollouts`; without it, it is evaluated on the first mini-batch),
 * and it competes like any other program from then on. SIMBA's demo dropping and the
 * `maxDemos` cap concern only the demos SIMBA adds, not these.
 */
import type { Demo } from '../../core/adapter/types.js'
import type { Example } from '../../core/example/example.js'
import type { Module } from '../../core/module/module.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import { createRng } from '../../internal/rng/prng.js'

/** Random stream of the warm start (apart from SIMBA's two streams, so their draws are unchanged). */
const WARM_STREAM = 2

/** Lower-cased words of an example's inputs (letters, digits, apostrophes), for comparing demos. */
function wordsOf(example: Example): Set<string> {
  const text = Object.values(example.inputs()).map((v) => (typeof v === 'string' ? v : canonicalJson(v))).join(' ').toLowerCase()
  return new Set(text.match(/[\p{L}\p{N}']+/gu) ?? [])
}

/**
 * Up to `k` training example indices drawn with `seed`. The examples are shuffled; one example of
 * every label value comes first (so each label value is shown), then the labels follow the
 * shuffled order (so the demos follow the label distribution). Each slot takes the example of its
 * label that shows the most cues not yet shown for that label: a word counts by the share of the
 * training examples holding it that have this label (words seen in one example only count 0), so
 * demos spread over the different phrases that point to a label. Ties go by shuffled order.
 * @example labeledDemoOrder(examples, 4, 0) // e.g. [7, 2, 11, 0]
 */
export function labeledDemoOrder(examples: readonly Example[], k: number, seed: number): number[] {
  const order = createRng(seed, WARM_STREAM).shuffle(examples.map((_, i) => i))
  const labelOf = examples.map((ex) => canonicalJson(ex.labels()))
  const words = examples.map(wordsOf)
  const all = new Map<string, number>()
  const perLabel = new Map<string, number>()
  for (const [i, ws] of words.entries()) {
    for (const w of ws) {
      all.set(w, (all.get(w) ?? 0) + 1)
      perLabel.set(`${labelOf[i] as string}\u0000${w}`, (perLabel.get(`${labelOf[i] as string}\u0000${w}`) ?? 0) + 1)
    }
  }
  const cue = (label: string, w: string): number => {
    const mine = perLabel.get(`${label}\u0000${w}`) ?? 0
    return mine < 2 ? 0 : mine / (all.get(w) as number)
  }
  const byLabel = new Map<string, number[]>()
  const slots: string[] = []
  const firsts: string[] = []
  for (const i of order) {
    const key = labelOf[i] as string
    const list = byLabel.get(key)
    if (list) {
      list.push(i)
      slots.push(key)
    } else {
      byLabel.set(key, [i])
      firsts.push(key)
    }
  }
  const shown = new Map<string, Set<string>>()
  const out: number[] = []
  for (const key of [...firsts, ...slots]) {
    if (out.length >= k) break
    const left = byLabel.get(key) as number[]
    const seen = shown.get(key) ?? new Set<string>()
    let best = 0
    let bestGain = -1
    for (const [j, i] of left.entries()) {
      let gain = 0
      for (const w of words[i] as Set<string>) if (!seen.has(w)) gain += cue(key, w)
      if (gain > bestGain) {
        best = j
        bestGain = gain
      }
    }
    const [i] = left.splice(best, 1) as [number]
    for (const w of words[i] as Set<string>) seen.add(w)
    shown.set(key, seen)
    out.push(i)
  }
  return out
}

/** The warm-start program and the canonical keys of its labelled demos (exempt from dropping and the cap). */
export interface WarmStart<P extends Module> {
  program: P
  demoKeys: Set<string>
}

/**
 * A copy of `baseline` whose predictors that produce a labelled field get `k` labelled demos
 * (each demo holds the predictor's fields the example has), after the predictor's own demos.
 * Undefined when `k <= 0` or no predictor produces a field the examples label.
 */
export function warmStart<P extends Module>(baseline: P, trainset: readonly Example[], k: number, seed: number): WarmStart<P> | undefined {
  if (k <= 0 || trainset.length === 0) return undefined
  const picked = labeledDemoOrder(trainset, k, seed).map((i) => trainset[i] as Example)
  const program = baseline.clone()
  const demoKeys = new Set<string>()
  let changed = false
  for (const [, p] of program.namedPredictors()) {
    const names = [...p.signature.inputFields, ...p.signature.outputFields].map((f) => f.name)
    if (!p.signature.outputFields.some((f) => picked.some((ex) => Object.hasOwn(ex.labels(), f.name)))) continue
    const demos: Demo[] = picked.map((ex) => Object.fromEntries(names.filter((n) => Object.hasOwn(ex.data, n)).map((n) => [n, ex.data[n]])))
    const have = new Set(p.demos.map((d) => canonicalJson(d)))
    const fresh = demos.filter((d) => !have.has(canonicalJson(d)))
    if (fresh.length === 0) continue
    for (const d of fresh) demoKeys.add(canonicalJson(d))
    p.demos = [...p.demos, ...fresh]
    changed = true
  }
  return changed ? { program, demoKeys } : undefined
}
