/** Shared state of one `simba()` call: options, random streams, pool, limiter, meter, events. */
import type { Example } from '../../core/example/example.js'
import type { LanguageModel } from '../../core/lm/types.js'
import type { Module } from '../../core/module/module.js'
import { createLimiter, type Limiter } from '../../internal/concurrency/limiter.js'
import { createPoissonRng, type PoissonRng } from '../../internal/rng/poisson.js'
import { createRng, type Rng } from '../../internal/rng/prng.js'
import { ErrorBudget } from './budget.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import { AdviceCheck } from './advice-check.js'
import { AdviceMemory } from './memory.js'
import { warmStart } from './warm-start.js'
import { ownMapper } from './lms.js'
import { UsageMeter } from './meter.js'
import type { ResolvedOptions } from './options.js'
import { Pool } from './pool.js'
import { runAndScore } from './run.js'
import type { RunRecord } from './strategies/types.js'
import type { SimbaEvent, SimbaOptions } from './types.js'

/** Everything one optimization run shares across steps. */
export class SimbaRun<P extends Module> {
  readonly rng: Rng
  readonly poisson: PoissonRng
  readonly pool: Pool<P>
  readonly limiter: Limiter
  readonly meter: UsageMeter
  readonly errors: ErrorBudget
  readonly promptModel: LanguageModel | undefined
  /** Counting mapper: a predictor's own LM, unchanged but metered (evaluations, metric judges). */
  readonly own: (lm: LanguageModel) => LanguageModel
  /** Additions of endorsed candidates across steps (`carryAdvice`). */
  readonly memory = new AdviceMemory()
  /** Normalized instructions that consolidation produced or was already asked about (`consolidateAdvice`). */
  readonly consolidated = new Set<string>()
  /** `checkAdvice`: advice checked against the labelled trainset (undefined when off). */
  readonly adviceCheck: AdviceCheck | undefined
  /** Pool id of the warm-start program (`labeledDemos`), if one was built. */
  warmId: number | undefined
  /** Canonical keys of the warm start's labelled demos: exempt from demo dropping and the `maxDemos` cap. */
  readonly warmDemos = new Set<string>()
  /** `thinDemos`: set once a thinned copy scored below its winner; no copy is tried after that. */
  thinRejected = false

  constructor(
    program: P,
    readonly options: SimbaOptions<P>,
    readonly o: ResolvedOptions,
    readonly emit: (e: SimbaEvent) => void,
  ) {
    this.rng = createRng(o.seed)
    this.poisson = createPoissonRng(o.seed)
    this.pool = new Pool(program.clone())
    this.limiter = createLimiter(o.concurrency)
    this.meter = new UsageMeter(options.prices)
    this.errors = new ErrorBudget(o.maxErrors)
    this.own = ownMapper(this.meter)
    if (o.promptModel) this.meter.track(o.promptModel)
    this.promptModel = o.promptModel ? this.meter.wrap(o.promptModel) : undefined
    this.adviceCheck = o.checkAdvice ? new AdviceCheck(options.trainset) : undefined
    const warm = warmStart(this.pool.get(0), options.trainset, o.labeledDemos, o.seed)
    if (warm) {
      this.warmId = this.pool.register(warm.program, [])
      for (const k of warm.demoKeys) this.warmDemos.add(k)
    }
  }

  /** The advice check as a function, for strategies and consolidation (undefined when off). */
  get checkAdvice(): ((text: string) => { text: string; removed: string[] }) | undefined {
    const c = this.adviceCheck
    return c ? (text) => c.prune(text) : undefined
  }

  /** True for a labelled demo of the warm start (never dropped, not counted toward `maxDemos`). */
  isWarmDemo = (demo: Record<string, unknown>): boolean => this.warmDemos.size > 0 && this.warmDemos.has(canonicalJson(demo))

  /** Runs a fresh copy of `program` with its own LMs on every example (through the limiter), index-aligned. */
  evaluateOn(program: P, examples: readonly Example[]): Promise<RunRecord[]> {
    const settings = { lm: this.o.lm, mapLM: this.own, faithful: this.o.faithful, metricTrace: this.o.metricTrace }
    return Promise.all(examples.map((ex) => this.limiter.run(() => runAndScore(program.clone(), ex, this.options.metric, settings))))
  }
}
