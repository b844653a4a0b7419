/**
 * Plain-text forms of the report for the terminal (`vitest-simba inspect`): a block's cases with
 * their status, and one case with its trace (every LM call: predictor, origin, tokens, the messages
 * sent, the completion, the parsed outputs or the parse error; every tool call).
 */
import { fmtScore } from './svg.js'
import { TRACES_HOW } from './trace.js'
import { traceSummary } from './trace-html.js'
import type { BlockReport, ReportCall, ReportCase } from './types.js'

const indent = (text: string, pad: string): string => text.replace(/^/gm, pad)

/** The cases of a block, one line each: status, split, scores, name. */
export function caseListText(block: BlockReport): string {
  const width = Math.max(6, ...block.cases.map((c) => c.status.length))
  const lines = block.cases.map((c) => {
    const scores = `${fmtScore(c.baselineScore)} -> ${fmtScore(c.score)}`
    return `  ${c.status.padEnd(width)}  ${c.split === 'devset' ? 'dev  ' : 'train'}  ${scores}  ${c.name}${c.calls === undefined && block.traces ? '  (no trace)' : ''}`
  })
  return [`block "${block.block}" (${block.mode}): ${block.cases.length} case(s)`, `  ${'status'.padEnd(width)}  split  baseline -> score  case`, ...lines].join('\n')
}

function callText(c: ReportCall, i: number): string {
  if (c.kind === 'tool') {
    const outcome = c.error !== undefined ? `  error: ${c.error}` : `  result: ${c.result ?? ''}`
    return `#${i + 1} tool ${c.tool} ${c.args} [${c.origin}]\n${outcome}`
  }
  const tokens = c.tokens ? `, ${c.tokens.prompt} + ${c.tokens.completion} tokens` : ''
  const parts = [`#${i + 1} LM call of ${c.predictor} (${c.model}${c.adapter !== 'chat' ? `, ${c.adapter} adapter` : ''}) [${c.origin}${tokens}]`]
  for (const m of c.messages) parts.push(`  --- ${m.role} ---`, indent(m.content, '  '))
  if (c.completion !== undefined) parts.push('  --- completion ---', indent(c.completion, '  '))
  if (c.outputs !== undefined) parts.push('  --- parsed ---', indent(c.outputs, '  '))
  if (c.parseError !== undefined) parts.push('  --- parse error ---', indent(c.parseError, '  '))
  if (c.error !== undefined) parts.push('  --- call failed ---', indent(c.error, '  '))
  return parts.join('\n')
}

/** One case: its status, scores, input, label, prediction, error, then its trace. */
export function caseText(block: BlockReport, c: ReportCase): string {
  const lines = [
    `case "${c.name}" (${c.split}) of block "${block.block}": ${c.status}, score ${fmtScore(c.score)} (baseline ${fmtScore(c.baselineScore)})`,
    `input:      ${c.input}`,
  ]
  if (c.label !== undefined) lines.push(`label:      ${c.label}`)
  if (c.prediction !== undefined) lines.push(`prediction: ${c.prediction}`)
  if (c.feedback !== undefined) lines.push(`feedback:   ${c.feedback}`)
  if (c.error !== undefined) lines.push(`error:      ${c.error}`)
  if (c.calls === undefined) {
    lines.push(
      block.traces && block.traces.leftOut > 0
        ? `trace: left out of this report (${block.traces.reason ?? 'large block'}); to get it, ${TRACES_HOW}.`
        : 'trace: none in this report (it was written by a version without traces, or the case did not run)',
    )
  } else {
    lines.push(`trace: ${traceSummary(c.calls)}`, '', ...c.calls.map(callText).join('\n\n').split('\n'))
  }
  return lines.join('\n')
}
