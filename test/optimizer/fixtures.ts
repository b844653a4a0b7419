/**
 * The uppercase task: the scripted LM answers `word.toUpperCase()` only when the prompt has a demo
 * or a rule saying UPPERCASE; rollouts at temperature 1 get it right by luck one time in three.
 */
import { Example } from '../../src/core/example/example.js'
import { Module } from '../../src/core/module/module.js'
import { Predict } from '../../src/core/predict/predict.js'
import { block, chatReply, hash, ScriptedLM, type CallInfo, type ScriptedOptions } from './scripted-lm.js'

/** Rule writer reply: advice for every listed module. */
export function adviceReply(info: CallInfo, advice: (name: string) => string = () => 'Always answer in UPPERCASE.'): string {
  const names = JSON.parse(block(info.last, 'module_names') ?? '[]') as string[]
  return chatReply({ discussion: 'The better run used uppercase.', module_advice: Object.fromEntries(names.map((n) => [n, advice(n)])) })
}

/** Task reply for the uppercase task (single `answer` output or a `word` extraction step). */
export function taskReply(info: CallInfo): string {
  if (info.system.includes('`text`')) return chatReply({ word: (block(info.last, 'text') ?? '').split(' ')[0] })
  const word = block(info.last, 'word') ?? ''
  const hasDemo = info.request.messages.length > 2
  const knows = info.system.includes('UPPERCASE') || hasDemo
  const lucky = info.rolloutId !== undefined && info.temperature > 0.5 && hash(`${info.rolloutId}:${word}`) % 3 === 0
  return chatReply({ answer: knows || lucky ? word.toUpperCase() : word })
}

/** A scripted LM for the task and the rule writer. */
export function uppercaseLM(extra: Partial<ScriptedOptions> = {}): ScriptedLM {
  return new ScriptedLM({ reply: (i) => (i.system.includes('module_advice') ? adviceReply(i) : taskReply(i)), latency: () => Math.floor(Math.random() * 3), ...extra })
}

/** `n` examples `{word, answer}`. */
export function uppercaseSet(n: number, offset = 0): Example[] {
  return Array.from({ length: n }, (_, i) => {
    const word = `w${(i + offset).toString(36)}x${hash(String(i + offset)) % 997}`
    return new Example({ word, answer: word.toUpperCase() }, ['word'], `case-${i + offset}`)
  })
}

/** 1 when the answer matches, with feedback. */
export const exactMetric = (ex: Example, pred: { answer?: string }) => ({ score: pred.answer === ex.data.answer ? 1 : 0, feedback: pred.answer === ex.data.answer ? 'correct' : `expected ${String(ex.data.answer)}` })

/** Two-stage program: extract a word from text, then answer. */
export class TwoStage extends Module<{ text: string }, { answer: string }> {
  extract = new Predict('text -> word')
  label = new Predict('word -> answer')
  async forward(inputs: { text: string }): Promise<{ answer: string }> {
    const w = (await this.extract.forward(inputs)) as { word: string }
    return (await this.label.forward({ word: w.word })) as { answer: string }
  }
}
