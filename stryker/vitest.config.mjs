/**
 * Vitest config of one mutation group: only that group's unit tests (group name in
 * STRYKER_GROUP, set by the group's Stryker config file).
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { groups } from './groups.mjs'

const name = process.env.STRYKER_GROUP ?? ''
const group = groups[name]
if (!group) throw new Error(`stryker/vitest.config.mjs: unknown mutation group "${name}" (one of: ${Object.keys(groups).join(', ')})`)

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: group.tests,
    exclude: ['**/node_modules/**', 'fixtures/**', 'dist/**', '.stryker-tmp/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
