/**
 * Improved mode's memory and consolidation: `carryAdvice` (remembered additions reach later
 * merged candidates), `consolidateAdvice` (the prompt model rewrites gathered tips, grounded in the
 * step's failed cases) and the demo choice that prefers distinct outputs.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Example } from '../../src/core/example/example.js'
import { Predict } from '../../src/core/predict/predict.js'
import { AdviceMemory, additionsOver } from '../../src/optimizer/simba/memory.js'
import { resolveOptions } from '../../src/optimizer/simba/options.js'
import { Pool } from '../../src/optimizer/simba/pool.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import { failedCases, keepDemos, mergeCandidates } from '../../src/optimizer/simba/step.js'
import { consolidateAdvice, tipsOf } from '../../src/optimizer/simba/strategies/consolidate.js'
import type { BuiltCandidate } from '../../src/optimizer/simba/candidates.js'
import type { RunRecord } from '../../src/optimizer/simba/strategies/types.js'
import { adviceReply, exactMetric, taskReply, uppercaseSet } from './fixtures.js'
import { block, chatReply, ScriptedLM } from './scripted-lm.js'

const built = (program: Predict, sourceId: number): BuiltCandidate<Predict> => ({ program, runs: [], log: { id: 1, sourceId, bucketExample: 0, strategy: 'append_a_rule', outcome: 'applied', droppedDemos: [] } })

/** A prompt model that answers consolidation requests with `rewrite(tips, failed)` and records them. */
function consolidator(rewrite: (tips: string[], failed: unknown[]) => string) {
  const seen: Array<{ tips: string[]; failed: unknown[] }> = []
  const lm = new ScriptedLM({
    reply: (i) => {
      if (!i.system.includes('consolidated_advice')) return i.system.includes('module_advice') ? adviceReply(i, () => `Tip ${i.last.length}: answer in UPPERCASE.`) : taskReply(i)
      const tips = JSON.parse(block(i.last, 'advice_tips') ?? '[]') as string[]
      const failed = JSON.parse(block(i.last, 'failed_cases') ?? '[]') as unknown[]
      seen.push({ tips, failed })
      return chatReply({ consolidated_advice: rewrite(tips, failed) })
    },
  })
  return { lm, seen }
}

describe('carryAdvice', () => {
  it('gives the merged candidate the remembered additions its winner lacks; remembered demos only fill free slots', () => {
    const source = new Predict('word -> answer', { instructions: 'Answer.' })
    const pool = new Pool(source)
    const winner = new Predict('word -> answer', { instructions: 'Answer.\n\nNew tip.', demos: [{ word: 'b', answer: 'B' }] })
    const earlier = new Predict('word -> answer', { instructions: 'Answer.\n\nOld tip.\n\nnew   TIP.', demos: [{ word: 'a', answer: 'A' }, { word: 'c', answer: 'C' }] })
    const memory = new AdviceMemory()
    memory.remember(additionsOver(earlier, source))
    expect(mergeCandidates(pool, built(winner, 0), [], 4)).toBeUndefined() // without memory: nothing to merge
    const merged = mergeCandidates(pool, built(winner, 0), [], 2, memory.all())
    expect(merged?.instructions).toBe('Answer.\n\nNew tip.\n\nOld tip.')
    expect(merged?.demos).toEqual([{ word: 'c', answer: 'C' }, { word: 'b', answer: 'B' }]) // the winner's own demo stays
  })

  it('remembers additions once, whatever their spacing or case', () => {
    const source = new Predict('word -> answer', { instructions: 'Answer.' })
    const memory = new AdviceMemory()
    memory.remember(additionsOver(new Predict('word -> answer', { instructions: 'Answer.\n\nTip  one.' }), source))
    memory.remember(additionsOver(new Predict('word -> answer', { instructions: 'Answer.\n\ntip one.\n\nTip two.', demos: [{ word: 'a', answer: 'A' }] }), source))
    memory.remember(additionsOver(new Predict('word -> answer', { instructions: 'Answer.', demos: [{ word: 'a', answer: 'A' }] }), source))
    expect(memory.all().get('self')).toEqual({ paragraphs: ['Tip  one.', 'Tip two.'], demos: [{ word: 'a', answer: 'A' }] })
  })
})

describe('consolidateAdvice', () => {
  const base = new Predict('word -> answer', { instructions: 'Answer.' })

  it('replaces two or more tips with the rewritten rules, keeps the baseline instructions, and sends failed cases', async () => {
    const { lm, seen } = consolidator((tips) => `- Rule from ${tips.length} tips.\n2) Second rule.\n\nAnswer.`)
    const program = new Predict('word -> answer', { instructions: 'Answer.\n\nTip one.\n\nTip two.' })
    const failed = [{ inputs: { word: 'x' }, outputs: { answer: 'x' }, expected: { answer: 'X' }, feedback: 'expected X' }]
    const c = await consolidateAdvice(program, base, lm, new Set(), failed)
    expect(c.program?.instructions).toBe('Answer.\n\nRule from 2 tips.\n\nSecond rule.') // list marks and a repeated baseline dropped
    expect(program.instructions).toBe('Answer.\n\nTip one.\n\nTip two.') // the input program is not edited
    expect(seen).toEqual([{ tips: ['Tip one.', 'Tip two.'], failed }])
    expect(tipsOf(c.program!.instructions, base.instructions)).toEqual(['Rule from 2 tips.', 'Second rule.'])
  })

  it('makes no call for fewer than two tips without failed cases, nor for instructions it already produced', async () => {
    const { lm, seen } = consolidator(() => 'One rule.')
    const done = new Set<string>()
    expect((await consolidateAdvice(new Predict('word -> answer', { instructions: 'Answer.\n\nOnly tip.' }), base, lm, done)).calls).toBe(0)
    const first = await consolidateAdvice(new Predict('word -> answer', { instructions: 'Answer.\n\nA.\n\nB.' }), base, lm, done)
    expect(first.program?.instructions).toBe('Answer.\n\nOne rule.')
    expect((await consolidateAdvice(new Predict('word -> answer', { instructions: 'Answer.\n\nOne rule.\n\nC.' }), base, lm, done)).calls).toBe(1)
    const again = await consolidateAdvice(new Predict('word -> answer', { instructions: 'Answer.\n\nOne rule.' }), base, lm, done, [], 1)
    expect(again).toEqual({ program: undefined, calls: 0, failures: [] })
    expect(seen).toHaveLength(2)
  })

  it('reports a failed call or an empty reply and leaves the program as it was', async () => {
    const broken = new ScriptedLM({ reply: () => 'not markers at all' })
    const program = new Predict('word -> answer', { instructions: 'Answer.\n\nA.\n\nB.' })
    const r = await consolidateAdvice(program, base, broken, new Set())
    expect(r.program).toBeUndefined()
    expect(r.failures).toHaveLength(1)
    expect(r.failures[0]).toMatch(/^self: /)
    const empty = consolidator(() => '   ')
    expect((await consolidateAdvice(program, base, empty.lm, new Set())).failures).toEqual(['self: the consolidation reply held no rules'])
  })

  it('runs in improved mode and is counted: consolidated merged candidates are logged, calls metered, off without the option', async () => {
    const run = async (consolidate: boolean) => {
      const { lm, seen } = consolidator((tips) => [...new Set(tips.map((t) => t.replace(/^Tip \d+: /, '')))].join('\n'))
      const res = await simba(new Predict('word -> answer'), { bsize: 8, numCandidates: 3, maxSteps: 2, maxDemos: 0, metric: exactMetric, trainset: uppercaseSet(8), lm, seed: 3, mode: 'improved', consolidateAdvice: consolidate, reflectiveStart: false })
      return { res, seen, calls: lm.family.calls.length }
    }
    const on = await run(true)
    const merged = on.res.trialLogs.steps.flatMap((s) => s.candidates).filter((c) => c.strategy === 'merge')
    expect(on.seen.length).toBeGreaterThan(0)
    expect(merged.some((c) => c.consolidated === true)).toBe(true)
    expect(on.res.usage.calls).toBe(on.calls)
    expect(on.res.settings).toMatchObject({ consolidateAdvice: true, carryAdvice: true })
    const off = await run(false)
    expect(off.seen).toHaveLength(0)
    expect(off.res.trialLogs.steps.flatMap((s) => s.candidates).some((c) => c.consolidated === true)).toBe(false)
  })
})

describe('failedCases', () => {
  it('lists up to 8 runs below 1, lowest first, with inputs, outputs, expected outputs and feedback', () => {
    const run = (i: number, score: number): RunRecord => ({ example: new Example({ word: `w${i}`, answer: `W${i}` }, ['word']), prediction: { answer: `w${i}` }, trace: [], score, outputMetadata: { feedback: `f${i}` } })
    const runs = [run(0, 1), run(1, 0.5), run(2, 0), ...Array.from({ length: 9 }, (_, k) => run(3 + k, 0))]
    const out = failedCases(runs)
    expect(out).toHaveLength(8)
    expect(out[0]).toEqual({ inputs: { word: 'w2' }, outputs: { answer: 'w2' }, expected: { answer: 'W2' }, feedback: 'f2' })
    expect(out.map((f) => f.inputs['word'])).not.toContain('w0')
  })
})

describe('keepDemos', () => {
  const demo = fc.record({ q: fc.string({ maxLength: 3 }), a: fc.constantFrom('x', 'y', 'z', 'w') })
  it('keeps min(max, n) demos in order, as many distinct outputs as fit, and the newest of each output (property)', () => {
    fc.assert(
      fc.property(fc.array(demo, { maxLength: 12 }), fc.integer({ min: 1, max: 6 }), (demos, max) => {
        const kept = keepDemos(demos, max, ['a'])
        expect(kept).toHaveLength(Math.min(max, demos.length))
        let at = -1
        for (const d of kept) {
          const i = demos.indexOf(d, at + 1)
          expect(i).toBeGreaterThan(at) // a subsequence, in order
          at = i
        }
        const distinct = new Set(demos.map((d) => d.a)).size
        expect(new Set(kept.map((d) => d.a)).size).toBe(Math.min(max, distinct))
        if (demos.length > 0) expect(kept).toContain(demos[demos.length - 1]) // the newest always stays
      }),
      { numRuns: 300 },
    )
  })
})

describe('improved preset', () => {
  it('turns carryAdvice and consolidateAdvice on; faithful keeps them off', () => {
    const resolve = (o: object) => resolveOptions(new Predict('word -> answer'), { trainset: uppercaseSet(4), metric: exactMetric, lm: new ScriptedLM({ reply: () => '' }), ...o }, () => {})
    expect(resolve({})).toMatchObject({ carryAdvice: false, consolidateAdvice: false })
    expect(resolve({ mode: 'improved' })).toMatchObject({ carryAdvice: true, consolidateAdvice: true })
    expect(resolve({ mode: 'improved', consolidateAdvice: false })).toMatchObject({ carryAdvice: true, consolidateAdvice: false })
  })
})
