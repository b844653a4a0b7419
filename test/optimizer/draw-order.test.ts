/**
 * RNG draw order (DSPy's, documented in docs/simba.md). The PRNG modules are wrapped so every draw SIMBA makes is
 * recorded as (kind, value); the tape must equal an independent replay of the spec's sequence —
 * shuffle at start, optional reshuffle, N·B softmax draws model-major, then per processed bucket:
 * softmax, Poisson, dropCount × randrange, choice — computed from a fresh PRNG and the run's logs.
 * The concurrent and sequential schedules must give the same tape, program, logs and events when
 * some rule-writing calls throw and latencies are random.
 */
import { describe, expect, it, vi } from 'vitest'
import type { LMRequest } from '../../src/core/lm/types.js'
import { Predict } from '../../src/core/predict/predict.js'
import type * as PoissonModule from '../../src/internal/rng/poisson.js'
import type * as PrngModule from '../../src/internal/rng/prng.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import type { SimbaEvent, SimbaOptions, SimbaResult } from '../../src/optimizer/simba/types.js'
import { adviceReply, exactMetric, uppercaseSet } from './fixtures.js'
import { block, chatReply, hash, ScriptedLM } from './scripted-lm.js'

type Draw = [kind: string, value: unknown]
const tape = vi.hoisted(() => ({ draws: [] as Array<[string, unknown]> }))

vi.mock('../../src/internal/rng/prng.js', async (importOriginal) => {
  const mod = await importOriginal<typeof PrngModule>()
  const createRng: typeof mod.createRng = (seed, stream = 0) => {
    const r = mod.createRng(seed, stream)
    if (stream !== 0) return r // the Poisson stream is recorded at the Poisson level
    const rec = <T>(kind: string, v: T): T => (tape.draws.push([kind, Array.isArray(v) ? [...v] : v]), v)
    return {
      random: () => rec('random', r.random()),
      randrange: (n) => rec('randrange', r.randrange(n)),
      choice: (items) => rec('choice', r.choice(items)),
      shuffle: (items) => rec('shuffle', r.shuffle(items)),
      choices: (items, weights) => rec('softmax', r.choices(items, weights)),
    }
  }
  return { ...mod, createRng }
})

vi.mock('../../src/internal/rng/poisson.js', async (importOriginal) => {
  const mod = await importOriginal<typeof PoissonModule>()
  return {
    ...mod,
    createPoissonRng: (seed?: number | string) => {
      const g = mod.createPoissonRng(seed)
      return { poisson: (lambda: number) => { const k = g.poisson(lambda); tape.draws.push(['poisson', { lambda, k }]); return k } }
    },
  }
})

const T = 8
const B = 6
const N = 3
const CAP = 2
const INITIAL_DEMOS = 3
const STRATEGIES = ['append_a_demo', 'append_a_rule']
const trainset = uppercaseSet(T)

/**
 * A rule saying UPPERCASE or an uppercase demo (the initial demos are lowercase) helps on half of
 * the words only, so later steps keep some variance; temperature-1 rollouts are lucky one time in 3.
 */
function taskReply(request: LMRequest, system: string, rolloutId: number | undefined, temperature: number, last: string): string {
  const word = block(last, 'word') ?? ''
  const taught = system.includes('UPPERCASE') || request.messages.some((m) => m.role === 'assistant' && /W[0-9A-Z]*X\d+/.test(m.content))
  const knows = taught && hash(`k:${word}`) % 2 === 0
  const lucky = rolloutId !== undefined && temperature > 0.5 && hash(`${rolloutId}:${word}`) % 3 === 0
  return chatReply({ answer: knows || lucky ? word.toUpperCase() : word })
}

/** The rule writer fails for about half of the examples (a deterministic "outage" per word). */
const writerFails = (last: string): boolean => hash(`w:${JSON.parse(block(last, 'program_inputs') ?? '{}').word ?? ''}`) % 2 === 0

function lm(): ScriptedLM {
  return new ScriptedLM({
    latency: () => Math.floor(Math.random() * 4),
    reply: (i) => {
      if (i.system.includes('module_advice')) {
        if (writerFails(i.last)) throw new Error('rule writer unavailable')
        return adviceReply(i)
      }
      return taskReply(i.request, i.system, i.rolloutId, i.temperature, i.last)
    },
  })
}

async function record(seed: number, extra: Partial<SimbaOptions>): Promise<{ draws: Draw[]; res: SimbaResult; events: SimbaEvent[] }> {
  const demos = Array.from({ length: INITIAL_DEMOS }, (_, i) => ({ word: `z${i}`, answer: `z${i}` }))
  const events: SimbaEvent[] = []
  tape.draws = []
  const res = await simba(new Predict('word -> answer', { demos }), {
    trainset, metric: exactMetric, lm: lm(), bsize: B, numCandidates: N, maxSteps: 3, maxDemos: CAP, seed, concurrency: 5,
    onProgress: (e) => events.push(e), ...extra,
  })
  return { draws: tape.draws, res, events }
}

/** The spec's draw sequence, replayed from a fresh PRNG and the run's logs (faithful bookkeeping). */
async function replay(res: SimbaResult, seed: number): Promise<Draw[]> {
  const { createRng } = await vi.importActual<typeof PrngModule>('../../src/internal/rng/prng.js')
  const { createPoissonRng } = await vi.importActual<typeof PoissonModule>('../../src/internal/rng/poisson.js')
  const R = createRng(seed)
  const G = createPoissonRng(seed)
  const out: Draw[] = []
  const avg = new Map<number, number>([[0, 0]])
  const demoCount = new Map<number, number>([[0, INITIAL_DEMOS]])
  const top = (): number[] => {
    const ids = [...avg.keys()].sort((a, b) => (avg.get(b) as number) - (avg.get(a) as number)).slice(0, N)
    if (!ids.includes(0)) ids[ids.length - 1] = 0
    return ids
  }
  const softmax = (ids: number[]): number => {
    const w = ids.map((id) => Math.exp((avg.get(id) as number) / 0.2))
    const total = w.reduce((a, b) => a + b, 0)
    return R.choices(ids, w.map((x) => x / total))
  }
  const order = R.shuffle(Array.from({ length: T }, (_, i) => i))
  out.push(['shuffle', [...order]])
  let cursor = 0
  for (const step of res.trialLogs.steps) {
    if (cursor + B > T) {
      out.push(['shuffle', [...R.shuffle(order)]])
      cursor = 0
    }
    expect(step.batch).toEqual(order.slice(cursor, cursor + B).map((i) => trainset[i]!.id))
    cursor += B
    const ids = top()
    for (let k = 0; k < N * B; k++) out.push(['softmax', softmax(ids)])
    for (const c of step.candidates) {
      const src = softmax(ids)
      out.push(['softmax', src])
      expect(c.sourceId).toBe(src)
      const d = demoCount.get(src) as number
      const k = G.poisson(d / CAP)
      out.push(['poisson', { lambda: d / CAP, k }])
      const positions = Array.from({ length: Math.min(Math.max(k, d >= CAP ? 1 : 0), d) }, () => R.randrange(d))
      for (const p of positions) out.push(['randrange', p])
      const dropped = [...new Set(positions)].sort((a, b) => a - b)
      expect(c.droppedDemos).toEqual(dropped)
      const strategy = R.choice(STRATEGIES)
      out.push(['choice', strategy])
      expect(c.strategy).toBe(strategy)
      if (c.id !== undefined) demoCount.set(c.id, d - dropped.length + (strategy === 'append_a_demo' && c.outcome === 'applied' ? 1 : 0))
    }
    for (const c of step.candidates) if (c.id !== undefined) avg.set(c.id, c.score as number)
  }
  return out
}

describe('SIMBA RNG draw order', () => {
  it('equals the spec order: shuffle, reshuffle, N·B softmax model-major, then softmax, Poisson, randrange×k, choice per bucket', async () => {
    const { draws, res } = await record(3, { faithful: true })
    expect(draws).toEqual(await replay(res, 3))
    // Shape of the first step, read straight off the tape.
    expect(draws[0]![0]).toBe('shuffle')
    expect(draws.slice(1, 1 + N * B).every(([k]) => k === 'softmax')).toBe(true)
    expect(draws[1 + N * B]).toEqual(['softmax', 0])
    expect(draws[2 + N * B]).toEqual(['poisson', { lambda: INITIAL_DEMOS / CAP, k: expect.any(Number) }])
    // The setup exercises what the test is about: a reshuffle, failed rules, extra buckets processed.
    expect(draws.filter(([k]) => k === 'shuffle').length).toBeGreaterThan(1)
    const steps = res.trialLogs.steps
    expect(steps.length).toBeGreaterThan(0)
    expect(steps.every((s) => s.candidates.some((c) => c.outcome === 'failed' && /unavailable/.test(c.reason ?? '')))).toBe(true)
    expect(steps.every((s) => s.candidates.length > N + 1)).toBe(true)
    for (const s of steps) {
      const kept = s.candidates.filter((c) => c.outcome !== 'failed').length
      expect(kept).toBe(Math.min(N + 1, s.candidates.length - s.candidates.filter((c) => c.outcome === 'failed').length))
      expect(s.candidates.length === B || kept === N + 1).toBe(true)
    }
  })

  it('one-element strategy list (maxDemos 0) still draws a choice per bucket', async () => {
    const { draws, res } = await record(3, { faithful: true, maxDemos: 0, maxSteps: 1 })
    const processed = res.trialLogs.steps[0]!.candidates.length
    expect(draws.filter(([k, v]) => k === 'choice' && v === 'append_a_rule')).toHaveLength(processed)
  })

  it('concurrent and sequential schedules: same draws, program, logs and events when some rule calls throw', async () => {
    for (const [seed, faithful] of [[3, true], [5, true], [5, false], [8, false]] as const) {
      const a = await record(seed, { faithful, schedule: 'concurrent' })
      const b = await record(seed, { faithful, schedule: 'sequential' })
      expect(a.res.trialLogs.steps.flatMap((s) => s.candidates).some((c) => c.outcome === 'failed')).toBe(true)
      expect(a.draws).toEqual(b.draws)
      expect(a.res.program.state()).toEqual(b.res.program.state())
      expect(a.res.score).toBe(b.res.score)
      expect(JSON.stringify(a.res.trialLogs)).toBe(JSON.stringify(b.res.trialLogs))
      expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events))
      expect(a.res.candidatePrograms.map((c) => c.program.state())).toEqual(b.res.candidatePrograms.map((c) => c.program.state()))
    }
  })
})

