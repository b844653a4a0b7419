#!/usr/bin/env node
/**
 * Runs Stryker on mutation groups one after the other (concurrency 1 each), merges their JSON
 * reports into reports/mutation/mutation.json and prints the score of every file, counting the
 * mutants listed in groups.mjs `equivalent` apart. Exits 1 when an equivalent entry no longer
 * describes a surviving mutant of a file it mutated, or a file of a group with a `bar` scores below it.
 *   node stryker/run.mjs            every group
 *   node stryker/run.mjs --fast     the gate and secrets groups
 *   node stryker/run.mjs simba ...  the named groups
 *   node stryker/run.mjs --report   only merge the existing group reports and print the table
 *   node stryker/run.mjs --check    only check that every equivalent entry still names code in the source
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { equivalent, fastGroups, groups } from './groups.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = resolve(root, 'reports/mutation')
const args = process.argv.slice(2)
const reportOnly = args.includes('--report')
const named = args.filter((a) => !a.startsWith('--'))
const chosen = args.includes('--fast') ? fastGroups : named.length > 0 ? named : Object.keys(groups)
for (const g of chosen) if (!groups[g]) throw new Error(`unknown mutation group "${g}" (one of: ${Object.keys(groups).join(', ')})`)

// Before any run: every equivalent entry must still name a source line that holds its original
// code (`--check` stops here). The report check below then ties each entry to a surviving mutant.
const normLine = (line) => line.replace(/\s+/g, ' ').trim()
const stale = equivalent.filter((e) => {
  const file = resolve(root, e.file)
  if (!existsSync(file)) return true
  const first = normLine(e.original.split('\n')[0])
  return !readFileSync(file, 'utf8').split('\n').some((l) => normLine(l) === e.code && normLine(l).includes(first))
})
if (stale.length > 0) {
  console.error(`stryker/groups.mjs: ${stale.length} equivalent entr${stale.length === 1 ? 'y names' : 'ies name'} code that is no longer in the source (update or remove):`)
  for (const e of stale) console.error(`- ${e.file}: ${e.original} -> ${e.replacement} in \`${e.code}\``)
  process.exit(1)
}
if (args.includes('--check')) {
  console.log(`stryker/groups.mjs: all ${equivalent.length} equivalent entries name code that is in the source`)
  process.exit(0)
}

if (!reportOnly) {
  for (const g of chosen) {
    console.log(`\n== mutation group ${g}: ${groups[g].mutate.join(', ')}`)
    const bin = resolve(root, 'node_modules/.bin/stryker')
    const r = spawnSync(bin, ['run', `stryker/${g}.config.mjs`], { cwd: root, stdio: 'inherit' })
    if (r.status !== 0) {
      console.error(`stryker failed for group "${g}" (exit ${r.status ?? r.signal}); rerun: npx stryker run stryker/${g}.config.mjs`)
      process.exit(1)
    }
  }
}

// Merge: file paths are unique per group; mutant and test ids are prefixed with the group.
let merged
for (const g of chosen) {
  const file = resolve(outDir, `${g}.json`)
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`node stryker/run.mjs ${g}\``)
  const rep = JSON.parse(readFileSync(file, 'utf8'))
  const id = (x) => `${g}:${x}`
  for (const f of Object.values(rep.files)) {
    for (const m of f.mutants) {
      m.id = id(m.id)
      if (m.killedBy) m.killedBy = m.killedBy.map(id)
      if (m.coveredBy) m.coveredBy = m.coveredBy.map(id)
    }
  }
  for (const tf of Object.values(rep.testFiles ?? {})) for (const t of tf.tests) t.id = id(t.id)
  if (!merged) merged = { ...rep, files: {}, testFiles: {} }
  Object.assign(merged.files, rep.files)
  for (const [p, tf] of Object.entries(rep.testFiles ?? {})) {
    if (merged.testFiles[p]) merged.testFiles[p].tests.push(...tf.tests)
    else merged.testFiles[p] = tf
  }
}
mkdirSync(outDir, { recursive: true })
const tmp = resolve(outDir, `mutation.json.${process.pid}.tmp`)
writeFileSync(tmp, JSON.stringify(merged))
renameSync(tmp, resolve(outDir, 'mutation.json'))

// Score per file: (killed + timeout) / (valid − equivalent), valid = killed, timeout, survived, no coverage.
/** The code a mutant replaced (1-based line and column, end exclusive). */
const originalOf = (lines, loc) => {
  if (loc.start.line === loc.end.line) return lines[loc.start.line - 1].slice(loc.start.column - 1, loc.end.column - 1)
  return [lines[loc.start.line - 1].slice(loc.start.column - 1), ...lines.slice(loc.start.line, loc.end.line - 1), lines[loc.end.line - 1].slice(0, loc.end.column - 1)].join('\n')
}
/** Whether entry `e` of the equivalent list describes mutant `m` of the file whose source lines are `lines`. */
const matches = (e, path, lines, m) =>
  e.file === path && e.replacement === m.replacement && e.code === normLine(lines[m.location.start.line - 1] ?? '') && e.original === originalOf(lines, m.location)
const isOpen = (m) => m.status === 'Survived' || m.status === 'NoCoverage'
const rows = []
for (const [path, f] of Object.entries(merged.files).sort(([a], [b]) => a.localeCompare(b))) {
  const lines = f.source.split('\n')
  const c = { killed: 0, timeout: 0, survived: 0, noCov: 0, equivalent: 0 }
  for (const m of f.mutants) {
    // A listed mutant that timed out counts as equivalent too: on a loaded machine a timeout is noise.
    if (m.status === 'Killed') c.killed++
    else if ((isOpen(m) || m.status === 'Timeout') && equivalent.some((e) => matches(e, path, lines, m))) c.equivalent++
    else if (m.status === 'Timeout') c.timeout++
    else if (m.status === 'Survived') c.survived++
    else if (m.status === 'NoCoverage') c.noCov++
  }
  const valid = c.killed + c.timeout + c.survived + c.noCov
  const group = chosen.find((g) => groups[g].mutate.some((m) => m.replace(/:\d+-\d+$/, '') === path))
  rows.push({ path, bar: group ? groups[group].bar : undefined, ...c, score: valid === 0 ? 100 : (100 * (c.killed + c.timeout)) / valid })
}
console.log('\nfile | score | killed | timeout | survived | no coverage | equivalent')
console.log('---|---|---|---|---|---|---')
for (const r of rows) console.log(`${r.path} | ${r.score.toFixed(1)}% | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCov} | ${r.equivalent}`)
console.log(`\nreport: ${resolve(outDir, 'mutation.json')}`)

// The gate: every equivalent entry of a mutated file must still describe a mutant that survived
// (or had no coverage), and every file of a group with a `bar` must score at least that.
const problems = []
for (const e of equivalent) {
  const f = merged.files[e.file]
  if (!f) continue
  const lines = f.source.split('\n')
  const hit = f.mutants.filter((m) => matches(e, e.file, lines, m))
  if (hit.length === 0) problems.push(`equivalent entry matches no mutant (the code changed: update or remove it in stryker/groups.mjs): ${e.file}: ${e.original} -> ${e.replacement} in \`${e.code}\``)
  // A timeout proves nothing on a loaded machine; a test that failed does.
  else if (hit.every((m) => m.status === 'Killed')) problems.push(`equivalent entry matches only mutants a test killed, so it is not equivalent (remove it from stryker/groups.mjs): ${e.file}: ${e.original} -> ${e.replacement} in \`${e.code}\``)
}
for (const r of rows) if (r.bar !== undefined && r.score < r.bar) problems.push(`${r.path} scores ${r.score.toFixed(1)}%, below its group's bar of ${r.bar}%`)
if (problems.length > 0) {
  console.error(`\nmutation gate failed (${problems.length}):\n${problems.map((p) => `- ${p}`).join('\n')}`)
  console.error('(a report made with a --mutate line range holds only those lines, so entries outside it match nothing)')
  process.exit(1)
}
