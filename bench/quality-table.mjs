#!/usr/bin/env node
/**
 * Prints the Markdown table of bench/results/quality.json (or the file named as the first
 * argument): one row per world × shape × optimizer, with the held-out score per seed, mean ± sd,
 * the share of the way from floor to ceiling and the mean LM calls. docs/simba.md and the README
 * carry its output. `--summary` prints the shorter README table (improved vs faithful vs random demos).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const args = process.argv.slice(2)
const file = args.find((a) => !a.startsWith('--')) ?? fileURLToPath(new URL('results/quality.json', import.meta.url))
const q = JSON.parse(readFileSync(file, 'utf8'))
const f3 = (x) => x.toFixed(3)
const pct = (w, x) => (w.ceiling > w.floor ? `${Math.round(((x - w.floor) / (w.ceiling - w.floor)) * 100)}%` : '-')
const calls = (n) => n.toLocaleString('en-US')
const lines = []
if (args.includes('--summary')) {
  const shapeName = { predict: 'Predict', cot: 'ChainOfThought', 'two-stage': 'two-stage', react: 'ReAct agent' }
  lines.push('| world | shape | unoptimized | 4 random demos | SIMBA faithful (calls) | SIMBA improved (calls) |', '|---|---|---|---|---|---|')
  for (const w of q.worlds) {
    for (const shape of [...new Set(w.rows.map((r) => r.shape))]) {
      const row = (o) => w.rows.find((r) => r.shape === shape && r.optimizer === o)
      const u = row('unoptimized')
      const rd = row('random-demos')
      const fa = row('simba-faithful')
      const im = row('simba-improved')
      const cell = (r, bold) => (r ? `${bold ? `**${f3(r.mean)}**` : f3(r.mean)} (${pct(w, r.mean)}${r.calls ? `; ${calls(r.calls)}` : ''})` : '-')
      lines.push(`| ${w.name} | ${shapeName[shape] ?? shape} | ${u ? f3(u.mean) : '-'} | ${cell(rd)} | ${cell(fa)} | ${cell(im, true)} |`)
    }
  }
} else {
  lines.push('| world (floor → ceiling) | shape | optimizer | held-out per seed 0–4 | mean ± sd | of floor→ceiling | LM calls |', '|---|---|---|---|---|---|---|')
  for (const w of q.worlds) {
    for (const r of w.rows) {
      lines.push(`| ${w.name} (${f3(w.floor)} → ${f3(w.ceiling)}) | ${r.shape} | ${r.optimizer} | ${r.seeds.map(f3).join(', ')} | ${f3(r.mean)} ± ${f3(r.sd)} | ${pct(w, r.mean)} | ${calls(r.calls)} |`)
    }
  }
}
console.log(lines.join('\n'))
