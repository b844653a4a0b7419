/**
 * The HTML report as a person sees it, in headless Chromium (driven by playwright-core, which never
 * downloads a browser here). Generates the bundled example's optimization report against the local
 * simulator (offline) and its regression report from the recorded fixtures, opens both via file://.
 * Run with `npm run test:browser` (skipped in one line when no Chromium is installed, except in CI,
 * where a missing Chromium fails).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { HistoryRecord } from '../../src/history/types.js'
import type { Report } from '../../src/report/types.js'
import { copyProject, removeProject, ROOT, requireBuild, run, runNode } from '../e2e/harness.js'
import { isCi } from './chromium.mjs'

const exe = process.env['CHROMIUM_PATH']
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

let work: string
let browser: BrowserContext

/** Opens a report page, collecting console errors and page errors. */
async function open(file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(String(e)))
  // Any request other than the file itself would be a network dependency of the page.
  page.on('request', (r) => {
    if (r.url() !== pathToFileURL(file).href) errors.push(`unexpected request ${r.url()}`)
  })
  await page.goto(pathToFileURL(file).href)
  return { page, errors }
}

/**
 * A docs screenshot from the top of `from` to the bottom of `to` (at most `maxHeight` px): written to
 * docs/<name> locally, beside the run in CI (which keeps the tree clean).
 */
async function shootDocs(page: Page, name: string, from: Locator, to: Locator, maxHeight: number): Promise<void> {
  await from.scrollIntoViewIfNeeded()
  const top = await from.boundingBox()
  const bottom = await to.boundingBox()
  if (!top || !bottom) throw new Error(`nothing laid out to shoot for ${name}`)
  const y = Math.max(0, top.y - 8)
  const png = process.env['CI'] ? join(work, name) : join(ROOT, 'docs', name)
  await page.screenshot({ path: png, fullPage: true, clip: { x: 0, y, width: 1280, height: Math.min(maxHeight, bottom.y + bottom.height + 8 - y) } })
}

// Run directly (not through run.mjs) in CI without a Chromium: fail, never skip silently.
test.runIf(!exe && isCi())('a Chromium is installed (CI runs the browser test, never skips it)', () => {
  throw new Error('CHROMIUM_PATH is not set: run the browser test with `npm run test:browser` on a machine with Chromium (`apt-get install -y chromium`)')
})

describe.skipIf(!exe)('HTML report in headless Chromium', () => {
  beforeAll(async () => {
    requireBuild()
    work = mkdtempSync(join(tmpdir(), 'simba-report-'))
    browser = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: exe as string,
      headless: true,
      args: LAUNCH_ARGS,
      viewport: { width: 1280, height: 1500 },
    })
  })

  afterAll(async () => {
    await browser?.close()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  test('optimization report of the bundled example: chart drawn, instruction diff, "improved" filter, no console errors', async () => {
    const dir = join(work, 'optimize')
    const r = await runNode(ROOT, join(ROOT, 'examples', 'support-tickets', 'optimize.mjs'), [`--report=${dir}`])
    expect(r.code, r.output).toBe(0)
    expect(r.output).toContain('report written to')
    const report = JSON.parse(readFileSync(join(dir, 'tickets.test.ts.report.json'), 'utf8')) as Report
    const block = report.blocks[0]
    expect(block?.mode).toBe('optimize')
    const { page, errors } = await open(join(dir, 'tickets.test.ts.report.html'))

    // The trajectory chart is drawn: a sized SVG with candidate marks and the winners' line.
    const chart = page.locator('svg.trajectory')
    const box = await chart.boundingBox()
    expect(box?.width).toBeGreaterThan(100)
    expect(box?.height).toBeGreaterThan(100)
    expect(await chart.locator('circle.candidate').count()).toBeGreaterThan(0)
    expect(await chart.locator('circle.winner').count()).toBe(block?.trajectory?.steps.filter((s) => s.winner).length)
    expect(await chart.locator('polyline.winner-line').getAttribute('points')).toMatch(/[\d.]+,[\d.]+ [\d.]+,[\d.]+/)

    // The instruction diff shows each added instruction line of the proposal.
    const added = (block?.predictors ?? []).flatMap((p) => p.instructions.filter((d) => d.op === '+' && d.text.trim() !== '').map((d) => `+ ${d.text}`))
    expect(added.length).toBeGreaterThan(0)
    const shown = await page.locator('pre.diff.instructions ins').allInnerTexts()
    for (const line of added) expect(shown.map((s) => s.trim())).toContain(line.trim())
    await expect.poll(() => page.locator('pre.diff.instructions ins').first().isVisible()).toBe(true)

    // Filtering to "improved" shows exactly the improved cases.
    const table = page.locator('table.cases').first()
    const improved = (block?.cases ?? []).filter((c) => c.status === 'improved')
    expect(improved.length).toBeGreaterThan(0)
    const caseRows = 'tbody tr:not(.trace-row):visible'
    expect(await table.locator(caseRows).count()).toBe(block?.cases.length)
    await page.locator('.filters button[data-filter="improved"]').first().click()
    const visible = table.locator(caseRows)
    expect(await visible.count()).toBe(improved.length)
    const inputs = await visible.locator('td:nth-child(2)').allInnerTexts()
    expect(inputs.sort()).toEqual(improved.map((c) => c.input).sort())
    expect(new Set(await visible.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))))).toEqual(new Set(['improved']))
    // Each improved case's trace row stays with it; the others' are hidden with their cases.
    expect(await table.locator('tbody tr.trace-row:visible').count()).toBe(improved.length)
    await page.locator('.filters button[data-filter="all"]').first().click()
    expect(await table.locator(caseRows).count()).toBe(block?.cases.length)

    // The screenshot in the docs (written locally; CI keeps the tree clean and writes it aside).
    const png = process.env['CI'] ? join(work, 'report.png') : join(ROOT, 'docs', 'report.png')
    mkdirSync(join(png, '..'), { recursive: true })
    await page.screenshot({ path: png, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1500 } })

    expect(errors).toEqual([])
  })

  test('regression report (no --optimize): cases against the baseline, tables without script', async () => {
    const dir = join(work, 'regression')
    const r = await run(ROOT, ['run', '--project', 'support-tickets', `--report=${dir}`], { bin: true, env: { CI: 'true' } })
    expect(r.code, r.output).toBe(0)
    const report = JSON.parse(readFileSync(join(dir, 'tickets.test.ts.report.json'), 'utf8')) as Report
    expect(report.blocks[0]?.mode).toBe('regression')
    const { page, errors } = await open(join(dir, 'tickets.test.ts.report.html'))
    expect(await page.locator('svg.trajectory').count()).toBe(0)
    expect(await page.locator('svg.scores rect.bar-current').count()).toBe(2)
    expect(await page.locator('table.cases tbody tr:not(.trace-row)').count()).toBe(report.blocks[0]?.cases.length)

    // A filter that matches no case hides the table and says so; "all" brings the table back.
    const none = (['regressed', 'improved'] as const).find((f) => !report.blocks[0]?.cases.some((c) => c.status === f))
    expect(none).toBeDefined()
    await page.locator(`.filters button[data-filter="${none}"]`).first().click()
    expect(await page.locator('table.cases').first().isVisible()).toBe(false)
    expect(await page.locator('p.no-match').first().innerText()).toBe('no cases match')
    await page.locator('.filters button[data-filter="all"]').first().click()
    expect(await page.locator('p.no-match').first().isVisible()).toBe(false)
    expect(await page.locator('table.cases tbody tr:not(.trace-row):visible').count()).toBe(report.blocks[0]?.cases.length)

    // Without JavaScript (a second fresh profile) every case is still listed and the filter bar stays hidden.
    const noJs = await chromium.launchPersistentContext(join(work, 'profile-nojs'), { executablePath: exe as string, headless: true, args: LAUNCH_ARGS, javaScriptEnabled: false })
    try {
      const plain = await noJs.newPage()
      await plain.goto(pathToFileURL(join(dir, 'tickets.test.ts.report.html')).href)
      expect(await plain.locator('table.cases tbody tr:not(.trace-row):visible').count()).toBe(report.blocks[0]?.cases.length)
      expect(await plain.locator('table.cases tbody tr:not(.trace-row):visible').count()).toBeGreaterThan(0)
      expect(await plain.locator('.filters').isVisible()).toBe(false)
    } finally {
      await noJs.close()
    }
    expect(errors).toEqual([])
  })

  test("a regressed case's trace: filter to regressed, open the trace, see its LM calls (messages, completion, parsed output, replayed)", async () => {
    // A copy of the tickets project whose snapshot says one failing case used to pass: that case regresses.
    const dir = copyProject('tickets')
    try {
      const snap = join(dir, '__snapshots__', 'tickets.test.ts.simba.json')
      const data = JSON.parse(readFileSync(snap, 'utf8')) as { blocks: Record<string, { baseline: { devset: { cases: Record<string, number> } } }> }
      const cases = data.blocks['routes support tickets']?.baseline.devset.cases ?? {}
      const victim = Object.keys(cases).find((k) => cases[k] === 0) as string
      cases[victim] = 1
      writeFileSync(snap, `${JSON.stringify(data, null, 2)}\n`)
      const out = join(work, 'regressed')
      const r = await run(dir, ['run', 'tickets.test.ts', `--report=${out}`], { bin: true, env: { CI: 'true' } })
      expect(r.code, r.output).toBe(1)
      const report = JSON.parse(readFileSync(join(out, 'tickets.test.ts.report.json'), 'utf8')) as Report
      const regressed = report.blocks[0]?.cases.find((c) => c.status === 'regressed')
      expect(regressed?.name).toBe(victim)
      const { page, errors } = await open(join(out, 'tickets.test.ts.report.html'))
      await page.locator('.filters button[data-filter="regressed"]').first().click()
      const table = page.locator('table.cases').first()
      expect(await table.locator('tbody tr:not(.trace-row):visible').count()).toBe(1)
      const trace = table.locator('tbody tr.trace-row:visible')
      expect(await trace.count()).toBe(1)
      // Collapsed by default: the call list shows only once the trace is opened.
      const calls = trace.locator('ol.calls')
      expect(await calls.isVisible()).toBe(false)
      await trace.locator('details.trace > summary').click()
      await expect.poll(() => calls.isVisible()).toBe(true)
      const lm = (regressed?.calls ?? []).filter((c) => c.kind === 'lm')
      expect(lm.length).toBeGreaterThan(0)
      expect(await calls.locator('li.lm').count()).toBe(lm.length)
      expect(await calls.locator('.origin-replayed').count()).toBe(lm.length)
      const first = lm[0]
      if (first?.kind === 'lm') expect((await calls.locator('pre.completion').first().innerText()).trim()).toBe((first.completion ?? '').trim())
      await calls.locator('details.messages > summary').first().click()
      await expect.poll(() => calls.locator('.msg.role-system pre').first().isVisible()).toBe(true)
      // The screenshot in the docs: the regressed case and its opened trace.
      await shootDocs(page, 'trace.png', table.locator('tbody tr:not(.trace-row):visible'), trace, 1400)
      expect(errors).toEqual([])
    } finally {
      removeProject(dir)
    }
  })
  test('the history chart of a local run: earlier runs drawn, the case that changed since the previous run named', async () => {
    const dir = copyProject('tickets')
    try {
      // A first local run writes the block's history line (local runs only; CI keeps no history).
      const first = await run(dir, ['run', 'tickets.test.ts'], { bin: true })
      expect(first.code, first.output).toBe(0)
      const file = join(dir, '.vitest-simba', 'history.jsonl')
      const real = JSON.parse(readFileSync(file, 'utf8').trim()) as HistoryRecord
      const dev = real.cases.devset ?? {}
      const passing = Object.keys(dev).filter((k) => dev[k] === 1)
      const victim = passing[0] as string
      // Earlier runs, written as the plugin writes them: lower means, and the run just before this one
      // with one case that passes now failing (so this run shows it going from fail to pass).
      const earlier = (hoursAgo: number, failing: string[]): HistoryRecord => {
        const cases = { ...dev }
        for (const k of failing) cases[k] = 0
        const names = Object.keys(cases)
        const mean = names.reduce((a, k) => a + (cases[k] ?? 0), 0) / names.length
        return { ...real, date: new Date(Date.parse(real.date) - hoursAgo * 3_600_000).toISOString(), means: { ...real.means, devset: mean }, cases: { ...real.cases, devset: cases } }
      }
      // Oldest first, as appended; the last one a second after the real run (this run comes later still).
      const lines = [earlier(72, passing.slice(0, 6)), earlier(48, passing.slice(0, 3)), real, earlier(-1 / 3600, [victim])]
      writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
      const out = join(work, 'history')
      const r = await run(dir, ['run', 'tickets.test.ts', `--report=${out}`], { bin: true })
      expect(r.code, r.output).toBe(0)
      const { page, errors } = await open(join(out, 'tickets.test.ts.report.html'))
      const chart = page.locator('svg.chart.history').first()
      expect(await chart.isVisible()).toBe(true)
      expect(await chart.locator('circle').count()).toBe(5)
      const changed = page.locator('table.history-changed').first()
      expect(await changed.innerText()).toContain(victim)
      await shootDocs(page, 'history.png', page.locator('h3', { hasText: 'History' }).first(), changed, 900)
      expect(errors).toEqual([])
    } finally {
      removeProject(dir)
    }
  })
})
