#!/usr/bin/env node
/**
 * `npm run docs:tables [-- --check]`: rewrites the generated regions of the docs from the committed
 * results (bench/results/latest.json, quality.json and, when present, peers.json), so the numbers
 * in the docs are the numbers in the results files. A region is
 *
 *   <!-- generated:NAME -->
 *   …replaced on every run…
 *   <!-- /generated -->
 *
 * in README.md, docs/benchmarks.md, docs/simba.md or docs/report.md. `--check` writes nothing and exits 1 with a
 * line diff when a region differs from what the results give (CI runs it). A missing optional
 * results file (peers.json) or field (a world's `misleadable` flag) renders as "not measured".
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Docs that may hold generated regions, relative to the repository root. */
export const DOC_FILES = ['README.md', 'docs/benchmarks.md', 'docs/simba.md', 'docs/report.md']

const f3 = (x) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : '-')
const f2 = (x) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(2) : '-')
const int = (n) => (typeof n === 'number' && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-')
const pct = (w, x) => (w.ceiling > w.floor ? `${Math.round(((x - w.floor) / (w.ceiling - w.floor)) * 100)}%` : '-')
const SHAPE = { predict: 'Predict', cot: 'ChainOfThought', 'two-stage': 'two-stage', react: 'ReAct agent' }
const worldName = (w) => (w.misleadable ? `${w.name} (misleadable)` : w.name)

/** Reads the results files (`dir` defaults to bench/results); peers.json is optional. */
export function loadResults(dir = fileURLToPath(new URL('results/', import.meta.url))) {
  const read = (name) => (existsSync(`${dir}/${name}`) ? JSON.parse(readFileSync(`${dir}/${name}`, 'utf8')) : undefined)
  return { latest: read('latest.json'), quality: read('quality.json'), peers: read('peers.json'), reportSize: read('report-size.json'), ablations: read('ablations.json') }
}

/** Lowest and highest 1-minute load average of a run's samples, as `a–b`. */
function loadRange(machine) {
  const loads = (machine?.loadavg ?? []).map((l) => l.loadavg?.[0]).filter((x) => typeof x === 'number')
  if (loads.length === 0) return 'unknown'
  const lo = Math.min(...loads)
  const hi = Math.max(...loads)
  return lo === hi ? f2(lo) : `${f2(lo)}–${f2(hi)}`
}

function loadAfter(machine, script) {
  const at = (machine?.loadavg ?? []).find((l) => l.at === `after ${script}`)
  return at ? f2(at.loadavg[0]) : 'unknown'
}

const totalSeconds = (latest) => Object.values(latest?.seconds ?? {}).reduce((a, b) => a + b, 0)

/** Each generated region by name: a function of the results giving Markdown text. */
export const REGIONS = {
  /** When and where the committed run was taken, and how long it took. */
  'bench-run': ({ latest }) => {
    if (!latest) return '_No `bench/results/latest.json` committed._'
    const m = latest.machine ?? {}
    const s = totalSeconds(latest)
    const q = latest.seconds?.['quality.mjs']
    return (
      `Committed run: ${m.date ?? 'unknown date'}, ${m.cpus ?? '?'}-core ${m.cpu ?? 'CPU'}, ${m.memoryGB ?? '?'} GB, Node ${(m.node ?? '?').replace(/^v/, '')}, ` +
      `1-minute load average ${loadRange(m)} during the run. It took ${int(s)} s (${(s / 60).toFixed(1)} min) in all` +
      (q ? `, of which \`quality.mjs\` ${int(q)} s` : '') +
      `; per script: ${Object.entries(latest.seconds ?? {}).map(([k, v]) => `\`${k}\` ${v} s`).join(', ')}. On a loaded machine every script takes longer (the ratios are built to survive that; the times are not).`
    )
  },
  /** The README's one line on how long `npm run bench` takes. */
  'bench-run-short': ({ latest }) => {
    if (!latest) return 'no committed run'
    const s = totalSeconds(latest)
    return `The committed run took ${(s / 60).toFixed(1)} minutes (${int(s)} s, \`quality.mjs\` included) on ${latest.machine?.cpus ?? '?'} cores at load ${loadRange(latest.machine)}; a loaded machine takes longer.`
  },
  /** The headline figures with their targets. */
  figures: ({ latest }) => {
    if (!latest) return '_No `bench/results/latest.json` committed._'
    const d = latest.details ?? {}
    const rounds = (key) => {
      const r = d[`${key}_rounds`]
      return Array.isArray(r) ? `${r.length} rounds: ${r.map(f2).join(', ')}` : '-'
    }
    const lines = ['| figure | value (median) | per round | target | met |', '|---|---|---|---|---|']
    for (const [key, target] of Object.entries(latest.targets ?? {})) {
      const v = latest[key]
      lines.push(`| \`${key}\` | ${f3(v)} | ${rounds(key === 'agent_overhead_ratio' ? 'agent_overhead' : key)} | ${target.replace('<=', '≤').replace('>=', '≥')} | ${latest.met?.[key] === true ? 'yes' : latest.met?.[key] === false ? '**no**' : '-'} |`)
    }
    return lines.join('\n')
  },
  /** The scaling table (`scaling.mjs`). */
  scaling: ({ latest }) => {
    const rows = latest?.details?.scaling
    if (!Array.isArray(rows) || rows.length === 0) return '_Not measured in the committed run._'
    const lines = [
      `Load average after \`scaling.mjs\`: ${loadAfter(latest.machine, 'scaling.mjs')} (run of ${latest.machine?.date ?? 'unknown date'}).`,
      '',
      '| trainset | bsize | N | concurrency | wall s | LM calls | ms per call | peak RSS MB |',
      '|---|---|---|---|---|---|---|---|',
    ]
    for (const r of rows) lines.push(`| ${int(r.size)} | ${r.bsize} | ${r.numCandidates} | ${r.concurrency} | ${f2(r.seconds)} | ${int(r.calls)} | ${f2(r.msPerCall)} | ${int(r.rssMB)} |`)
    return lines.join('\n')
  },
  /** Fixture file size, load time and lookup (`fixtures-replay.mjs`). */
  fixtures: ({ latest }) => {
    const d = latest?.details
    if (!d || d.fixture_file_entries === undefined) return '_Not measured in the committed run._'
    const ratio = d.fixture_file_load_ms / d.fixture_file_load_ms_1000_entries
    return (
      `a ${int(d.fixture_file_entries)}-entry file is ${(d.fixture_file_bytes / 1e6).toFixed(2)} MB and loads (read, parse, validate every entry) in a median ` +
      `${int(d.fixture_file_load_ms)} ms in the benchmark's process, against ${f2(d.fixture_file_load_ms_1000_entries)} ms for 1,000 entries (${ratio.toFixed(1)}× for 10× the entries; ` +
      `load ${loadAfter(latest.machine, 'fixtures-replay.mjs')} after the script). A key computation and lookup takes a median ${f2(d.fixture_lookup_us)} µs.`
    )
  },
  /** The bundled example's whole run under `npm run bench` (`optimize-example.mjs`). */
  example: ({ latest }) => {
    const d = latest?.details
    if (!d || d.example_steps === undefined) return '_Not measured in the committed run._'
    return (
      `With ${d.example_steps} steps the held-out accuracy goes from ${f3(d.example_heldout_before)} to ${f3(d.example_heldout_after)} in ${int(d.example_lm_calls)} LM calls; ` +
      `its sequential ÷ concurrent time was ${f2(d.example_speedup_vs_sequential)}× in the committed run (load ${loadAfter(latest.machine, 'optimize-example.mjs')} after it), ` +
      'moved by the load because each schedule runs once.'
    )
  },
  /** Every quality row: world × shape × optimizer, per seed. */
  quality: ({ quality }) => {
    if (!quality) return '_No `bench/results/quality.json` committed._'
    const lines = ['| world (floor → ceiling) | shape | optimizer | held-out per seed 0–4 | mean ± sd | of floor→ceiling | LM calls |', '|---|---|---|---|---|---|---|']
    for (const w of quality.worlds) {
      for (const r of w.rows) lines.push(`| ${worldName(w)} (${f3(w.floor)} → ${f3(w.ceiling)}) | ${r.shape} | ${r.optimizer} | ${r.seeds.map(f3).join(', ')} | ${f3(r.mean)} ± ${f3(r.sd)} | ${pct(w, r.mean)} | ${int(r.calls)} |`)
    }
    return lines.join('\n')
  },
  /** The README's shorter quality table (improved vs faithful vs random demos). */
  'quality-summary': ({ quality }) => {
    if (!quality) return '_No `bench/results/quality.json` committed._'
    const lines = ['| world | shape | unoptimized | 4 random demos | SIMBA faithful (calls) | SIMBA improved (calls) |', '|---|---|---|---|---|---|']
    for (const w of quality.worlds) {
      for (const shape of [...new Set(w.rows.map((r) => r.shape))]) {
        const row = (o) => w.rows.find((r) => r.shape === shape && r.optimizer === o)
        const cell = (r, bold) => (r ? `${bold ? `**${f3(r.mean)}**` : f3(r.mean)} (${pct(w, r.mean)}${r.calls ? `; ${int(r.calls)}` : ''})` : '-')
        const u = row('unoptimized')
        lines.push(`| ${worldName(w)} | ${SHAPE[shape] ?? shape} | ${u ? f3(u.mean) : '-'} | ${cell(row('random-demos'))} | ${cell(row('simba-faithful'))} | ${cell(row('simba-improved'), true)} |`)
      }
    }
    return lines.join('\n')
  },
  /** Where `patience` ended improved-mode runs early (`stopped` of quality.json). */
  plateau: ({ quality }) => {
    if (!quality) return '_No `bench/results/quality.json` committed._'
    const lines = ['| world | shape | seeds stopped by `patience` (step) | of 5 |', '|---|---|---|---|']
    for (const w of quality.worlds) {
      for (const r of w.rows.filter((x) => x.optimizer === 'simba-improved' && Array.isArray(x.stopped))) {
        const hits = r.stopped.map((s, i) => [i, s]).filter(([, s]) => String(s).startsWith('plateau'))
        lines.push(`| ${worldName(w)} | ${SHAPE[r.shape] ?? r.shape} | ${hits.length === 0 ? 'none' : hits.map(([i, s]) => `seed ${i} (${String(s).split('@')[1] ?? '?'})`).join(', ')} | ${hits.length} |`)
      }
    }
    return lines.join('\n')
  },
  /** Improved mode's anytime curve (`curve` of quality.json) against labelled-demo stand-ins, per world and shape. */
  anytime: ({ quality }) => {
    if (!quality) return '_No `bench/results/quality.json` committed._'
    const at = ['19', '200', '400', '800']
    const lines = ['| world | shape | improved after ≤ 19 calls | 4 labelled demos | 16 labelled demos | after 200 | after 400 | after 800 | at the end (calls) |', '|---|---|---|---|---|---|---|---|---|']
    for (const w of quality.worlds) {
      for (const shape of [...new Set(w.rows.map((r) => r.shape))]) {
        const row = (o) => w.rows.find((r) => r.shape === shape && r.optimizer === o)
        const imp = row('simba-improved')
        if (!imp?.curve) continue
        const c = (k) => (typeof imp.curve[k] === 'number' ? f3(imp.curve[k]) : '-')
        lines.push(`| ${worldName(w)} | ${SHAPE[shape] ?? shape} | ${c(at[0])} | ${row('random-demos') ? f3(row('random-demos').mean) : '-'} | ${row('random-demos-16') ? f3(row('random-demos-16').mean) : '-'} | ${at.slice(1).map(c).join(' | ')} | ${f3(imp.mean)} (${int(imp.calls)}) |`)
      }
    }
    return lines.join('\n')
  },
  /** Improved mode with one option turned off (bench/results/ablations.json): held-out mean, share of the way, calls, and the anytime points. */
  ablations: ({ ablations }) => {
    if (!ablations || !Array.isArray(ablations.variants) || ablations.variants.length === 0) return '_No `bench/results/ablations.json` committed._'
    const worlds = ablations.variants[0].worlds.map((w) => w.name)
    const lines = [`| | ${worlds.join(' | ')} |`, `|---|${worlds.map(() => '---|').join('')}`]
    for (const v of ablations.variants) {
      const cells = worlds.map((n) => {
        const w = v.worlds.find((x) => x.name === n)
        return w ? `${f3(w.mean)} (${pct(w, w.mean)}), ${int(w.calls)} calls; after 200: ${typeof w.curve?.['200'] === 'number' ? f3(w.curve['200']) : '-'}` : '-'
      })
      lines.push(`| \`${v.label}\` | ${cells.join(' | ')} |`)
    }
    return lines.join('\n')
  },
  /** Worlds whose simulated model can be misled (quality.json worlds with `misleadable: true`). */
  misleadable: ({ quality }) => {
    const worlds = (quality?.worlds ?? []).filter((w) => w.misleadable === true)
    if (worlds.length === 0) return '_No misleadable world measured in the committed `bench/results/quality.json`._'
    return REGIONS['quality-summary']({ quality: { ...quality, worlds } })
  },
  /** Other optimizers on the same worlds (bench/results/peers.json): a table per world, then its calls→score curve. */
  peers: ({ peers }) => {
    if (!peers || !Array.isArray(peers.worlds) || peers.worlds.length === 0) return '_No `bench/results/peers.json` committed: peers not measured._'
    const out = []
    let compared = 0
    let atOrAbove = 0
    for (const w of peers.worlds) {
      // The improved mode's anytime score at a row's call count: the last curve point at or below it.
      const curveAt = (k) => (Array.isArray(w.curve) ? w.curve.filter((p) => p.calls <= k).at(-1)?.mean : undefined)
      const versus = (r) => {
        const c = curveAt(r.calls)
        if (r.optimizer === 'simba-improved' || c === undefined || typeof r.mean !== 'number') return '–'
        if (!r.optimizer.startsWith('simba-')) {
          compared++
          if (c >= r.mean) atOrAbove++
        }
        return `${f3(c)} ${c >= r.mean ? '(at or above)' : '(**below**)'}`
      }
      out.push(`**${w.name}** (floor ${f3(w.floor)} → ceiling ${f3(w.ceiling)})`, '', '| optimizer | held-out per seed | mean | of floor→ceiling | LM calls | improved mode after as many calls |', '|---|---|---|---|---|---|')
      for (const r of w.rows ?? []) out.push(`| ${r.optimizer} | ${(r.seeds ?? []).map(f3).join(', ')} | ${f3(r.mean)} | ${pct(w, r.mean)} | ${int(r.calls)} | ${versus(r)} |`)
      if (Array.isArray(w.curve) && w.curve.length > 0) out.push('', `Mean held-out score by LM calls spent: ${w.curve.map((p) => `${int(p.calls)} → ${f3(p.mean)}`).join(', ')}.`)
      out.push('')
    }
    out.unshift(`The improved mode's anytime curve is at or above ${atOrAbove} of the ${compared} peer rows (other optimizers) at their own call counts.`, '')
    return out.join('\n').trimEnd()
  },
}

/** Report size and page load for large suites (bench/results/report-size.json, from bench/report-size.mjs). */
REGIONS['report-size'] = ({ reportSize }) => {
  if (!reportSize?.sizes) return '_No `bench/results/report-size.json` committed._'
  const mb = (b) => `${(b / 1e6).toFixed(2)} MB`
  const sec = (ms) => (typeof ms === 'number' ? `${(ms / 1000).toFixed(1)} s` : 'not measured')
  const lines = [
    '| cases | traces kept | JSON | HTML | page load in Chromium | same page without traces | with every trace (`SIMBA_REPORT_TRACES=all`) |',
    '|---|---|---|---|---|---|---|',
  ]
  for (const r of Object.values(reportSize.sizes)) {
    lines.push(
      `| ${int(r.cases)} | ${int(r.tracesKept)} of ${int(r.cases)} | ${mb(r.jsonBytes)} | ${mb(r.htmlBytes)} | ${sec(r.openMs)} | ${mb(r.noTraces.htmlBytes)}, ${sec(r.noTraces.openMs)} | ` +
        `JSON ${mb(r.allTraces.jsonBytes)}, HTML ${mb(r.allTraces.htmlBytes)}, ${sec(r.allTraces.openMs)} |`,
    )
  }
  lines.push('', `Measured on ${reportSize.cpus ?? '?'} cores at a load average of ${f2(reportSize.loadAverageAtStart)}.`)
  return lines.join('\n')
}

const OPEN = /<!-- generated:([a-z0-9-]+) -->\n/g
const CLOSE = '<!-- /generated -->'

/** `text` with every generated region rewritten from `results`; throws naming `file` on an unknown or unclosed region. */
export function rewrite(text, results, file = 'the document') {
  let out = ''
  let at = 0
  for (const m of text.matchAll(OPEN)) {
    if (m.index < at) continue
    const name = m[1]
    const gen = REGIONS[name]
    if (!gen) throw new Error(`${file}: unknown generated region "${name}" (known: ${Object.keys(REGIONS).join(', ')})`)
    const start = m.index + m[0].length
    const end = text.indexOf(CLOSE, start)
    if (end < 0) throw new Error(`${file}: region "${name}" has no closing ${CLOSE}`)
    out += text.slice(at, start) + `${gen(results)}\n`
    at = end
  }
  return out + text.slice(at)
}

/** A line diff of two texts (changed lines only, with their line numbers). */
export function lineDiff(before, after) {
  const a = before.split('\n')
  const b = after.split('\n')
  const out = []
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue
    if (a[i] !== undefined) out.push(`${i + 1}: - ${a[i]}`)
    if (b[i] !== undefined) out.push(`${i + 1}: + ${b[i]}`)
  }
  return out.join('\n')
}

/** Rewrites (or with `check`, compares) every doc; returns the files that differ with their diffs. */
export function run({ check = false, root = ROOT, results = loadResults() } = {}) {
  const stale = []
  for (const rel of DOC_FILES) {
    const path = `${root}/${rel}`
    if (!existsSync(path)) continue
    const text = readFileSync(path, 'utf8')
    const next = rewrite(text, results, rel)
    if (next === text) continue
    stale.push({ file: rel, diff: lineDiff(text, next) })
    if (!check) writeFileSync(path, next)
  }
  return stale
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check')
  try {
    const stale = run({ check })
    if (check && stale.length > 0) {
      for (const s of stale) console.error(`${s.file} differs from bench/results:\n${s.diff}\n`)
      console.error('The generated tables are out of date with bench/results: run `npm run docs:tables` and commit the docs.')
      process.exitCode = 1
    } else if (!check) console.log(stale.length === 0 ? 'docs tables up to date' : `rewrote ${stale.map((s) => s.file).join(', ')}`)
  } catch (error) {
    console.error(error.message)
    process.exitCode = 1
  }
}
