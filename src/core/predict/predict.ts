import { isSimbaError, SimbaError } from '../../errors.js'
import { chatAdapter } from '../adapter/chat.js'
import { jsonAdapter } from '../adapter/json.js'
import type { Adapter, Demo } from '../adapter/types.js'
import type { LanguageModel, LMResult } from '../lm/types.js'
import { PREDICT_BRAND } from '../module/brand.js'
import { Module } from '../module/module.js'
import { currentSettings } from '../module/settings.js'
import { signature as makeSignature, type AnySignature, type InferInputs, type InferOutputs } from '../signature/signature.js'
import type { LMCallRecord } from '../trace/calls.js'
import { beginCall, recordStep } from '../trace/trace.js'

/** Options of a predictor. */
export interface PredictOptions {
  /** LM for this predictor (else the one from `withSettings`). */
  lm?: LanguageModel
  /** Adapter (else the one from `withSettings`, else the chat adapter). */
  adapter?: Adapter
  /** Display name used in errors (else its dotted name in the program, else the signature text). */
  name?: string
  /** Starting instructions (default: the signature's). */
  instructions?: string
  /** Starting demos. */
  demos?: Demo[]
}

/**
 * One LM call for a signature. Its state is `instructions` and `demos`, which the optimizer edits.
 * @example const qa = new Predict(signature('question -> answer')); await qa.forward({ question: 'Why?' })
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Predict<S extends AnySignature = AnySignature> extends Module<InferInputs<S>, InferOutputs<S>> {
  /** The fields (immutable). */
  readonly signature: S
  /** Current instructions (starts as the signature's). */
  instructions: string
  /** Current few-shot demos. */
  demos: Demo[]
  /** Own LM, if any. */
  lm: LanguageModel | undefined
  /** Own adapter, if any. */
  adapter: Adapter | undefined
  /** Name given by the user, if any. */
  name: string | undefined
  /** Dotted name found by the last `namedPredictors()` walk of a program holding it. */
  path: string | undefined

  /** Creates a predictor from a signature or its shorthand string. */
  constructor(sig: S | string, options: PredictOptions = {}) {
    super()
    this.signature = (typeof sig === 'string' ? makeSignature(sig) : sig) as S
    this.instructions = options.instructions ?? this.signature.instructions
    this.demos = options.demos ? [...options.demos] : []
    this.lm = options.lm
    this.adapter = options.adapter
    this.name = options.name
    this.path = undefined
  }

  /** Brand used by the module walker. */
  get [PREDICT_BRAND](): true {
    return true
  }

  /** Name used in errors: the given name, else the dotted name, else the signature shorthand. */
  get displayName(): string {
    return this.name ?? this.path ?? this.signature.shorthand
  }

  /** A predictor used as the program has the single name `self`. */
  override namedPredictors(): Array<[string, Predict]> {
    return [['self', this as Predict]]
  }

  /** Calls the LM once and returns the parsed, validated outputs; records a trace step. */
  async forward(inputs: InferInputs<S>): Promise<InferOutputs<S>> {
    const values = this.checkInputs(inputs)
    const settings = currentSettings()
    const base = this.lm ?? settings.lm
    if (!base) {
      throw new SimbaError(
        'SIMBA_NO_LM',
        `predictor "${this.displayName}" has no LM: pass { lm } to the Predict, call program.setLM(lm), or run inside withSettings({ lm }, ...)`,
      )
    }
    const lm = settings.mapLM ? settings.mapLM(base, this.name ?? this.path) : base
    const adapter = this.adapter ?? settings.adapter ?? chatAdapter
    const outputs = await this.callAndParse(lm, adapter, values, adapter.name === 'chat' && settings.jsonFallback !== false)
    recordStep({ predictor: this as Predict, inputs: { ...values }, outputs: { ...outputs } })
    return outputs as InferOutputs<S>
  }

  private async callAndParse(lm: LanguageModel, adapter: Adapter, inputs: Record<string, unknown>, fallback: boolean): Promise<Record<string, unknown>> {
    const args = { signature: this.signature, instructions: this.instructions, demos: this.demos, inputs }
    const first = await this.tracedCall(lm, adapter, args)
    try {
      return first.parse(adapter)
    } catch (error) {
      if (!fallback || !isSimbaError(error, 'SIMBA_ADAPTER_PARSE')) throw error
      const second = await this.tracedCall(lm, jsonAdapter, args, first.record)
      try {
        return second.parse(jsonAdapter)
      } catch (jsonError) {
        if (isSimbaError(jsonError, 'SIMBA_ADAPTER_PARSE')) {
          error.message += `\n(retried with the JSON adapter, which failed too: ${jsonError.message.split('\n')[0]})`
        }
        throw error
      }
    }
  }

  /**
   * One LM call, listed in the run's calls when the run collects them (messages, completion,
   * tokens, origin; then the parsed outputs or the parse error via `parse`).
   */
  private async tracedCall(
    lm: LanguageModel,
    adapter: Adapter,
    args: Parameters<Adapter['format']>[0],
    after?: LMCallRecord,
  ): Promise<{ record: LMCallRecord | undefined; parse: (a: Adapter) => Record<string, unknown> }> {
    const request = adapter.format(args)
    const record = beginCall<LMCallRecord>(
      { kind: 'lm', predictor: this.name ?? this.path ?? this.displayName, model: lm.model, adapter: adapter.name, messages: request.messages.map((m) => ({ role: m.role, content: m.content })) },
      after,
    )
    let reply: LMResult
    try {
      reply = await lm.call(request)
    } catch (error) {
      if (record) record.error = error instanceof Error ? error.message : String(error)
      throw error
    }
    if (record) {
      record.completion = reply.text
      record.usage = { ...reply.usage }
      record.origin = reply.cached ? 'cached' : reply.replayed === true ? 'replayed' : 'live'
    }
    const parse = (a: Adapter): Record<string, unknown> => {
      try {
        const outputs = a.parse(this.signature, reply.text, this.displayName)
        if (record) record.outputs = { ...outputs }
        return outputs
      } catch (error) {
        if (record) record.parseError = error instanceof Error ? error.message : String(error)
        throw error
      }
    }
    return { record, parse }
  }

  private checkInputs(inputs: unknown): Record<string, unknown> {
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
      throw new SimbaError('SIMBA_DATASET', `predictor "${this.displayName}" needs an object of inputs (${this.signature.inputFields.map((f) => f.name).join(', ')}), got ${inputs === null ? 'null' : typeof inputs}`)
    }
    const values = inputs as Record<string, unknown>
    const missing = this.signature.inputFields.filter((f) => values[f.name] === undefined && !f.schema.safeParse(undefined).success)
    if (missing.length > 0) {
      throw new SimbaError(
        'SIMBA_DATASET',
        `predictor "${this.displayName}" is missing input ${missing.map((f) => `"${f.name}"`).join(', ')} (got keys: ${Object.keys(values).join(', ') || 'none'}); ` +
          'pass it to forward(), or check the example inputKeys',
      )
    }
    return values
  }
}
