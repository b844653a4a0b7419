/**
 * What `npm pack` would ship (offline: `npm pack --dry-run --ignore-scripts`, nothing installed):
 * every `exports`/`bin` target is in the tarball, and nothing else than dist, README and
 * package.json — no tests, fixtures, examples, sources, source maps or stale build output.
 * Needs a built dist (`npm test` builds first).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>
  exports: Record<string, string | Record<string, string>>
}
const clean = (p: string): string => p.replace(/^\.\//, '')

let files: string[] = []

beforeAll(() => {
  if (!existsSync(resolve(root, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)')
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path).sort()
})

describe('the packed tarball', () => {
  it('holds every exports and bin target', () => {
    const targets = [...Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t))), ...Object.values(pkg.bin)]
    const missing = targets.map(clean).filter((t) => !files.includes(t))
    expect(missing, `package.json points at files the tarball lacks: ${missing.join(', ')}`).toEqual([])
    for (const bin of Object.values(pkg.bin)) expect(readFileSync(resolve(root, clean(bin)), 'utf8').startsWith('#!/usr/bin/env node'), bin).toBe(true)
  })

  it('holds only dist (js + d.ts), the globals types entry, README.md, CHANGELOG.md, LICENSE and package.json', () => {
    const unexpected = files.filter((f) => !['README.md', 'CHANGELOG.md', 'LICENSE', 'globals.d.ts', 'package.json'].includes(f) && !/^dist\/.+\.(js|d\.ts)$/.test(f))
    expect(unexpected, 'files that should not ship (tests, fixtures, sources, source maps, temp files)').toEqual([])
  })

  it('ships the licence, the changelog and the globals types entry', () => {
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'CHANGELOG.md', 'globals.d.ts']))
  })

  it('ships no stale build output: every dist file comes from a current source file', () => {
    const stale = files.filter((f) => f.startsWith('dist/')).filter((f) => !existsSync(resolve(root, f.replace(/^dist\//, 'src/').replace(/(\.d)?\.js$|\.d\.ts$/, '.ts'))))
    expect(stale, 'dist has files whose source is gone: `rm -rf dist && npm run build`').toEqual([])
  })

  it('every JavaScript file has its type declarations', () => {
    const js = files.filter((f) => f.endsWith('.js'))
    expect(js.filter((f) => !files.includes(f.replace(/\.js$/, '.d.ts')))).toEqual([])
  })
})
