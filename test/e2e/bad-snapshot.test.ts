import { relative } from 'node:path'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyProject, hashTree, removeProject, requireBuild, run } from './harness.js'

const dirs: string[] = []
beforeAll(requireBuild)
afterAll(() => dirs.forEach(removeProject))

/** A copy of the plain-function project whose snapshot text is replaced by `edit(text)`; returns the dir and snapshot path. */
function withSnapshot(edit: (text: string) => string): { dir: string; file: string } {
  const dir = copyProject('plain-function')
  dirs.push(dir)
  const file = join(dir, '__snapshots__', 'shout.test.ts.simba.json')
  writeFileSync(file, edit(readFileSync(file, 'utf8')))
  return { dir, file }
}

type Mode = 'ci' | 'update' | 'optimize-update'
const MODES: Record<Mode, [string[], { bin?: boolean; env?: Record<string, string> }]> = {
  ci: [['run'], { env: { CI: 'true' } }],
  update: [['run', '-u'], {}],
  'optimize-update': [['run', '--optimize', '-u'], { bin: true }],
}

/** Runs vitest in each mode (CI, and the ones that could write); each must fail with every one of `messages` and touch nothing. */
async function expectFailsUntouched(dir: string, messages: string[], modes: Mode[]): Promise<void> {
  const before = hashTree(dir)
  for (const [args, opts] of modes.map((m) => MODES[m])) {
    const r = await run(dir, args, opts)
    expect(r.code, `${args.join(' ')}\n${r.output}`).toBe(1)
    for (const m of messages) expect(r.output, args.join(' ')).toContain(m)
    expect(r.output).not.toMatch(/Tests\s+\d+ passed/)
    expect(hashTree(dir), args.join(' ')).toEqual(before)
  }
}

describe('vitest-simba e2e: damaged snapshot files', () => {
  test('invalid JSON: the run fails naming the file and the fix; the file is left as it is', async () => {
    const { dir, file } = withSnapshot((t) => t.slice(0, 40))
    const fix = 'Fix the JSON by hand, or delete the file and re-create it locally with `npx vitest run -u` (or `npx vitest-simba --optimize -u`).'
    await expectFailsUntouched(dir, [`program snapshot ${relative(dir, file)} is not valid JSON`, fix], ['ci', 'update', 'optimize-update'])
  })

  test('"version": 99 asks to upgrade vitest-simba; the file is left as it is', async () => {
    const { dir, file } = withSnapshot((t) => t.replace('"version": 1', '"version": 99'))
    await expectFailsUntouched(dir, [`program snapshot ${relative(dir, file)} has format version 99, but this vitest-simba reads version 2. Upgrade vitest-simba to the version that wrote it.`], ['ci'])
  })

  test('"version": 0 cannot be migrated and says how to re-create it; the file is left as it is', async () => {
    const { dir, file } = withSnapshot((t) => t.replace('"version": 1', '"version": 0'))
    await expectFailsUntouched(
      dir,
      [`program snapshot ${relative(dir, file)} has format version 0, but this vitest-simba reads version 2 and cannot migrate it. Delete it and re-create it locally with \`npx vitest run -u\` (or \`npx vitest-simba --optimize -u\`).`],
      ['update'],
    )
  })
})
