import { z } from 'zod'
import { Module } from '../module/module.js'
import { field } from '../signature/field.js'
import { signature as makeSignature, type AnySignature, type InferInputs, type InferOutputs } from '../signature/signature.js'
import { Predict, type PredictOptions } from './predict.js'

/** Description of the `reasoning` field chain of thought adds before the outputs. */
export const REASONING_DESCRIPTION = 'Think step by step before giving the answer.'

/** Outputs of a chain-of-thought predictor: the signature's outputs plus `reasoning`. */
export type WithReasoning<S extends AnySignature> = { reasoning: string } & InferOutputs<S>

/**
 * A predictor that first writes its `reasoning`, then the outputs. Holds `.predict`, so its
 * predictor is named `predict` (or `<prop>.predict` inside a module).
 * @example const cot = new ChainOfThought(signature('question -> answer')); const { reasoning, answer } = await cot.forward({ question })
 */
export class ChainOfThought<S extends AnySignature = AnySignature> extends Module<InferInputs<S>, WithReasoning<S>> {
  /** The inner predictor, whose signature has `reasoning` as its first output. */
  readonly predict: Predict<AnySignature>

  /** Creates it from a signature or its shorthand string. */
  constructor(sig: S | string, options: PredictOptions = {}) {
    super()
    const base = typeof sig === 'string' ? makeSignature(sig) : sig
    const withReasoning = base.prependOutput('reasoning', field(z.string(), REASONING_DESCRIPTION))
    this.predict = new Predict(withReasoning, options)
  }

  /** Runs the inner predictor; the result includes `reasoning`. */
  forward(inputs: InferInputs<S>): Promise<WithReasoning<S>> {
    return this.predict.forward(inputs) as Promise<WithReasoning<S>>
  }
}
