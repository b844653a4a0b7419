import { afterAll, beforeAll, expect, test } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { removeProject, requireBuild, ROOT, run, writeProject } from './harness.js'

// A project whose only test prints a marker: seeing it means Vitest ran.
let dir = ''
beforeAll(() => {
  requireBuild()
  dir = writeProject('bin', {
    'vitest.config.mjs': "export default { test: { include: ['*.test.mjs'] } }\n",
    'marker.test.mjs': "import { test } from 'vitest'\ntest('ran', () => { console.log('MARKER-VITEST-RAN') })\n",
  })
})
afterAll(() => removeProject(dir))

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
const vitestVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'vitest', 'package.json'), 'utf8')) as { version: string }).version

test('vitest-simba --help prints the bin options and exits 0 without running Vitest', async () => {
  for (const flag of ['--help', '-h']) {
    const r = await run(dir, ['run', flag], { bin: true })
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('--optimize')
    expect(r.stdout).toContain('npx vitest --help')
    expect(r.stdout).toContain('npx vitest-simba-sim --world <world.json>')
    expect(r.output).not.toContain('MARKER-VITEST-RAN')
  }
})

test('vitest-simba --version prints both versions and exits 0 without running Vitest', async () => {
  const r = await run(dir, ['--version'], { bin: true })
  expect(r.code, r.output).toBe(0)
  expect(r.stdout.trim()).toMatch(new RegExp(`^vitest-simba@${version.replace(/\./g, '\\.')} \\(vitest ${vitestVersion.replace(/\./g, '\\.')}\\)$`))
  expect(r.output).not.toContain('MARKER-VITEST-RAN')
})

test('vitest-simba --optimise is refused (exit 2) with a suggestion, and Vitest does not run', async () => {
  const r = await run(dir, ['run', '--optimise'], { bin: true })
  expect(r.code, r.output).toBe(2)
  expect(r.stderr).toContain('Unknown option `--optimise` for vitest-simba. Did you mean `--optimize`?')
  expect(r.output).not.toContain('MARKER-VITEST-RAN')
})

test('an option neither the bin nor Vitest knows is refused (exit 2), with a suggestion when one is close, and Vitest does not run', async () => {
  // One spawn; which options are unknown and what is suggested is covered in test/vitest/node/bin-args.test.ts.
  const r = await run(dir, ['run', '--reprot'], { bin: true })
  expect(r.code, r.output).toBe(2)
  expect(r.stderr).toContain('vitest-simba: Unknown option `--reprot`. Did you mean `--report`?')
  expect(r.output).not.toContain('MARKER-VITEST-RAN')
})

test('other arguments reach Vitest unchanged', async () => {
  const r = await run(dir, ['run', '--reporter=verbose', '-t', 'ran'], { bin: true })
  expect(r.code, r.output).toBe(0)
  expect(r.output).toContain('MARKER-VITEST-RAN')
  expect(r.output).toContain('✓ marker.test.mjs > ran')
})
