import { existsSync } from 'node:fs'

const DEFAULTS = ['/usr/bin/chromium', '/usr/bin/chromium-browser']
const INSTALL = 'set CHROMIUM_PATH or run `apt-get install -y chromium`'

/** The installed Chromium to drive: `CHROMIUM_PATH`, else Debian's /usr/bin/chromium or chromium-browser; undefined when none. */
export function chromiumPath(env = process.env, exists = existsSync) {
  const candidates = [env.CHROMIUM_PATH, ...DEFAULTS].filter(Boolean)
  return candidates.find((p) => exists(p))
}

/** Whether `CI` is set to something other than `false`/`0`/empty (the rule the plugin uses). */
export function isCi(env = process.env) {
  const v = env.CI
  return v !== undefined && v !== '' && v !== 'false' && v !== '0'
}

/**
 * What `npm run test:browser` does on this machine: `{ exe }` runs the test with that Chromium;
 * without one it is `{ skip }` locally but `{ fail }` in CI, where a skipped browser test would pass
 * a check that never ran. A `CHROMIUM_PATH` that does not exist is always `{ fail }`.
 */
export function browserPlan(env = process.env, exists = existsSync) {
  if (env.CHROMIUM_PATH && !exists(env.CHROMIUM_PATH)) return { fail: `browser test failed: CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist (${INSTALL})` }
  const exe = chromiumPath(env, exists)
  if (exe) return { exe }
  if (isCi(env)) return { fail: `browser test failed: no Chromium binary found, and with CI=${env.CI} the browser test must run, not be skipped (${INSTALL})` }
  return { skip: `browser test skipped: no Chromium binary found (${INSTALL})` }
}
