#!/usr/bin/env node
/**
 * Runs this repository's test suite against another set of dependency versions, without touching
 * the main node_modules or package-lock.json: copies the repository's files into
 * `.matrix/<set>/repo/` (gitignored), pins the set's versions in that copy's package.json,
 * installs there (the npm registry is needed for the install only; the tests stay offline), checks
 * which Node and Vitest actually run, builds, and runs `vitest run` there.
 *
 * Sets:
 *   vitest5  Node 22 (the `node` package from the npm registry) + Vitest 5, msw 3, openai 7:
 *            the highest majors the package claims. Also runs the consumer check there
 *            (packed tarball in a fresh project, resolved by npm on Node 22).
 *   lowest   The lowest versions the package claims: Node 20.19.0, Vitest 4.1.0, msw 2.15.0,
 *            openai 6.49.0 (zod stays the dev copy; the consumer check covers zod 4.1.12), on the
 *            tests that depend on them (set.tests below; pass paths to run others).
 *
 * Usage: node test/matrix/run.mjs <set> [vitest args...]   (npm run test:vitest5, npm run test:lowest)
 * A second run reuses the installed node_modules when the pins are unchanged.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')

/** Exact versions per set; `node` is the npm package that ships the Node binary. */
const SETS = {
  vitest5: {
    versions: { node: '22.23.3', vitest: '5.1.2', msw: '3.0.5', openai: '7.59.0', '@types/node': '22.20.7' },
    expect: { node: /^v22\./, vitest: /^5\./ },
    consumer: true,
  },
  lowest: {
    versions: { node: '20.19.0', vitest: '4.1.0', msw: '2.15.0', openai: '6.49.0' },
    expect: { node: /^v20\.19\.0$/, vitest: /^4\.1\.0$/ },
    consumer: false,
    // The parts that depend on Vitest, msw and openai: the bin, reporters and CI verdicts on real
    // Vitest runs, the plugin's node/runtime units, record/replay, the LM client. The optimizer and
    // core tests do not touch these packages; the slow optimize e2e runs stay in the main leg.
    tests: ['test/e2e/bin.test.ts', 'test/e2e/reporters.test.ts', 'test/e2e/ci-regression.test.ts', 'test/e2e/plain-function.test.ts', 'test/vitest', 'test/recording', 'test/core/lm'],
  },
}

/** Dev dependencies the test suite does not use (mutation testing, the browser test, package lint). */
const UNUSED_DEV = ['@stryker-mutator/core', '@stryker-mutator/vitest-runner', 'playwright-core', 'publint', '@arethetypeswrong/cli']

const [setName, ...cliArgs] = process.argv.slice(2)
const set = SETS[setName]
if (!set) {
  console.error(`usage: node test/matrix/run.mjs <${Object.keys(SETS).join('|')}> [vitest args...]`)
  process.exit(2)
}
const vitestArgs = cliArgs.length > 0 ? cliArgs : (set.tests ?? [])
const base = join(root, '.matrix', setName)
const work = join(base, 'repo')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const started = Date.now()
const step = (msg) => process.stdout.write(`[matrix ${setName} ${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`)

/** The repository's files (tracked plus untracked-but-not-ignored), relative to the root. */
function repoFiles() {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
  return out.split('\0').filter((f) => f && f !== 'package-lock.json' && existsSync(join(root, f)))
}

// 1. A fresh copy of the sources; node_modules and the copy's own lock file survive between runs.
mkdirSync(work, { recursive: true })
for (const name of readdirSync(work)) if (name !== 'node_modules' && name !== 'package-lock.json') rmSync(join(work, name), { recursive: true, force: true })
for (const f of repoFiles()) {
  mkdirSync(dirname(join(work, f)), { recursive: true })
  cpSync(join(root, f), join(work, f))
}

// 2. Pin the set's versions in the copy's package.json.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
for (const name of UNUSED_DEV) delete pkg.devDependencies[name]
const { msw, openai, vitest, ...dev } = set.versions
pkg.dependencies = { ...pkg.dependencies, msw, openai }
pkg.devDependencies = { ...pkg.devDependencies, vitest, ...dev }
pkg.allowScripts = { ...pkg.allowScripts, node: true, msw: true }
writeFileSync(join(work, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')

// 3. Install (npm runs on the machine's Node; the pins decide the versions, not its engine).
step(`npm install ${Object.entries(set.versions).map(([k, v]) => `${k}@${v}`).join(' ')}`)
execFileSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: work, stdio: 'inherit' })

// Some tests list the tracked files with git: the copy (with its pins) is a repository of its own.
const git = (...args) => execFileSync('git', args, { cwd: work, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 'matrix', GIT_AUTHOR_EMAIL: 'matrix@localhost', GIT_COMMITTER_NAME: 'matrix', GIT_COMMITTER_EMAIL: 'matrix@localhost' } })
git('init', '-q')
git('add', '-A', '--', '.', ':!package-lock.json')
git('commit', '-q', '--no-verify', '-m', 'copy')

// 4. From here on, `node` is the set's Node: node_modules/.bin first on PATH, as `npm run` does.
const env = { ...process.env, PATH: [join(work, 'node_modules', '.bin'), process.env.PATH].join(delimiter) }
const nodeBin = join(work, 'node_modules', '.bin', 'node')
const nodeVersion = execFileSync(nodeBin, ['--version'], { cwd: work, env, encoding: 'utf8' }).trim()
const vitestVersion = JSON.parse(readFileSync(join(work, 'node_modules', 'vitest', 'package.json'), 'utf8')).version
const installed = (name) => JSON.parse(readFileSync(join(work, 'node_modules', name, 'package.json'), 'utf8')).version
step(`node ${nodeVersion}, vitest ${vitestVersion}, msw ${installed('msw')}, openai ${installed('openai')}, zod ${installed('zod')}, vite ${installed('vite')}`)
if (!set.expect.node.test(nodeVersion) || !set.expect.vitest.test(vitestVersion)) {
  console.error(`[matrix ${setName}] wrong versions: node ${nodeVersion}, vitest ${vitestVersion}`)
  process.exit(1)
}

const run = (cmd, args, extraEnv = {}) => {
  step(`$ ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { cwd: work, env: { ...env, ...extraEnv }, stdio: 'inherit' })
  if (r.status !== 0) {
    step(`failed (exit ${r.status ?? r.signal}) after ${((Date.now() - started) / 1000).toFixed(0)}s`)
    process.exit(r.status ?? 1)
  }
}
const vitestMjs = join(work, 'node_modules', 'vitest', 'vitest.mjs')
run(nodeBin, [join(work, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'])
run(nodeBin, [vitestMjs, 'run', ...vitestArgs])
if (set.consumer && cliArgs.length === 0) run(nodeBin, ['test/consumer/check.mjs'], { VITEST: vitest, TYPES_NODE: set.versions['@types/node'] ?? '' })
step(`passed in ${((Date.now() - started) / 1000).toFixed(0)}s`)
