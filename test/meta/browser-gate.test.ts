/**
 * `npm run test:browser` without a Chromium: a one-line skip locally, a failure in CI (a skipped
 * browser test in CI would report a check that never ran).
 */
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { browserPlan } from '../browser/chromium.mjs'
import { ROOT, runNode } from '../e2e/harness.js'

const none = (): boolean => false
const only = (path: string) => (p: string): boolean => p === path

test('no Chromium: skipped locally, failed in CI; an installed one runs in both', () => {
  expect(browserPlan({}, none)).toEqual({ skip: expect.stringContaining('browser test skipped: no Chromium binary found') })
  for (const CI of ['false', '0', '']) expect(browserPlan({ CI }, none)).toHaveProperty('skip')
  for (const CI of ['true', '1']) expect(browserPlan({ CI }, none)).toEqual({ fail: expect.stringMatching(/no Chromium binary found, and with CI=.* the browser test must run, not be skipped \(set CHROMIUM_PATH or run `apt-get install -y chromium`\)/) })
  expect(browserPlan({ CI: 'true' }, only('/usr/bin/chromium'))).toEqual({ exe: '/usr/bin/chromium' })
  expect(browserPlan({}, only('/usr/bin/chromium-browser'))).toEqual({ exe: '/usr/bin/chromium-browser' })
  expect(browserPlan({ CI: 'true', CHROMIUM_PATH: '/opt/chrome' }, only('/opt/chrome'))).toEqual({ exe: '/opt/chrome' })
})

test('a CHROMIUM_PATH that does not exist fails, locally and in CI', () => {
  for (const env of [{ CHROMIUM_PATH: '/no/such/chromium' }, { CHROMIUM_PATH: '/no/such/chromium', CI: 'true' }]) {
    expect(browserPlan(env, only('/usr/bin/chromium'))).toEqual({ fail: expect.stringContaining('CHROMIUM_PATH=/no/such/chromium does not exist') })
  }
})

test('the runner exits 1 with the reason when the gate fails (no Vitest started)', async () => {
  const r = await runNode(ROOT, join(ROOT, 'test', 'browser', 'run.mjs'), [], { CI: 'true', CHROMIUM_PATH: '/no/such/chromium' })
  expect(r.code, r.output).toBe(1)
  expect(r.stderr).toContain('browser test failed: CHROMIUM_PATH=/no/such/chromium does not exist')
  expect(r.output).not.toContain('RUN')
})
