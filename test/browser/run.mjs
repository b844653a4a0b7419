#!/usr/bin/env node
/**
 * `npm run test:browser`: runs the report's browser test in headless Chromium when a Chromium
 * binary is installed (`CHROMIUM_PATH`, else /usr/bin/chromium or chromium-browser); otherwise says
 * so in one line and exits 0. Install one with `apt-get install -y chromium`.
 */
import { spawn } from 'node:child_process'
import { chromiumPath } from './chromium.mjs'

const exe = chromiumPath()
if (!exe) {
  console.log('browser test skipped: no Chromium binary found (set CHROMIUM_PATH or run `apt-get install -y chromium`)')
  process.exit(0)
}
const vitest = new URL('../../node_modules/vitest/vitest.mjs', import.meta.url)
const child = spawn(process.execPath, [vitest.pathname, 'run', '--config', 'vitest.browser.config.ts', ...process.argv.slice(2)], {
  cwd: new URL('../..', import.meta.url),
  env: { ...process.env, CHROMIUM_PATH: exe },
  stdio: 'inherit',
})
child.on('close', (code, signal) => (process.exitCode = code ?? (signal ? 1 : 0)))
