import { existsSync } from 'node:fs'

/** The installed Chromium to drive: `CHROMIUM_PATH`, else Debian's /usr/bin/chromium or chromium-browser; undefined when none. */
export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean)
  return candidates.find((p) => existsSync(p))
}
