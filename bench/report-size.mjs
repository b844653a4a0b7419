/**
 * Report size and page-open time for large suites: builds the report of one block with 1,000 and
 * with 10,000 cases (realistic traces: a system prompt, 4 demo turns, the input, the completion;
 * 90% passing, 5% regressed, 3% failing, 2% improved), through the same code the plugin uses
 * (trace conversion with masking, the trace size limit, the secret pass over the block, the HTML
 * page), and writes the JSON and HTML sizes, with the default limit and with every trace kept
 * (`SIMBA_REPORT_TRACES=all`). Then opens each default page in headless Chromium (when one is
 * installed: CHROMIUM_PATH, /usr/bin/chromium) and measures the time until its load event ends
 * (median of 3; 1 for the 10,000-case page with every trace), beside the same page without traces.
 * Page times scale with the machine's load (recorded as `loadAverageAtStart`); compare them with
 * the no-trace page of the same run. Writes bench/results/report-size.json.
 * Run: npm run build && node bench/report-size.mjs
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromiumPath } from '../test/browser/chromium.mjs'
import { emit, median, ROOT } from './lib.mjs'

const { renderReportHtml } = await import(join(ROOT, 'dist', 'report', 'html.js'))
const { withBlock } = await import(join(ROOT, 'dist', 'report', 'model.js'))
const { limitTraces, reportCallsOf, TRACE_LIMITS } = await import(join(ROOT, 'dist', 'report', 'trace.js'))

const QUEUES = ['billing', 'technical', 'account', 'shipping', 'security', 'other']
const SYSTEM = `Pick the queue that should handle the customer support ticket.
When the ticket mentions a refund, a double charge or an invoice, use billing. Password resets and 2FA go to account.

## Fields
Inputs:
- \`ticket\` (string): The customer's message
Outputs:
- \`queue\` (one of: ${QUEUES.join(', ')}): Queue that handles it

## Format
Reply with each output field under its marker line, in this order, then the completion marker:
[[ ## queue ## ]]
<value>
[[ ## completed ## ]]`

const ticket = (i) => `Hi, this is ticket ${i}: I was charged twice for order #${48213 + i} and the app keeps logging me out when I open the invoice page. Can you help?`
const reply = (q) => `[[ ## queue ## ]]\n${q}\n\n[[ ## completed ## ]]`

function caseOf(i) {
  const status = i % 20 === 7 ? 'regressed' : i % 100 < 3 ? 'failing' : i % 50 === 11 ? 'improved' : 'pass'
  const queue = QUEUES[i % QUEUES.length]
  const demos = [1, 2, 3, 4].flatMap((d) => [
    { role: 'user', content: `[[ ## ticket ## ]]\n${ticket(i * 7 + d)}` },
    { role: 'assistant', content: reply(QUEUES[(i + d) % QUEUES.length]) },
  ])
  const calls = reportCallsOf([
    {
      kind: 'lm',
      predictor: 'self',
      model: 'gpt-4o-mini',
      adapter: 'chat',
      messages: [{ role: 'system', content: SYSTEM }, ...demos, { role: 'user', content: `[[ ## ticket ## ]]\n${ticket(i)}` }],
      completion: reply(queue),
      outputs: { queue },
      usage: { promptTokens: 412, completionTokens: 12, totalTokens: 424 },
      origin: 'replayed',
    },
  ])
  return {
    split: i % 3 === 0 ? 'trainset' : 'devset',
    name: `case-${i}`,
    input: JSON.stringify({ ticket: ticket(i) }),
    label: JSON.stringify({ queue }),
    baselineScore: status === 'improved' ? 0 : 1,
    score: status === 'regressed' || status === 'failing' ? 0 : 1,
    prediction: JSON.stringify({ queue }),
    status,
    calls,
  }
}

function build(n, keepAll) {
  const started = performance.now()
  const cases = Array.from({ length: n }, (_, i) => caseOf(i))
  const block = limitTraces(
    { block: 'routes support tickets', mode: 'regression', split: 'devset', scores: [{ split: 'devset', baseline: 0.9, current: 0.85 }], cases, usage: { total: { calls: n, live: 0, replayed: n, tokens: n * 424, cost: 0 } } },
    { keepAll },
  )
  const report = withBlock({ version: 1, file: 'tickets.test.ts', library: 'vitest-simba@bench', blocks: [] }, block)
  const json = `${JSON.stringify(report, null, 2)}\n`
  const html = renderReportHtml(report)
  return { json, html, traces: block.traces, buildMs: performance.now() - started }
}

const work = mkdtempSync(join(tmpdir(), 'simba-report-size-'))
const exe = chromiumPath()
let browser
if (exe) {
  const { chromium } = await import('playwright-core')
  browser = await chromium.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] })
}

/** Time from navigation start to the end of the load event of a file:// page (the page's own navigation timing), in ms; median of `rounds` fresh pages. */
async function openMs(file, rounds = 3) {
  const times = []
  for (let r = 0; r < rounds; r++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 600_000 })
    times.push(await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd))
    await page.close()
  }
  return median(times)
}

/** The same block without any trace (the page as it was before traces), for comparison. */
function withoutTraces(n) {
  const cases = Array.from({ length: n }, (_, i) => {
    const { calls: _calls, ...rest } = caseOf(i)
    return rest
  })
  const report = { version: 1, file: 'tickets.test.ts', library: 'vitest-simba@bench', blocks: [{ block: 'routes support tickets', mode: 'regression', split: 'devset', scores: [{ split: 'devset', baseline: 0.9, current: 0.85 }], cases, usage: { total: { calls: n, live: 0, replayed: n, tokens: n * 424, cost: 0 } } }] }
  return { json: `${JSON.stringify(report, null, 2)}\n`, html: renderReportHtml(report) }
}

const results = { limits: TRACE_LIMITS, chromium: exe ?? null, cpus: cpus().length, loadAverageAtStart: loadavg()[0], sizes: {} }
try {
  for (const n of [1000, 10000]) {
    const limited = build(n, false)
    const all = build(n, true)
    const file = join(work, `r${n}.html`)
    writeFileSync(file, limited.html)
    const row = {
      cases: n,
      tracesKept: limited.traces.kept,
      tracesLeftOut: limited.traces.leftOut,
      jsonBytes: Buffer.byteLength(limited.json),
      htmlBytes: Buffer.byteLength(limited.html),
      buildMs: Math.round(limited.buildMs),
      allTraces: { jsonBytes: Buffer.byteLength(all.json), htmlBytes: Buffer.byteLength(all.html), buildMs: Math.round(all.buildMs) },
    }
    const bare = withoutTraces(n)
    row.noTraces = { jsonBytes: Buffer.byteLength(bare.json), htmlBytes: Buffer.byteLength(bare.html) }
    if (browser) {
      const bareFile = join(work, `r${n}-bare.html`)
      writeFileSync(bareFile, bare.html)
      row.noTraces.openMs = Math.round(await openMs(bareFile))
      row.openMs = Math.round(await openMs(file))
      const allFile = join(work, `r${n}-all.html`)
      writeFileSync(allFile, all.html)
      row.allTraces.openMs = Math.round(await openMs(allFile, n > 1000 ? 1 : 3))
    }
    results.sizes[n] = row
    console.log(
      `${n} cases: traces kept ${row.tracesKept}, left out ${row.tracesLeftOut}; JSON ${(row.jsonBytes / 1e6).toFixed(2)} MB, HTML ${(row.htmlBytes / 1e6).toFixed(2)} MB` +
        `${row.openMs !== undefined ? `, opens in ${row.openMs} ms` : ''}; every trace kept: JSON ${(row.allTraces.jsonBytes / 1e6).toFixed(2)} MB, HTML ${(row.allTraces.htmlBytes / 1e6).toFixed(2)} MB` +
        `${row.allTraces.openMs !== undefined ? `, opens in ${row.allTraces.openMs} ms` : ''} (built in ${row.buildMs} / ${row.allTraces.buildMs} ms); ` +
        `without traces: HTML ${(row.noTraces.htmlBytes / 1e6).toFixed(2)} MB${row.noTraces.openMs !== undefined ? `, opens in ${row.noTraces.openMs} ms` : ''}`,
    )
  }
} finally {
  await browser?.close()
  rmSync(work, { recursive: true, force: true })
}
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true })
writeFileSync(join(ROOT, 'bench', 'results', 'report-size.json'), `${JSON.stringify(results, null, 2)}\n`)
emit({ report_size: results.sizes })
