#!/usr/bin/env node
/**
 * Improved mode with one of its newer options turned off, on the worlds where they matter
 * (`Predict`, seeds 0–4): runs `bench/quality.mjs` once per variant (QUALITY_IMPROVED_OPTIONS; its
 * own figures are not added to `npm run bench`'s results) and
 * takes the full mode's rows from the committed bench/results/quality.json (measured with the same
 * settings). Writes bench/results/ablations.json, which `npm run docs:tables` turns into the
 * ablation table of docs/simba.md. Run after a build: `npm run build && node bench/ablations.mjs`.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { emit, writeJsonAtomic } from './lib.mjs'

const WORLDS = ['helpdesk-misleadable', 'insurance-claims', 'news-desk', 'newsroom-misleadable']
const VARIANTS = [
  { label: 'reflectiveStart: false', options: { reflectiveStart: false } },
  { label: 'thinDemos: false', options: { thinDemos: false } },
]
const results = fileURLToPath(new URL('results/', import.meta.url))

/** The improved `Predict` rows of a quality.json for the ablation worlds. */
const pick = (quality) =>
  quality.worlds
    .filter((w) => WORLDS.includes(w.name))
    .map((w) => {
      const r = w.rows.find((x) => x.optimizer === 'simba-improved' && x.shape === 'predict')
      if (!r) throw new Error(`bench/ablations.mjs: no improved Predict row for ${w.name}`)
      return { name: w.name, floor: w.floor, ceiling: w.ceiling, seeds: r.seeds, mean: r.mean, calls: r.calls, curve: r.curve }
    })

const started = Date.now()
const tmp = mkdtempSync(join(tmpdir(), 'simba-ablations-'))
try {
  const variants = [{ label: "mode: 'improved'", options: {}, worlds: pick(JSON.parse(readFileSync(join(results, 'quality.json'), 'utf8'))) }]
  for (const v of VARIANTS) {
    const out = join(tmp, `${Object.keys(v.options).join('-')}.json`)
    const args = [fileURLToPath(new URL('quality.mjs', import.meta.url)), '--worlds', WORLDS.join(','), '--shapes', 'predict', '--optimizers', 'simba-improved']
    const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, BENCH_JSON: '', QUALITY_OUT: out, QUALITY_IMPROVED_OPTIONS: JSON.stringify(v.options) } })
    if (r.status !== 0) throw new Error(`bench/ablations.mjs: quality.mjs failed for ${v.label}`)
    variants.push({ ...v, worlds: pick(JSON.parse(readFileSync(out, 'utf8'))) })
  }
  writeJsonAtomic(join(results, 'ablations.json'), {
    note: `bench/quality.mjs --worlds ${WORLDS.join(',')} --shapes predict --optimizers simba-improved, seeds 0-4, once per variant with QUALITY_IMPROVED_OPTIONS; the first variant is the committed quality.json`,
    date: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    variants,
  })
  emit({ ablations_seconds: Math.round((Date.now() - started) / 1000) })
  console.log(`ablations: ${variants.length} variants in ${Math.round((Date.now() - started) / 1000)} s; wrote bench/results/ablations.json`)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
