/**
 * Advice check (`checkAdvice`, improved mode): quoted cues that the labelled trainset contradicts
 * are removed from advice before it is appended, and from consolidated rules.
 */
import { describe, expect, it } from 'vitest'
import { Example } from '../../src/core/example/example.js'
import { Predict } from '../../src/core/predict/predict.js'
import { AdviceCheck } from '../../src/optimizer/simba/advice-check.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import type { CandidateLog, SimbaEvent } from '../../src/optimizer/simba/types.js'
import { block, chatReply, hash, ScriptedLM } from './scripted-lm.js'

/** Fruit cases: "apple" → red, "berry" → blue, "plum" → blue; "basket" appears under both labels. */
const fruit = (n: number): Example[] =>
  Array.from({ length: n }, (_, i) => {
    const kind = ['apple', 'berry', 'plum'][i % 3] as string
    return new Example({ text: `a ${kind} in the ${i % 2 === 0 ? 'basket' : 'bowl'} number ${i}`, label: kind === 'apple' ? 'red' : 'blue' }, ['text'], `f${i}`)
  })

describe('AdviceCheck', () => {
  const check = new AdviceCheck(fruit(12))

  it('flags a quoted cue whose training cases mostly have another label, keeps a right or unknown one', () => {
    expect(check.contradicted('When the text mentions "berry", the label is red.')).toEqual(['berry'])
    expect(check.contradicted('When the text mentions "apple", the label is red.')).toEqual([])
    expect(check.contradicted('When the text mentions "kiwi", the label is red.')).toEqual([])
    // "basket" is in cases of both labels, two of six red: not a cue for red.
    expect(check.contradicted('Anything that says "basket" belongs to red.')).toEqual(['basket'])
    // Exactly half is not support either: without plums, two of the four "bowl" cases are red.
    expect(new AdviceCheck(fruit(12).filter((ex) => !String(ex.data.text).includes('plum'))).contradicted('A case in the "bowl" is red.')).toEqual(['bowl'])
    // No label, or two labels ("blue, not red"): the sentence is not a claim the data can check.
    expect(check.contradicted('Read "berry" carefully.')).toEqual([])
    expect(check.contradicted('"berry" goes to blue, not red.')).toEqual([])
  })

  it('from 30 training cases on, a phrase only one case holds (the one the tip was written for) is no support', () => {
    const tip = 'When the text mentions "number 7", the label is blue.'
    expect(check.contradicted(tip)).toEqual([])
    expect(new AdviceCheck(fruit(30)).contradicted(tip)).toEqual(['number 7'])
    expect(new AdviceCheck(fruit(30)).contradicted('When the text mentions "berry", the label is blue.')).toEqual([])
  })

  it('removes contradicted cues from lists, drops sentences left without a cue, keeps the rest', () => {
    expect(check.prune('When the text mentions "apple", "berry" or "kiwi", the label is red.')).toEqual({ text: 'When the text mentions "apple" or "kiwi", the label is red.', removed: ['berry'] })
    expect(check.prune('When the text mentions "berry", the label is red. Be careful.')).toEqual({ text: 'Be careful.', removed: ['berry'] })
    expect(check.prune('Rule one: "plum" is blue.\n\nRule two: "plum" is red.')).toEqual({ text: 'Rule one: "plum" is blue.', removed: ['plum'] })
  })

  it('does nothing on free-text outputs (every label value distinct)', () => {
    const free = new AdviceCheck(Array.from({ length: 6 }, (_, i) => new Example({ q: `question ${i}`, a: `answer ${i}` }, ['q'])))
    expect(free.prune('When the q mentions "question", answer "answer 1".').removed).toEqual([])
  })
})

/**
 * Scripted fruit classifier: answers red only for "apple" (right) unless the instructions say
 * "berry" … red, which it follows (a misleadable model); at temperature 1 a seeded third of the
 * answers flip, so rollouts disagree. The rule writer always writes the wrong rule.
 */
function fruitLM(): ScriptedLM {
  return new ScriptedLM({
    reply: (i) => {
      if (i.system.includes('module_advice')) {
        const names = JSON.parse(block(i.last, 'module_names') ?? '[]') as string[]
        return chatReply({ discussion: 'Compared the runs.', module_advice: Object.fromEntries(names.map((n) => [n, 'When the text mentions "berry", the label is red.'])) })
      }
      const text = block(i.last, 'text') ?? ''
      let label = text.includes('apple') || (text.includes('berry') && /"berry"[^.]*red/.test(i.system)) ? 'red' : 'blue'
      if (i.rolloutId !== undefined && i.temperature > 0.5 && hash(`${i.rolloutId}:${text}`) % 3 === 0) label = label === 'red' ? 'blue' : 'red'
      return chatReply({ label })
    },
  })
}

const metric = (ex: Example, p: { label?: string }) => (p.label === ex.data.label ? 1 : 0)

async function ruleLogs(checkAdvice: boolean): Promise<{ logs: CandidateLog[]; instructions: string }> {
  const events: SimbaEvent[] = []
  const r = await simba(new Predict('text -> label'), { trainset: fruit(12), metric, lm: fruitLM(), mode: 'improved', labeledDemos: 0, maxDemos: 0, bsize: 6, numCandidates: 3, maxSteps: 2, seed: 1, checkAdvice, onProgress: (e) => events.push(e) })
  return { logs: events.flatMap((e) => (e.type === 'candidate' && e.phase === 'built' && e.candidate.strategy === 'append_a_rule' && e.candidate.ruleCall === 'ok' ? [e.candidate] : [])), instructions: r.program.instructions }
}

describe('checkAdvice in a run', () => {
  it('does not append a rule the trainset contradicts; without the check it is appended', async () => {
    const on = await ruleLogs(true)
    expect(on.logs.length).toBeGreaterThan(0)
    for (const c of on.logs) {
      expect(c.outcome).toBe('skipped')
      expect(c.reason).toContain('contradicted by the trainset')
    }
    expect(on.instructions).not.toContain('berry')
    const off = await ruleLogs(false)
    expect(off.logs.some((c) => c.outcome === 'applied')).toBe(true)
  })
})
