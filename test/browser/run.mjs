#!/usr/bin/env node
/**
 * `npm run test:browser`: runs the report's browser test in headless Chromium when a Chromium
 * binary is installed (`CHROMIUM_PATH`, else /usr/bin/chromium or chromium-browser). Without one it
 * says so in one line and exits 0 locally, but exits 1 in CI (`CI` set): a CI run must not pass a
 * check that never ran. Install one with `apt-get install -y chromium`.
 */
import { spawn } from 'node:child_process'
import { browserPlan } from './chromium.mjs'

const plan = browserPlan()
if ('fail' in plan) {
  console.error(plan.fail)
  process.exit(1)
}
if ('skip' in plan) {
  console.log(plan.skip)
  process.exit(0)
}
const vitest = new URL('../../node_modules/vitest/vitest.mjs', import.meta.url)
const child = spawn(process.execPath, [vitest.pathname, 'run', '--config', 'vitest.browser.config.ts', ...process.argv.slice(2)], {
  cwd: new URL('../..', import.meta.url),
  env: { ...process.env, CHROMIUM_PATH: plan.exe },
  stdio: 'inherit',
})
child.on('close', (code, signal) => (process.exitCode = code ?? (signal ? 1 : 0)))
