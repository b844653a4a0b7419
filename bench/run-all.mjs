#!/usr/bin/env node
/**
 * Runs every benchmark in this folder, one after another, each in its own Node process so their
 * numbers do not disturb each other. Run with `npm run bench` (builds `dist/` first).
 * Each benchmark prints its own table and ratios measured side by side in the same run.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const benches = ['lm-overhead.mjs', 'fixtures-replay.mjs', 'simba-schedule.mjs', 'optimize-example.mjs']
const only = process.argv.slice(2)
let failed = 0
for (const file of benches) {
  if (only.length > 0 && !only.some((o) => file.includes(o))) continue
  console.log(`\n=== bench/${file} ===`)
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], { stdio: 'inherit' })
  if (r.status !== 0) {
    failed++
    console.error(`bench/${file} exited with ${r.status}`)
  }
}
process.exitCode = failed > 0 ? 1 : 0
