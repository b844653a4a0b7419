import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { reportCallsOf } from '../../../src/report/trace.js'
import type { Report } from '../../../src/report/types.js'
import { binHelp } from '../../../src/vitest/node/args.js'
import { inspect, nearNames } from '../../../src/vitest/node/inspect.js'

const dir = mkdtempSync(join(tmpdir(), 'simba-inspect-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const report: Report = {
  version: 1,
  file: 'tests/tickets.test.ts',
  library: 'vitest-simba@0.0.0',
  blocks: [
    {
      block: 'routes tickets',
      mode: 'regression',
      split: 'devset',
      scores: [{ split: 'devset', baseline: 1, current: 0.5 }],
      cases: [
        { split: 'devset', name: 'refund-double-charge', input: '{"ticket":"charged twice"}', baselineScore: 1, score: 0, status: 'regressed', prediction: '{"queue":"technical"}', calls: reportCallsOf([
          { kind: 'lm', predictor: 'self', model: 'm', adapter: 'chat', messages: [{ role: 'system', content: 'Route it.' }, { role: 'user', content: 'charged twice' }], completion: '[[ ## queue ## ]]\ntechnical', outputs: { queue: 'technical' }, origin: 'replayed' },
        ]) },
        { split: 'devset', name: 'app-crash', input: '{"ticket":"crash"}', baselineScore: 1, score: 1, status: 'pass' },
      ],
      usage: { total: { calls: 2, live: 0, replayed: 2, tokens: 0, cost: 0 } },
      traces: { kept: 1, leftOut: 1, reason: 'the block has 2 cases (more than 1)' },
    },
  ],
}
mkdirSync(join(dir, 'simba-report', 'tests'), { recursive: true })
writeFileSync(join(dir, 'simba-report', 'tests', 'tickets.test.ts.report.json'), JSON.stringify(report))

describe('vitest-simba inspect', () => {
  test('without --case: the cases of each block with their status', () => {
    const r = inspect(['tests/tickets.test.ts'], dir)
    expect(r.code).toBe(0)
    expect(r.text).toContain('block "routes tickets" (regression): 2 case(s)')
    expect(r.text).toMatch(/regressed\s+dev\s+1\.000 -> 0\.000\s+refund-double-charge/)
    expect(r.text).toMatch(/pass\s+dev\s+1\.000 -> 1\.000\s+app-crash\s+\(no trace\)/)
  })

  test('--case: the case and every call of its trace; a case whose trace was left out says how to get it', () => {
    const r = inspect(['tests/tickets.test.ts', '--case', 'refund-double-charge'], dir)
    expect(r.code).toBe(0)
    expect(r.text).toContain('#1 LM call of self (m) [replayed]')
    expect(r.text).toContain('  --- completion ---\n  [[ ## queue ## ]]\n  technical')
    const left = inspect(['tests/tickets.test.ts', '--case', 'app-crash', '--block', 'routes tickets'], dir)
    expect(left.text).toContain('trace: left out of this report (the block has 2 cases (more than 1)); to get it, run the test file again with SIMBA_REPORT_TRACES=all')
  })

  test('clear errors: no report yet names the command that writes it; an unknown case or block lists near names', () => {
    const none = inspect(['tests/other.test.ts'], dir)
    expect(none.code).toBe(1)
    expect(none.text).toContain('no report for tests/other.test.ts in simba-report/. It is written by `npx vitest-simba run --report tests/other.test.ts`; run it first.')
    const noDir = inspect(['x.test.ts', '--report', 'nowhere'], dir)
    expect(noDir.text).toContain('no report folder nowhere/ yet. Reports are written by `npx vitest-simba run --report=nowhere x.test.ts`')
    const unknown = inspect(['tests/tickets.test.ts', '--case', 'refund-double'], dir)
    expect(unknown.code).toBe(1)
    expect(unknown.text).toContain('no case "refund-double" in the report of tests/tickets.test.ts. Near names: "refund-double-charge".')
    expect(inspect(['tests/tickets.test.ts', '--case', 'app-crahs'], dir).text).toContain('Near names: "app-crash"')
    expect(inspect(['tests/tickets.test.ts', '--block', 'route tickets'], dir).text).toContain('no block "route tickets" in the report of tests/tickets.test.ts. Did you mean: "routes tickets"?')
    expect(inspect([], dir)).toMatchObject({ code: 2 })
    expect(inspect(['a', '--bogus'], dir)).toMatchObject({ code: 2 })
    writeFileSync(join(dir, 'simba-report', 'new.test.ts.report.json'), JSON.stringify({ ...report, version: 2 }))
    expect(inspect(['new.test.ts'], dir).text).toContain('upgrade vitest-simba')
  })

  test('near names and the help text', () => {
    expect(nearNames('refund', ['refund-1', 'refund-2', 'crash'])).toEqual(['refund-1', 'refund-2'])
    expect(nearNames('zzzz', ['refund-1'])).toEqual([])
    expect(binHelp('vitest-simba@0')).toContain('npx vitest-simba inspect <test file> [--case <name>]')
  })
})
