#!/usr/bin/env node
/**
 * Consumer check: packs this package, installs the tarball into a fresh copy of
 * fixtures/projects/consumer (outside the repository) with zod 4.1.12 (an old zod 4) and the
 * Vitest/TypeScript versions we test, then runs `tsc` and `vitest run` there.
 * Needs the npm registry. Usage: npm run test:consumer  (ZOD=4.x.y to try another zod; VITEST and
 * TYPES_NODE likewise, as the Vitest 5 leg does)
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')
const versions = {
  zod: process.env.ZOD ?? '4.1.12',
  vitest: process.env.VITEST ?? '4.1.12',
  typescript: '5.9.3',
  '@types/node': process.env.TYPES_NODE || '^20.19.0',
}
const work = mkdtempSync(join(tmpdir(), 'vitest-simba-consumer-'))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const sh = (cmd, args, cwd) => {
  process.stdout.write(`$ ${cmd} ${args.join(' ')}\n`)
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, CI: 'true' } })
}
try {
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }))
  const tarball = join(work, packed[0].filename)
  const project = join(work, 'consumer')
  cpSync(join(root, 'fixtures', 'projects', 'consumer'), project, { recursive: true, filter: (src) => !src.endsWith('package.json') })
  // The README's Install steps, as a new user runs them.
  sh(npm, ['init', '-y'], project)
  sh(npm, ['pkg', 'set', 'type=module'], project)
  const deps = Object.entries(versions).map(([name, v]) => `${name}@${v}`)
  sh(npm, ['install', '--save-dev', '--no-audit', '--no-fund', '--no-package-lock', tarball, ...deps], project)
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc')
  sh(process.execPath, [tsc, '-p', 'tsconfig.json'], project)
  // The `vitest-simba/globals` types entry (Vitest's `globals: true`).
  sh(process.execPath, [tsc, '-p', join('globals', 'tsconfig.json')], project)
  // zod is a peer: the package must use the consumer's zod, not a copy of its own.
  const zodVersion = JSON.parse(readFileSync(join(project, 'node_modules', 'zod', 'package.json'), 'utf8')).version
  if (zodVersion !== versions.zod) throw new Error(`expected zod ${versions.zod} in the consumer, found ${zodVersion}`)
  if (existsSync(join(project, 'node_modules', 'vitest-simba', 'node_modules', 'zod'))) throw new Error('vitest-simba installed its own zod next to the consumer\'s')
  // The README's Install steps set "type": "module": no CommonJS warning from Vite on a run.
  process.stdout.write('$ vitest run -u\n')
  const out = execFileSync(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '-u'], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true', NO_COLOR: '1' } })
  process.stdout.write(out)
  if (/\bCJS\b|CommonJS/i.test(out)) throw new Error('vitest printed a CommonJS warning in the consumer project')
  // openai and msw resolve to the newest releases in the package's ranges (no lock file here).
  const installed = (name) => {
    const nested = join(project, 'node_modules', 'vitest-simba', 'node_modules', name, 'package.json')
    return JSON.parse(readFileSync(existsSync(nested) ? nested : join(project, 'node_modules', name, 'package.json'), 'utf8')).version
  }
  process.stdout.write(`consumer check passed: zod ${versions.zod}, vitest ${versions.vitest}, typescript ${versions.typescript}, openai ${installed('openai')}, msw ${installed('msw')}, node ${process.version}\n`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
