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

/**
 * Up to `k` training example indices drawn with `seed`: the examples are shuffled, the first one
 * of every label value comes first (so each label value is shown), then the rest in shuffled order
 * (so the demos follow the label distribution).
 * @example labeledDemoOrder(examples, 4, 0) // e.g. [7, 2, 11, 0]
 */
export function labeledDemoOrder(examples: readonly Example[], k: number, seed: number): number[] {
  const order = createRng(seed, WARM_STREAM).shuffle(examples.map((_, i) => i))
  const seen = new Set<string>()
  const first: number[] = []
  const rest: number[] = []
  for (const i of order) {
    const key = canonicalJson((examples[i] as Example).labels())
    if (seen.has(key)) rest.push(i)
    else {
      seen.add(key)
      first.push(i)
    }
  }
  return [...first, ...rest].slice(0, Math.max(0, k))
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
