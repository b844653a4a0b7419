import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyProject, hashTree, removeProject, requireBuild, run } from './harness.js'

const dirs: string[] = []
beforeAll(requireBuild)
afterAll(() => dirs.forEach(removeProject))

/**
 * A copy of the plain-function project with one test file per damage (the same block, its snapshot
 * text replaced by `edit(text)`), so one run per mode checks every damage: three Vitest runs, not five.
 */
function withSnapshots(damages: Record<string, (text: string) => string>): string {
  const dir = copyProject('plain-function')
  dirs.push(dir)
  const test = readFileSync(join(dir, 'shout.test.ts'), 'utf8')
  const snapshot = readFileSync(join(dir, '__snapshots__', 'shout.test.ts.simba.json'), 'utf8')
  for (const [name, edit] of Object.entries(damages)) {
    writeFileSync(join(dir, `${name}.test.ts`), test)
    writeFileSync(join(dir, '__snapshots__', `${name}.test.ts.simba.json`), edit(snapshot))
  }
  rmSync(join(dir, 'shout.test.ts'))
  rmSync(join(dir, '__snapshots__', 'shout.test.ts.simba.json'))
  return dir
}

type Mode = 'ci' | 'update' | 'optimize-update'
const MODES: Record<Mode, [string[], { bin?: boolean; env?: Record<string, string> }]> = {
  ci: [['run'], { env: { CI: 'true' } }],
  update: [['run', '-u'], {}],
  'optimize-update': [['run', '--optimize', '-u'], { bin: true }],
}

const file = (name: string): string => join('__snapshots__', `${name}.test.ts.simba.json`)
/** Each damaged file and what the run must say about it. */
const DAMAGES: Record<string, { edit: (text: string) => string; messages: string[] }> = {
  json: {
    edit: (t) => t.slice(0, 40),
    messages: [`program snapshot ${file('json')} is not valid JSON`, 'Fix the JSON by hand, or delete the file and re-create it locally with `npx vitest run -u` (or `npx vitest-simba --optimize -u`).'],
  },
  v99: {
    edit: (t) => t.replace('"version": 1', '"version": 99'),
    messages: [`program snapshot ${file('v99')} has format version 99, but this vitest-simba reads version 2. Upgrade vitest-simba to the version that wrote it.`],
  },
  v0: {
    edit: (t) => t.replace('"version": 1', '"version": 0'),
    messages: [`program snapshot ${file('v0')} has format version 0, but this vitest-simba reads version 2 and cannot migrate it. Delete it and re-create it locally with \`npx vitest run -u\` (or \`npx vitest-simba --optimize -u\`).`],
  },
}

describe('vitest-simba e2e: damaged snapshot files', () => {
  const dir = withSnapshots(Object.fromEntries(Object.entries(DAMAGES).map(([name, d]) => [name, d.edit])))
  const before = hashTree(dir)

  // Invalid JSON, a newer format (99) and a format that cannot be migrated (0): in CI and in both
  // modes that could write, every file fails naming itself and the fix, and no file is touched.
  test.each(Object.keys(MODES) as Mode[])('%s: every damaged file fails its block, naming the file and the fix; nothing is touched', async (mode) => {
    const [args, opts] = MODES[mode]
    const r = await run(dir, args, opts)
    expect(r.code, `${args.join(' ')}\n${r.output}`).toBe(1)
    for (const { messages } of Object.values(DAMAGES)) for (const m of messages) expect(r.output, args.join(' ')).toContain(m)
    expect(r.output).not.toMatch(/Tests\s+\d+ passed/)
    expect(hashTree(dir), args.join(' ')).toEqual(before)
  })
})
