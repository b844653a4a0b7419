import { AdapterParseError, type ParseIssue } from '../../errors.js'
import type { LMRequest } from '../lm/types.js'
import type { AnySignature } from '../signature/signature.js'
import { coerceValue } from './field-types.js'
import { marker, splitSections } from './markers.js'
import { buildMessages, chatAssistantMessage, chatFormatSection } from './messages.js'
import type { Adapter, FormatArgs, SafeParseResult } from './types.js'

/**
 * The default adapter: fields as `[[ ## name ## ]]` blocks (wire format in src/README.md).
 * @example new Predict(sig, { adapter: new ChatAdapter() })
 */
export class ChatAdapter implements Adapter {
  /** Adapter name used in errors. */
  readonly name = 'chat'

  /** Builds system, demo and input messages for one call. */
  format(args: FormatArgs): LMRequest {
    return { messages: buildMessages(args, chatFormatSection(args.signature), (d) => chatAssistantMessage(args.signature, d)) }
  }

  /** Parses every output field; collects all issues instead of stopping at the first. */
  safeParse(signature: AnySignature, text: string): SafeParseResult {
    const sections = splitSections(text)
    const issues: ParseIssue[] = []
    const parsed: Record<string, unknown> = {}
    for (const f of signature.outputFields) {
      const raw = sections.get(f.name)
      if (raw === undefined) {
        const absent = f.schema.safeParse(undefined)
        if (absent.success) {
          if (absent.data !== undefined) parsed[f.name] = absent.data // a .default() fills in, as in the JSON adapter
          continue
        }
        issues.push({ field: f.name, message: `missing; expected a line ${marker(f.name)} followed by the value` })
        continue
      }
      const r = coerceValue(f.schema, raw)
      if (r.ok) {
        if (r.value !== undefined) parsed[f.name] = r.value
      } else issues.push({ field: f.name, message: `${r.message} (got ${JSON.stringify(raw.length > 120 ? `${raw.slice(0, 120)}…` : raw)})` })
    }
    return issues.length === 0 ? { ok: true, outputs: parsed } : { ok: false, issues, parsed }
  }

  /** Parses a reply or throws `AdapterParseError` naming the predictor, the fields and the raw text. */
  parse(signature: AnySignature, text: string, predictorName: string): Record<string, unknown> {
    const r = this.safeParse(signature, text)
    if (r.ok) return r.outputs
    throw new AdapterParseError({ predictor: predictorName, issues: r.issues, raw: text, parsed: r.parsed, adapter: this.name })
  }
}

/** Shared default chat adapter instance. */
export const chatAdapter: ChatAdapter = new ChatAdapter()
