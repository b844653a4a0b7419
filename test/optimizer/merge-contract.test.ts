/**
 * The merged candidate of improved mode, as docs/simba.md states it: it holds the winner plus the
 * additions of the other changed candidates that scored *at least* the step's rollout mean, it
 * replaces the winner when it scores *at least as well*, it receives what endorsed candidates of
 * earlier steps added (`carryAdvice`, the step winners' own additions included), and consolidation
 * sees the winner's failed cases (`consolidateAdvice`).
 *
 * The scripted world makes every score exact: rollouts are right in slot 0 and wrong in slot 1, so
 * each step's rollout mean is 0.5; at temperature 0 the program is right on the first half of the
 * trainset whatever its instructions, so every candidate and every merge scores 0.5 too (ties
 * everywhere). The rule writer's tip names the bucket's word, so every candidate adds its own tip.
 */
import { describe, expect, it } from 'vitest'
import { Predict } from '../../src/core/predict/predict.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import type { CandidateLog, SimbaEvent, SimbaOptions } from '../../src/optimizer/simba/types.js'
import { adviceReply, exactMetric, uppercaseSet } from './fixtures.js'
import { block, chatReply, ScriptedLM } from './scripted-lm.js'

const trainset = uppercaseSet(8)
const knownAtZero = new Set(trainset.slice(0, 4).map((e) => String(e.data.word)))

/** A run of the tie world; records every tip per step, the consolidation requests and the merged programs' prompts. */
async function tieWorld(options: Partial<SimbaOptions<Predict>>, world: { sameTip?: boolean; consolidatorFails?: boolean; poison?: (word: string) => boolean; mergedFails?: boolean } = {}) {
  let step = -1
  const tips: string[][] = []
  const consolidations: Array<{ step: number; failed: Array<{ inputs: { word: string }; expected: { answer: string } }> }> = []
  const lm = new ScriptedLM({
    reply: (i) => {
      if (i.system.includes('consolidated_advice')) {
        consolidations.push({ step, failed: JSON.parse(block(i.last, 'failed_cases') ?? '[]') })
        if (world.consolidatorFails) throw new Error('consolidator down')
        return chatReply({ consolidated_advice: `Rule one of step ${step}.\nRule two of step ${step}.` })
      }
      if (i.system.includes('module_advice')) {
        const tip = world.sameTip ? 'Answer in capitals.' : `Tip for ${String(JSON.parse(block(i.last, 'program_inputs') ?? '{}').word)}.`
        tips[step]!.push(tip)
        return adviceReply(i, () => tip)
      }
      if (world.mergedFails && (i.system.match(/Tip for /g) ?? []).length > 1) throw new Error('merged program broke')
      const word = block(i.last, 'word') ?? ''
      const poisoned = world.poison !== undefined && [...i.system.matchAll(/Tip for (\S+)\./g)].some((m) => world.poison!(m[1]!))
      const right = !poisoned && (i.rolloutId === undefined ? knownAtZero.has(word) : i.rolloutId === 0)
      return chatReply({ answer: right ? word.toUpperCase() : word })
    },
  })
  const mergedPrompt: string[] = []
  const events: SimbaEvent[] = []
  const onProgress = (e: SimbaEvent) => {
    events.push(e)
    if (e.type === 'step-start') {
      step = e.step
      tips[step] = []
    }
    // Emitted right after the merged candidate's evaluation: the last call ran the merged program.
    if (e.type === 'candidate' && e.phase === 'built' && e.candidate.strategy === 'merge') mergedPrompt[e.step] = lm.family.calls.at(-1)!.system
  }
  const res = await simba(new Predict('word -> answer', { instructions: 'Answer.' }), { bsize: 8, numCandidates: 2, maxDemos: 0, metric: exactMetric, trainset, lm, mergeAdvice: true, onProgress, ...options })
  const steps = res.trialLogs.steps
  const merge = (t: number): CandidateLog | undefined => steps[t]!.candidates.find((c) => c.strategy === 'merge')
  return { res, steps, tips, consolidations, mergedPrompt, merge, events }
}

describe('the merged candidate (mergeAdvice)', () => {
  it('takes the additions of a candidate that scored exactly the rollout mean, and replaces a winner it ties', async () => {
    const { steps, tips, mergedPrompt, merge } = await tieWorld({ maxSteps: 1, seed: 1 })
    const s = steps[0]!
    expect(s.rolloutMean).toBe(0.5)
    const built = s.candidates.filter((c) => c.strategy !== 'merge')
    expect(built.map((c) => [c.outcome, c.score])).toEqual([['applied', 0.5], ['applied', 0.5]])
    // The runner-up scored exactly the mean: it is endorsed, so a merged candidate exists.
    const m = merge(0)
    expect(m).toBeDefined()
    expect(m!.sourceId).toBe(built[0]!.id) // built on the winner (the first of the tied candidates)
    expect(tips[0]).toHaveLength(2)
    for (const tip of tips[0]!) expect(mergedPrompt[0]).toContain(tip)
    // It scores as well as the winner, so it is the step winner.
    expect(m!.score).toBe(0.5)
    expect(s.winner).toEqual({ id: m!.id, score: 0.5 })
    expect(m).toEqual({ id: m!.id, sourceId: built[0]!.id, bucketExample: -1, strategy: 'merge', outcome: 'applied', droppedDemos: [], score: 0.5 })
  })

  it('leaves out the additions of a candidate that scored below the rollout mean', async () => {
    // A tip naming a word of the second half makes every answer wrong: its candidate scores 0.
    const bad = (w: string) => !knownAtZero.has(w)
    let checked = 0
    for (let seed = 1; seed <= 12 && checked < 2; seed++) {
      const { steps, tips, mergedPrompt, merge } = await tieWorld({ numCandidates: 3, maxSteps: 1, seed }, { poison: bad })
      const s = steps[0]!
      const good = tips[0]!.filter((t) => !bad(t.slice(8, -1)))
      const poison = tips[0]!.filter((t) => bad(t.slice(8, -1)))
      if (good.length < 2 || poison.length === 0 || !merge(0)) continue
      checked++
      expect(s.candidates.filter((c) => c.strategy !== 'merge').map((c) => c.score).sort()).toEqual([...poison.map(() => 0), ...good.map(() => 0.5)])
      for (const t of good) expect(mergedPrompt[0], `seed ${seed}`).toContain(t)
      for (const t of poison) expect(mergedPrompt[0], `seed ${seed}`).not.toContain(t)
    }
    expect(checked).toBe(2)
  })

  it("counts its failed runs like any candidate's (runErrors, maxErrors)", async () => {
    const { res, merge, steps } = await tieWorld({ maxSteps: 1, seed: 1 }, { mergedFails: true })
    expect(merge(0)).toMatchObject({ strategy: 'merge', score: 0 })
    expect(steps[0]!.winner?.id).toBe(steps[0]!.candidates[0]!.id) // 0 < 0.5: the winner stays
    expect(res.summary.runErrors).toBe(8)
    await expect(tieWorld({ maxSteps: 1, seed: 1, maxErrors: 3 }, { mergedFails: true })).rejects.toThrow(/last in merged candidate evaluation \(step 0\)/)
  })

  it('is announced like any candidate: built, then evaluated, with its score, then it is the step winner', async () => {
    const { events, merge } = await tieWorld({ maxSteps: 1, seed: 1 })
    const m = merge(0)!
    const mergeEvents = events.filter((e) => e.type === 'candidate' && e.candidate.strategy === 'merge') as Array<Extract<SimbaEvent, { type: 'candidate' }>>
    expect(mergeEvents.map((e) => [e.phase, e.step, e.candidate])).toEqual([
      ['built', 0, m],
      ['evaluated', 0, m],
    ])
    const end = events.find((e) => e.type === 'step-end') as Extract<SimbaEvent, { type: 'step-end' }>
    expect(end.winner).toEqual({ id: m.id, score: 0.5 })
  })

  it('is not built when the other candidates add nothing the winner lacks', async () => {
    const { steps, merge } = await tieWorld({ maxSteps: 1, seed: 1 }, { sameTip: true })
    expect(merge(0)).toBeUndefined()
    expect(steps[0]!.winner?.id).toBe(steps[0]!.candidates[0]!.id)
  })
})

describe('remembered additions (carryAdvice)', () => {
  it("give a later merged candidate every tip of an earlier step, the step winner's own included, when its winner comes from another lineage", async () => {
    // Three candidates a step (rollout mean 1/3, so all of them are endorsed). Kept: seeds where
    // step 1's winner descends from a program without the step-0 winner's tip (the step-0
    // runner-up or the baseline, not the step-0 winner nor the merge that holds its tip).
    let checked = 0
    for (let seed = 1; seed <= 12 && checked < 2; seed++) {
      const { steps, tips, mergedPrompt, merge } = await tieWorld({ numCandidates: 3, maxSteps: 2, seed, carryAdvice: true })
      const [s0, s1] = [steps[0]!, steps[1]!]
      const winner0 = s0.candidates.find((c) => c.strategy !== 'merge')!
      const m1 = merge(1)
      if (!m1) continue
      const winner1 = s1.candidates.find((c) => c.id === m1.sourceId)!
      if (winner1.sourceId === winner0.id || winner1.sourceId === merge(0)?.id) continue
      checked++
      expect(tips[0], `seed ${seed}`).toHaveLength(3)
      for (const tip of [...tips[0]!, ...tips[1]!]) expect(mergedPrompt[1], `seed ${seed}`).toContain(tip)
    }
    expect(checked).toBe(2)
  })
})

describe('consolidated advice (consolidateAdvice)', () => {
  it("shows the prompt model the step winner's failed cases with their expected outputs", async () => {
    const { consolidations } = await tieWorld({ maxSteps: 1, seed: 1, consolidateAdvice: true })
    expect(consolidations).toHaveLength(1)
    const failed = consolidations[0]!.failed
    const wrong = trainset.slice(4).map((e) => String(e.data.word))
    expect(failed.map((f) => f.inputs.word).sort()).toEqual([...wrong].sort())
    for (const f of failed) expect(f.expected.answer).toBe(f.inputs.word.toUpperCase())
  })

  it("rewrites the winner's own tips when nothing else is merged; the rewrite is scored as the merged candidate", async () => {
    const { consolidations, merge, steps, mergedPrompt } = await tieWorld({ maxSteps: 1, seed: 1, consolidateAdvice: true }, { sameTip: true })
    expect(consolidations).toHaveLength(1)
    const m = merge(0)
    expect(m).toMatchObject({ strategy: 'merge', consolidated: true, sourceId: steps[0]!.candidates[0]!.id, score: 0.5 })
    expect(mergedPrompt[0]).toContain('Rule one of step 0.')
    expect(mergedPrompt[0]).not.toContain('Answer in capitals.')
  })

  it('counts a failed consolidation call as a rule-writer failure: over maxErrors it stops the run', async () => {
    const tolerant = await tieWorld({ maxSteps: 1, seed: 1, consolidateAdvice: true }, { consolidatorFails: true })
    expect(tolerant.merge(0)).toMatchObject({ strategy: 'merge', score: 0.5 })
    expect(tolerant.merge(0)).not.toHaveProperty('consolidated')
    const strict = tieWorld({ maxSteps: 1, seed: 1, consolidateAdvice: true, maxErrors: 0 }, { consolidatorFails: true })
    await expect(strict).rejects.toThrow(/consolidator down/)
    await expect(strict).rejects.toThrow(/last in advice consolidation \(step 0\)/)
  })
})
