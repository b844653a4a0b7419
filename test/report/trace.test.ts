import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { CallRecord } from '../../src/core/trace/calls.js'
import { renderReportHtml } from '../../src/report/html.js'
import { withBlock } from '../../src/report/model.js'
import { limitTraces, MAX_TRACE_TEXT, reportCallsOf, TRACE_LIMITS } from '../../src/report/trace.js'
import { caseListText, caseText } from '../../src/report/trace-text.js'
import type { BlockReport, ReportCase, ReportCaseStatus } from '../../src/report/types.js'
import { registerSecretLiteral } from '../../src/internal/secrets/secrets.js'
import { KEY_EXAMPLES } from '../recording/key-examples.js'

const lmCall = (over: Partial<Extract<CallRecord, { kind: 'lm' }>> = {}): CallRecord => ({
  kind: 'lm',
  predictor: 'route',
  model: 'gpt-4o-mini',
  adapter: 'chat',
  messages: [
    { role: 'system', content: 'Route the ticket.' },
    { role: 'user', content: '[[ ## ticket ## ]]\nrefund please' },
    { role: 'assistant', content: '[[ ## queue ## ]]\nbilling\n\n[[ ## completed ## ]]' },
    { role: 'user', content: '[[ ## ticket ## ]]\nmy app <crashes>' },
  ],
  completion: '[[ ## queue ## ]]\ntechnical\n\n[[ ## completed ## ]]',
  outputs: { queue: 'technical' },
  usage: { promptTokens: 120, completionTokens: 9, totalTokens: 129 },
  origin: 'replayed',
  ...over,
})
const toolCall: CallRecord = { kind: 'tool', tool: 'lookup_order', args: { orderId: 'A-1042' }, result: '{"status":"lost"}', origin: 'live' }

const row = (name: string, status: ReportCaseStatus, calls?: CallRecord[]): ReportCase => ({
  split: 'devset',
  name,
  input: JSON.stringify({ ticket: name }),
  baselineScore: 1,
  score: status === 'regressed' ? 0 : 1,
  status,
  ...(calls ? { calls: reportCallsOf(calls) } : {}),
})

const block = (cases: ReportCase[]): BlockReport => ({
  block: 'routes tickets',
  mode: 'regression',
  split: 'devset',
  scores: [{ split: 'devset', baseline: 1, current: 0.5 }],
  cases,
  usage: { total: { calls: 2, live: 0, replayed: 2, tokens: 0, cost: 0 } },
})

describe('trace model', () => {
  test('report form: messages, completion, parsed outputs as JSON, tokens, origin; a failed call is "failed"; long text is cut', () => {
    const [lm, tool, failed] = reportCallsOf([lmCall(), toolCall, lmCall({ completion: undefined, outputs: undefined, usage: undefined, origin: undefined, error: 'HTTP 418' })])
    expect(lm).toMatchObject({ kind: 'lm', predictor: 'route', outputs: '{"queue":"technical"}', tokens: { prompt: 120, completion: 9, total: 129 }, origin: 'replayed' })
    expect(tool).toEqual({ kind: 'tool', tool: 'lookup_order', args: '{"orderId":"A-1042"}', result: '{"status":"lost"}', origin: 'live' })
    expect(failed).toMatchObject({ origin: 'failed', error: 'HTTP 418' })
    const [long] = reportCallsOf([lmCall({ completion: 'x'.repeat(MAX_TRACE_TEXT + 50) })])
    expect(long?.kind === 'lm' && long.completion).toBe(`${'x'.repeat(MAX_TRACE_TEXT)}… [50 more characters]`)
  })

  test('no secret from a fixture-like input ever appears in the JSON, HTML or terminal form of a trace', () => {
    // Key shapes, and values configured as credentials (an LM's API key or header), as they would
    // sit in a ticket, a demo, a completion or a tool result: between words or punctuation.
    const literal = fc.stringMatching(/^[A-Za-z0-9]{12,40}$/).map((v) => {
      registerSecretLiteral(`tenant-${v}`)
      return `tenant-${v}`
    })
    const secretArb = fc.oneof(fc.constantFrom(...KEY_EXAMPLES.map(([k]) => k)), literal)
    const sep = fc.constantFrom(' ', '\n', '"', ': ', '=', '(', '\t', ', ')
    const textArb = fc.string({ maxLength: 20 })
    fc.assert(
      fc.property(secretArb, textArb, sep, sep, textArb, fc.integer({ min: 0, max: 6 }), (secret, before, open, close, after, where) => {
        const s = `${before}${open}${secret}${close}${after}`
        const rec = lmCall({
          predictor: where === 0 ? s : 'route',
          messages: [{ role: 'system', content: where === 1 ? s : 'sys' }, { role: 'user', content: where === 2 ? s : 'u' }],
          completion: where === 3 ? s : 'done',
          outputs: where === 4 ? { queue: s } : { queue: 'x' },
          ...(where === 5 ? { parseError: s } : {}),
        })
        const tool: CallRecord = { kind: 'tool', tool: 'lookup', args: where === 6 ? { key: s } : {}, result: where === 6 ? s : 'ok', origin: 'replayed' }
        const b = block([{ ...row('case', 'regressed'), calls: reportCallsOf([rec, tool]) }])
        const report = withBlock({ version: 1, file: 't.test.ts', library: 'vitest-simba@0', blocks: [] }, limitTraces(b))
        const outputs = [JSON.stringify(report), renderReportHtml(report), caseText(b, b.cases[0] as ReportCase)]
        for (const out of outputs) expect(out).not.toContain(secret)
      }),
      { numRuns: 150 },
    )
  })

  test('large blocks: passing cases lose their traces (said in the block), regressed and failing cases keep theirs; SIMBA_REPORT_TRACES=all keeps all', () => {
    const cases = Array.from({ length: TRACE_LIMITS.maxCases + 1 }, (_, i) => row(`c${i}`, i === 3 ? 'regressed' : i === 4 ? 'failing' : i === 5 ? 'error' : 'pass', [lmCall()]))
    const limited = limitTraces(block(cases))
    expect(limited.traces).toEqual({ kept: 3, leftOut: TRACE_LIMITS.maxCases - 2, reason: `the block has ${TRACE_LIMITS.maxCases + 1} cases (more than ${TRACE_LIMITS.maxCases})` })
    expect(limited.cases.filter((c) => c.calls).map((c) => c.name)).toEqual(['c3', 'c4', 'c5'])
    expect(limitTraces(block(cases), { keepAll: true }).traces).toEqual({ kept: cases.length, leftOut: 0 })
    const small = limitTraces(block(cases.slice(0, 10)))
    expect(small.traces).toEqual({ kept: 10, leftOut: 0 })
    const bytes = limitTraces(block(cases.slice(0, 10)), { maxBytes: 1000 })
    expect(bytes.traces?.reason).toMatch(/^its traces take \d+ bytes \(more than 1000\)$/)
    expect(bytes.cases.filter((c) => c.calls).map((c) => c.name)).toEqual(['c3', 'c4', 'c5'])
    const html = renderReportHtml({ version: 1, file: 't.test.ts', library: 'vitest-simba@0', blocks: [limited] })
    expect(html).toContain(`Traces of ${TRACE_LIMITS.maxCases - 2} passing cases were left out because the block has`)
    expect(html).toContain('SIMBA_REPORT_TRACES=all')
    expect(limitTraces(block([row('x', 'pass')]))).toEqual(block([row('x', 'pass')]))
  })
})

describe('trace in the HTML page', () => {
  const b = block([row('fine', 'pass', [lmCall()]), row('broke', 'regressed', [lmCall({ completion: 'garbage', outputs: undefined, parseError: 'no [[ ## queue ## ]] marker' }), toolCall]), row('old', 'pass')])
  const html = renderReportHtml({ version: 1, file: 't.test.ts', library: 'vitest-simba@0', blocks: [b] })

  test('a collapsed trace row under each traced case, in the same filter group, with calls, messages, completion, parse error and tool calls', () => {
    const rows = html.match(/<tr class="trace-row"[^>]*>/g) ?? []
    expect(rows).toEqual(['<tr class="trace-row" data-filters="" data-status="pass">', '<tr class="trace-row" data-filters="regressed failing" data-status="regressed">'])
    // Collapsed by default; case rows unchanged in number.
    expect(html).not.toMatch(/<details[^>]* open/)
    expect(html.match(/<tr data-filters=/g)).toHaveLength(3)
    expect(html).toContain('trace: 1 LM call, 1 tool call (1 replayed, 1 live) · 129 tokens')
    expect(html).toContain('LM call of <code>route</code> · gpt-4o-mini · <span class="origin origin-replayed">replayed</span> · 120 + 9 tokens')
    expect(html).toContain('4 messages sent (1 demo)')
    expect(html).toContain('my app &lt;crashes&gt;')
    expect(html).toContain('<pre class="problem parse-error">no [[ ## queue ## ]] marker</pre>')
    expect(html).toContain('tool call <code>lookup_order</code> <code class="args">{&quot;orderId&quot;:&quot;A-1042&quot;}</code>')
    expect(html).toContain('<td colspan="7">')
  })

  test('terminal form: the case list with statuses, one case with every call', () => {
    expect(caseListText(b)).toContain('regressed  dev    1.000 -> 0.000  broke')
    const text = caseText(b, b.cases[1] as ReportCase)
    expect(text).toContain('case "broke" (devset) of block "routes tickets": regressed, score 0.000 (baseline 1.000)')
    expect(text).toContain('#1 LM call of route (gpt-4o-mini) [replayed, 120 + 9 tokens]')
    expect(text).toContain('  --- parse error ---\n  no [[ ## queue ## ]] marker')
    expect(text).toContain('#2 tool lookup_order {"orderId":"A-1042"} [live]\n  result: {"status":"lost"}')
    expect(caseText(b, b.cases[2] as ReportCase)).toContain('trace: none in this report')
  })
})
