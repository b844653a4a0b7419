import { describe, expect, it } from 'vitest'
import { Example } from '../../src/core/example/example.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import { adviceReply, exactMetric, taskReply, TwoStage, uppercaseSet } from './fixtures.js'
import { ScriptedLM } from './scripted-lm.js'

const trainset = uppercaseSet(8).map((e) => new Example({ text: `${e.data.word} now`, answer: e.data.answer }, ['text']))
const task = () => new ScriptedLM({ reply: taskReply, latency: () => Math.floor(Math.random() * 2) })

describe('simba LM routing', () => {
  it('keeps each predictor on its own LM, applies slot temperatures, teacher and fresh rollout ids', async () => {
    const lmA = task()
    const lmB = task()
    const teacher = task()
    const writer = new ScriptedLM({ reply: (i) => adviceReply(i) })
    const program = new TwoStage()
    program.extract.lm = lmA
    program.label.lm = lmB
    const res = await simba(program, {
      trainset, valset: trainset.slice(0, 3), metric: exactMetric, bsize: 4, numCandidates: 3, maxSteps: 2, seed: 4,
      promptModel: writer, teacherSettings: { lm: teacher }, temperatureSchedule: [9, 0.7, 0.9], freshRolloutIds: true,
    })
    for (const lm of [lmA, lmB, writer]) expect(lm.family.calls.length).toBeGreaterThan(0)
    expect(lmA.family.calls.every((c) => c.system.includes('`text`'))).toBe(true)
    expect(lmB.family.calls.every((c) => c.system.includes('`word`'))).toBe(true)
    expect(writer.family.calls.every((c) => c.system.includes('module_advice'))).toBe(true)
    const rollouts = (lm: ScriptedLM) => lm.family.calls.filter((c) => c.rolloutId !== undefined)
    // Slot 0 is the teacher (its own temperature 0), slots 1..2 follow the schedule.
    expect(new Set(rollouts(lmA).map((c) => `${c.rolloutId}@${c.temperature}`))).toEqual(new Set(['1@0.7', '2@0.9', '4@0.7', '5@0.9']))
    expect(new Set(rollouts(teacher).map((c) => `${c.rolloutId}@${c.temperature}`))).toEqual(new Set(['0@0', '3@0']))
    expect(lmA.rolloutId).toBeUndefined()
    expect(teacher.rolloutId).toBeUndefined()
    // Candidate and final evaluation use the predictors' own LMs unchanged.
    const plainCalls = lmB.family.calls.filter((c) => c.rolloutId === undefined)
    expect(plainCalls.length).toBeGreaterThan(0)
    expect(plainCalls.every((c) => c.temperature === 0)).toBe(true)
    expect(res.trialLogs.final.length).toBeGreaterThan(0)
    expect(res.usage.calls).toBe(lmA.usage().calls + lmB.usage().calls + teacher.usage().calls + writer.usage().calls)
  })
})
