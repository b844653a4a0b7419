/**
 * What consolidation (`consolidateAdvice`) and the advice memory (`carryAdvice`) promise in
 * docs/simba.md, pinned one rule at a time: the request the prompt model sees, which predictors
 * are sent, how a reply becomes rules, failures counted like rule-writer failures, and what the
 * memory keeps.
 */
import { describe, expect, it } from 'vitest'
import { Example } from '../../src/core/example/example.js'
import { Module } from '../../src/core/module/module.js'
import { withSettings } from '../../src/core/module/settings.js'
import { Predict } from '../../src/core/predict/predict.js'
import { AdviceMemory, additionsOver } from '../../src/optimizer/simba/memory.js'
import { Pool } from '../../src/optimizer/simba/pool.js'
import { failedCases, mergeCandidates } from '../../src/optimizer/simba/step.js'
import { consolidateAdvice, normParagraph, paragraphs, tipsOf } from '../../src/optimizer/simba/strategies/consolidate.js'
import type { BuiltCandidate } from '../../src/optimizer/simba/candidates.js'
import type { RunRecord } from '../../src/optimizer/simba/strategies/types.js'
import { block, chatReply, ScriptedLM, type CallInfo } from './scripted-lm.js'

const base = new Predict('word -> answer', { instructions: 'Answer.' })
const withTips = (...tips: string[]) => new Predict('word -> answer', { instructions: ['Answer.', ...tips].join('\n\n') })

/** A prompt model replying `reply` to every consolidation request, recording the requests. */
function promptModel(reply: (i: CallInfo) => string = () => chatReply({ consolidated_advice: 'One rule.' })) {
  const calls: CallInfo[] = []
  const lm = new ScriptedLM({
    reply: (i) => {
      calls.push(i)
      return reply(i)
    },
  })
  return { lm, calls }
}

describe('the consolidation request', () => {
  it('states the task (rewrite gathered tips into rules that keep every cue, one rule per failed case, one rule per line) and describes every field', async () => {
    const { lm, calls } = promptModel()
    await consolidateAdvice(withTips('Tip one.', 'Tip two.'), base, lm, new Set())
    expect(calls).toHaveLength(1)
    const system = calls[0]!.system
    expect(system).toMatch(/given advice, one tip at a time/)
    expect(system).toMatch(/overlap, repeat each other/)
    expect(system).toMatch(/names every cue phrase/)
    expect(system).toMatch(/drop tips that name no concrete cue/)
    expect(system).toMatch(/failed cases are listed/)
    expect(system).toMatch(/points to the expected output/)
    expect(system).toMatch(/one rule per line/)
    expect(system).toMatch(/Do not repeat the module instructions/)
    expect(system).not.toMatch(/[.;:][A-Z]/) // sentences separated by spaces
    const described = (name: string) => new RegExp(`\`${name}\` \\(string\\): \\S`)
    for (const f of ['module_instructions', 'module_fields', 'advice_tips', 'failed_cases', 'consolidated_advice']) expect(system, f).toMatch(described(f))
    expect(system).toMatch(/`module_instructions` \(string\): The instructions the module started from/)
    expect(system).toMatch(/`module_fields` \(string\): The module's input and output fields/)
    expect(system).toMatch(/`advice_tips` \(string\): The tips gathered so far, oldest first/)
    expect(system).toMatch(/`failed_cases` \(string\): Cases of the current mini-batch that the program got wrong/)
    expect(system).toMatch(/`consolidated_advice` \(string\): The rewritten rules, one per line/)
  })

  it("shows the baseline's instructions, the predictor's fields, its tips beyond the baseline and the failed cases", async () => {
    const { lm, calls } = promptModel()
    const failed = [{ inputs: { word: 'x' }, outputs: { answer: 'x' }, expected: { answer: 'X' } }]
    await consolidateAdvice(withTips('Tip one.'), base, lm, new Set(), failed)
    const last = calls[0]!.last
    expect(block(last, 'module_instructions')).toBe('Answer.')
    expect(block(last, 'module_fields')).toBe('word -> answer')
    expect(JSON.parse(block(last, 'advice_tips')!)).toEqual(['Tip one.'])
    expect(JSON.parse(block(last, 'failed_cases')!)).toEqual(failed)
  })
})

describe('which predictors are consolidated', () => {
  it('one tip is enough with failed cases, none is not; two tips are needed without (or minTips)', async () => {
    const failed = [{ inputs: { word: 'x' }, outputs: null, expected: { answer: 'X' } }]
    const count = async (p: Predict, f: typeof failed, minTips?: number) => {
      const { lm, calls } = promptModel()
      const r = await consolidateAdvice(p, base, lm, new Set(), f, minTips)
      expect(r.calls).toBe(calls.length)
      return calls.length
    }
    expect(await count(withTips('Only tip.'), failed)).toBe(1)
    expect(await count(withTips(), failed)).toBe(0)
    expect(await count(withTips('Only tip.'), [])).toBe(0)
    expect(await count(withTips('A.', 'B.'), [])).toBe(1)
    expect(await count(withTips('A.', 'B.', 'C.'), [], 4)).toBe(0)
    expect(await count(withTips('A.'), [], 1)).toBe(1)
  })

  it('sends instructions it produced itself again only when there are failed cases to learn from', async () => {
    const done = new Set<string>()
    const first = promptModel(() => chatReply({ consolidated_advice: 'Rule X.\nRule Y.' }))
    const r = await consolidateAdvice(withTips('A.', 'B.'), base, first.lm, done)
    expect(r.program?.instructions).toBe('Answer.\n\nRule X.\n\nRule Y.')
    const again = promptModel()
    expect((await consolidateAdvice(r.program!, base, again.lm, done)).calls).toBe(0)
    expect((await consolidateAdvice(r.program!, base, again.lm, done, [{ inputs: {}, outputs: null, expected: {} }])).calls).toBe(1)
  })

  it('consolidates each predictor on its own, against the baseline predictor of the same name', async () => {
    class Two extends Module<{ word: string }, { answer: string }> {
      first = new Predict('word -> stem', { instructions: 'Find the stem.' })
      second = new Predict('stem -> answer', { instructions: 'Answer.' })
      async forward(inputs: { word: string }) {
        const s = (await this.first.forward(inputs)) as { stem: string }
        return (await this.second.forward({ stem: s.stem })) as { answer: string }
      }
    }
    const program = new Two()
    program.first.instructions = 'Find the stem.\n\nStem A.\n\nStem B.'
    program.second.instructions = 'Answer.\n\nOnly one.'
    const { lm, calls } = promptModel((i) => chatReply({ consolidated_advice: `Rule for ${block(i.last, 'module_fields')}.` }))
    const r = await consolidateAdvice(program, new Two(), lm, new Set())
    expect(calls.map((c) => block(c.last, 'module_instructions'))).toEqual(['Find the stem.'])
    expect(r.program?.first.instructions).toBe('Find the stem.\n\nRule for word -> stem.')
    expect(r.program?.second.instructions).toBe('Answer.\n\nOnly one.')
  })
})

describe('paragraphs and tips', () => {
  it('paragraphs are split at blank lines (spaces allowed on them), trimmed, empty ones dropped; compared without case or spacing', () => {
    expect(paragraphs('\n\n  First one.\nsame paragraph.  \n \t \nSecond.\n\n\n\nThird.\n\n')).toEqual(['First one.\nsame paragraph.', 'Second.', 'Third.'])
    expect(normParagraph('  Tip\n  ONE. ')).toBe('tip one.')
    expect(tipsOf('Answer.\n\nTip one.\n\n ANSWER. \n\nTip two.', 'answer.')).toEqual(['Tip one.', 'Tip two.'])
  })

  it('a predictor the baseline lacks has no baseline instructions: all its paragraphs are tips', async () => {
    class Other extends Module<{ word: string }, { answer: string }> {
      label = new Predict('word -> answer', { instructions: 'Label.' })
      async forward(inputs: { word: string }) {
        return (await this.label.forward(inputs)) as { answer: string }
      }
    }
    const { lm, calls } = promptModel()
    const r = await consolidateAdvice(withTips('A.'), new Other(), lm, new Set())
    expect(JSON.parse(block(calls[0]!.last, 'advice_tips')!)).toEqual(['Answer.', 'A.'])
    expect(block(calls[0]!.last, 'module_instructions')).toBe('')
    expect(r.program?.instructions).toBe('One rule.')
  })
})

describe('reading the reply', () => {
  it('drops list marks (-, *, •, 1., 12)), surrounding spaces, blank lines and lines that repeat the baseline', async () => {
    const { lm } = promptModel(() => chatReply({ consolidated_advice: '  - Dash rule.\n*Star rule.\n  •  Bullet rule.\n\n12) Twelve rule.\n3. Three rule.\n  \n answer. \nPlain rule.' }))
    const r = await consolidateAdvice(withTips('A.', 'B.'), base, lm, new Set())
    expect(r.program?.instructions).toBe(['Answer.', 'Dash rule.', 'Star rule.', 'Bullet rule.', 'Twelve rule.', 'Three rule.', 'Plain rule.'].join('\n\n'))
    expect(r.failures).toEqual([])
  })

  it('a reply that gives back the same instructions changes nothing but is remembered as done', async () => {
    const { lm, calls } = promptModel(() => chatReply({ consolidated_advice: 'A.\nB.' }))
    const done = new Set<string>()
    const r = await consolidateAdvice(withTips('A.', 'B.'), base, lm, done)
    expect(r).toEqual({ program: undefined, calls: 1, failures: [] })
    expect((await consolidateAdvice(withTips('A.', 'B.'), base, lm, done)).calls).toBe(0)
    expect(calls).toHaveLength(1)
  })

  it('an unusable reply is reported naming the consolidation writer', async () => {
    const { lm } = promptModel(() => 'no markers at all')
    const r = await consolidateAdvice(withTips('A.', 'B.'), base, lm, new Set())
    expect(r.failures).toHaveLength(1)
    expect(r.failures[0]).toMatch(/^self: .*simba\.consolidate/)
  })

  it('always calls the prompt model it was given, whatever LM mapping is active around it', async () => {
    const { lm, calls } = promptModel()
    const other = promptModel()
    await withSettings({ mapLM: () => other.lm }, () => consolidateAdvice(withTips('A.', 'B.'), base, lm, new Set()))
    expect(calls).toHaveLength(1)
    expect(other.calls).toHaveLength(0)
  })

  it("a failed call is reported as '<predictor>: <first line of the error>'", async () => {
    const lm = new ScriptedLM({
      reply: () => {
        throw new Error('provider down\nstack line')
      },
    })
    const r = await consolidateAdvice(withTips('A.', 'B.'), base, lm, new Set())
    expect(r.failures).toEqual(['self: provider down'])
    expect(r.program).toBeUndefined()
  })
})

describe('failedCases', () => {
  const run = (i: number, score: number, feedback?: string): RunRecord => ({ example: new Example({ word: `w${i}`, answer: `W${i}` }, ['word']), prediction: { answer: `w${i}` }, trace: [], score, outputMetadata: feedback === undefined ? {} : { feedback } })
  it('keeps runs below 1 (a perfect run is not a failure), lowest first, ties in batch order, at most `max`', () => {
    const runs = [run(0, 1), run(1, 0.5), run(2, 0), run(3, 0.5), run(4, 0.99), run(5, 0)]
    expect(failedCases(runs).map((f) => f.inputs['word'])).toEqual(['w2', 'w5', 'w1', 'w3', 'w4'])
    expect(failedCases(runs, 2).map((f) => f.inputs['word'])).toEqual(['w2', 'w5'])
  })
  it('shows feedback only when the metric gave some', () => {
    const [f] = failedCases([run(0, 0)])
    expect(f).toEqual({ inputs: { word: 'w0' }, outputs: { answer: 'w0' }, expected: { answer: 'W0' } })
    expect(f).not.toHaveProperty('feedback')
    expect(failedCases([run(0, 0, 'expected W0')])[0]).toHaveProperty('feedback', 'expected W0')
  })
})

describe('advice memory', () => {
  const built = (program: Predict, sourceId: number): BuiltCandidate<Predict> => ({ program, runs: [], log: { id: 1, sourceId, bucketExample: 0, strategy: 'append_a_rule', outcome: 'applied', droppedDemos: [] } })

  it('additionsOver lists only predictors that added something: paragraphs (case/space-insensitive) and demos the source lacks', () => {
    const source = new Predict('word -> answer', { instructions: 'Answer.\n\nOld tip.', demos: [{ word: 'a', answer: 'A' }] })
    expect(additionsOver(source.clone(), source).size).toBe(0)
    expect(additionsOver(new Predict('word -> answer', { instructions: 'answer.\n\nOLD   tip.', demos: [{ answer: 'A', word: 'a' }] }), source).size).toBe(0)
    const grown = new Predict('word -> answer', { instructions: 'Answer.\n\nOld tip.\n\nNew tip.', demos: [{ word: 'a', answer: 'A' }, { word: 'b', answer: 'B' }] })
    expect(additionsOver(grown, source)).toEqual(new Map([['self', { paragraphs: ['New tip.'], demos: [{ word: 'b', answer: 'B' }] }]]))
    const memory = new AdviceMemory()
    memory.remember(additionsOver(source.clone(), source))
    expect(memory.all().size).toBe(0)
  })

  it('against a source without that predictor, all of its paragraphs and demos are additions', () => {
    class Other extends Module<{ word: string }, { answer: string }> {
      label = new Predict('word -> answer', { instructions: 'Answer.' })
      async forward(inputs: { word: string }) {
        return (await this.label.forward(inputs)) as { answer: string }
      }
    }
    const program = new Predict('word -> answer', { instructions: 'Answer.\n\nTip.', demos: [{ word: 'a', answer: 'A' }] })
    expect(additionsOver(program, new Other())).toEqual(new Map([['self', { paragraphs: ['Answer.', 'Tip.'], demos: [{ word: 'a', answer: 'A' }] }]]))
  })

  it('a repeated demo keeps its first spelling', () => {
    const memory = new AdviceMemory()
    memory.remember(new Map([['self', { paragraphs: [], demos: [{ word: 'a', answer: 'A' }] }]]))
    memory.remember(new Map([['self', { paragraphs: [], demos: [{ answer: 'A', word: 'a' }] }]]))
    expect(JSON.stringify(memory.all().get('self')!.demos)).toBe('[{"word":"a","answer":"A"}]')
  })

  it('a merge does not repeat a demo the winner already holds', () => {
    const pool = new Pool(new Predict('word -> answer', { demos: [{ word: 'a', answer: 'A' }] }))
    const winner = new Predict('word -> answer', { demos: [{ word: 'a', answer: 'A' }, { word: 'b', answer: 'B' }] })
    const other = new Predict('word -> answer', { demos: [{ word: 'a', answer: 'A' }, { answer: 'B', word: 'b' }] })
    expect(mergeCandidates(pool, built(winner, 0), [built(other, 0)], 4)).toBeUndefined()
    const third = new Predict('word -> answer', { demos: [{ word: 'a', answer: 'A' }, { word: 'b', answer: 'B' }, { word: 'c', answer: 'C' }] })
    expect(mergeCandidates(pool, built(winner, 0), [built(third, 0)], 4)?.demos.map((d) => d['word'])).toEqual(['a', 'b', 'c'])
  })

  it('remembers demos once (compared as canonical JSON) and paragraphs in their first spelling, oldest first', () => {
    const memory = new AdviceMemory()
    memory.remember(new Map([['self', { paragraphs: ['First  tip.'], demos: [{ word: 'a', answer: 'A' }] }]]))
    memory.remember(new Map([['self', { paragraphs: ['first tip.', 'Second tip.'], demos: [{ answer: 'A', word: 'a' }, { word: 'b', answer: 'B' }] }]]))
    memory.remember(new Map([['other', { paragraphs: ['Other tip.'], demos: [] }]]))
    expect(memory.all()).toEqual(
      new Map([
        ['self', { paragraphs: ['First  tip.', 'Second tip.'], demos: [{ word: 'a', answer: 'A' }, { word: 'b', answer: 'B' }] }],
        ['other', { paragraphs: ['Other tip.'], demos: [] }],
      ]),
    )
  })

  it('a merge keeps every demo when maxDemos is 0, and at the cap compares outputs without the reasoning field', () => {
    const pool = new Pool(new Predict('word -> answer'))
    const winner = new Predict('word -> answer', { demos: [{ word: 'a', answer: 'A' }] })
    const other = new Predict('word -> answer', { demos: [{ word: 'b', answer: 'B' }, { word: 'c', answer: 'C' }] })
    expect(mergeCandidates(pool, built(winner, 0), [built(other, 0)], 0)?.demos).toHaveLength(3)
    const cot = new Pool(new Predict('word -> reasoning, answer'))
    const w = new Predict('word -> reasoning, answer', { demos: [{ word: 'a', reasoning: 'r1', answer: 'C' }] })
    const o = new Predict('word -> reasoning, answer', { demos: [{ word: 'b', reasoning: 'r2', answer: 'A' }, { word: 'c', reasoning: 'r3', answer: 'A' }] })
    // Cap 2: the newest demo of each distinct answer (A, then C), whatever the reasoning says.
    expect(mergeCandidates(cot, built(w, 0), [built(o, 0)], 2)?.demos.map((d) => d['word'])).toEqual(['a', 'c'])
  })
})
