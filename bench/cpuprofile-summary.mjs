#!/usr/bin/env node
/**
 * Summarises `--cpu-prof` profiles: for each `.cpuprofile` file in the given directories (or the
 * files given), the sampled time, then self time grouped by module (package name under
 * node_modules, `vitest-simba dist/<folder>`, `node:` internals, or V8's own categories such as
 * garbage collection) and the top functions by self time, and inclusive time of the functions
 * named by `--focus a,b` (a substring of `function url:line`).
 * Usage: node bench/cpuprofile-summary.mjs <dir|file>... [--top 30] [--focus name,...]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'

const argv = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = argv.indexOf(name)
  if (i < 0) return fallback
  const v = argv[i + 1]
  argv.splice(i, 2)
  return v
}
const TOP = Number(opt('--top', 30))
const FOCUS = (opt('--focus', '') || '').split(',').filter(Boolean)
const files = argv.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(p, f)) : [p]))

/** Module a frame's URL belongs to. */
function moduleOf(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native/V8)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    if (rest[0] === 'vitest-simba') return `vitest-simba ${rest.slice(1, rest.length - 1).slice(0, 3).join('/')}`
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (url.startsWith('node:')) return url.split('/')[0]
  if (url.includes('/dist/')) return `dist ${url.slice(url.indexOf('/dist/') + 6).split('/').slice(0, -1).join('/')}`
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/')
}

const fmt = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`

for (const file of files) {
  const prof = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(prof.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map()
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] ?? 0
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt)
  }
  let total = 0
  let idle = 0
  const byModule = new Map()
  const byFn = new Map()
  const phases = new Map()
  const byFnRun = new Map()
  /** Phase of a sample: module loading or the LM HTTP client when such a frame is on its stack, else its own module. */
  const phaseOf = (id, mod, name) => {
    if (name === '(idle)') return '(idle)'
    if (name === '(garbage collector)') return '(garbage collector)'
    let http = false
    let simba
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame
      if (/internal\/modules\/|compileSourceTextModule/.test(f.url + f.functionName) || /^(import|require|loadESM)$/.test(f.functionName)) {
        // Attribute to the nearest package frame below the loader (module evaluation), else to the loader itself.
        for (let c = id; c !== cur; c = parent.get(c)) {
          const g = byId.get(c).callFrame
          if (g.url && !g.url.startsWith('node:')) return `module loading: ${moduleOf(g.url, g.functionName)}`
        }
        return 'module loading: (resolve, read, compile, link)'
      }
      if (/node_modules\/openai\/|deps\/undici|internal\/deps\/undici/.test(f.url) || f.url === 'node:internal/deps/undici/undici') http = true
      const m = moduleOf(f.url, f.functionName)
      if (m.startsWith('vitest-simba')) simba = m
    }
    if (http) return 'LM HTTP client (openai SDK, fetch)'
    if (simba) return `under ${simba}`
    return `other: ${mod}`
  }
  const focus = new Map(FOCUS.map((f) => [f, 0]))
  for (const [id, us] of self) {
    const n = byId.get(id)
    const { functionName, url, lineNumber } = n.callFrame
    const name = functionName || '(anonymous)'
    total += us
    if (name === '(idle)' || name === '(program)') {
      if (name === '(idle)') idle += us
    }
    const mod = moduleOf(url, name)
    byModule.set(mod, (byModule.get(mod) ?? 0) + us)
    const key = `${name} ${url ? `${basename(url)}:${lineNumber + 1}` : ''} [${mod}]`
    byFn.set(key, (byFn.get(key) ?? 0) + us)
    const phase = phaseOf(id, mod, name)
    phases.set(phase, (phases.get(phase) ?? 0) + us)
    if (!phase.startsWith('module loading') && name !== '(idle)') byFnRun.set(key, (byFnRun.get(key) ?? 0) + us)
    if (FOCUS.length) {
      // Inclusive: charge this sample to every focused frame on its stack (once per frame name).
      const seen = new Set()
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur).callFrame
        const label = `${f.functionName || '(anonymous)'} ${f.url}:${f.lineNumber + 1}`
        for (const want of FOCUS) if (!seen.has(want) && label.includes(want)) seen.add(want)
      }
      for (const want of seen) focus.set(want, focus.get(want) + us)
    }
  }
  console.log(`\n== ${basename(file)}: ${fmt(total)} sampled, ${fmt(total - idle)} busy (idle ${fmt(idle)})`)
  console.log('-- self time by module')
  for (const [m, us] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${fmt(us)}  ${((100 * us) / (total - idle)).toFixed(1).padStart(5)}%  ${m}`)
  console.log('-- top functions by self time')
  for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${fmt(us)}  ${k}`)
  console.log('-- top functions by self time outside module loading')
  for (const [k, us] of [...byFnRun].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${fmt(us)}  ${k}`)
  console.log('-- busy time by phase (first matching frame on the stack: module loading, then the LM HTTP client)')
  for (const [k, us] of [...phases].sort((a, b) => b[1] - a[1])) console.log(`${fmt(us)}  ${((100 * us) / (total - idle)).toFixed(1).padStart(5)}%  ${k}`)
  if (FOCUS.length) {
    console.log('-- inclusive time of focused frames')
    for (const [k, us] of focus) console.log(`${fmt(us)}  ${k}`)
  }
}
