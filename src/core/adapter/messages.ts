import type { ChatMessage } from '../lm/types.js'
import type { FieldInfo } from '../signature/field.js'
import type { AnySignature } from '../signature/signature.js'
import { formatValue, typeText } from './field-types.js'
import { marker, renderBlocks } from './markers.js'
import type { Demo, FormatArgs } from './types.js'

/** Note put at the top of a demo's user turn when the demo lacks some fields. */
export const PARTIAL_DEMO_NOTE = 'This example shows only some of the fields.'

function fieldLine(f: FieldInfo): string {
  const desc = f.description?.trim()
  return `- \`${f.name}\` (${typeText(f.schema)})${desc ? `: ${desc}` : ''}`
}

/** The system message: instructions, field list, then the adapter's format section. */
export function systemMessage(signature: AnySignature, instructions: string, formatSection: string): string {
  const inputs = signature.inputFields.length > 0 ? signature.inputFields.map(fieldLine) : ['- (none)']
  return [
    instructions,
    '',
    '## Fields',
    'Inputs:',
    ...inputs,
    'Outputs:',
    ...signature.outputFields.map(fieldLine),
    '',
    '## Format',
    formatSection,
  ].join('\n')
}

/** The chat adapter's format section: marker lines in output order, then the completion marker. */
export function chatFormatSection(signature: AnySignature): string {
  return [
    'Reply with each output field under its marker line, in this order, then the completion marker:',
    ...signature.outputFields.flatMap((f) => [marker(f.name), '<value>']),
    marker('completed'),
  ].join('\n')
}

/** A user turn with one marker block per input field that has a value. */
export function userMessage(signature: AnySignature, values: Record<string, unknown>, note?: string): string {
  const blocks = renderBlocks(signature.inputFields, values, formatValue)
  return note ? `${note}\n\n${blocks}` : blocks
}

/** A chat-format assistant turn: one block per output field present, then the completion marker. */
export function chatAssistantMessage(signature: AnySignature, values: Record<string, unknown>): string {
  const blocks = renderBlocks(signature.outputFields, values, formatValue)
  return `${blocks}${blocks ? '\n\n' : ''}${marker('completed')}`
}

/** Demos usable in a prompt: partial ones (at least one input and one output) first, then complete ones. */
export function orderDemos(signature: AnySignature, demos: readonly Demo[]): Array<{ demo: Demo; complete: boolean }> {
  const has = (d: Demo, f: FieldInfo): boolean => d[f.name] !== undefined
  const partial: Demo[] = []
  const complete: Demo[] = []
  for (const d of demos) {
    const ins = signature.inputFields.filter((f) => has(d, f)).length
    const outs = signature.outputFields.filter((f) => has(d, f)).length
    if (ins === signature.inputFields.length && outs === signature.outputFields.length) complete.push(d)
    else if ((ins > 0 || signature.inputFields.length === 0) && outs > 0) partial.push(d)
  }
  return [...partial.map((demo) => ({ demo, complete: false })), ...complete.map((demo) => ({ demo, complete: true }))]
}

/** Builds system + demo turns + final user turn with the given assistant renderer. */
export function buildMessages(args: FormatArgs, formatSection: string, assistant: (values: Demo) => string): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: systemMessage(args.signature, args.instructions, formatSection) }]
  for (const { demo, complete } of orderDemos(args.signature, args.demos)) {
    messages.push({ role: 'user', content: userMessage(args.signature, demo, complete ? undefined : PARTIAL_DEMO_NOTE) })
    messages.push({ role: 'assistant', content: assistant(demo) })
  }
  messages.push({ role: 'user', content: userMessage(args.signature, args.inputs) })
  return messages
}
