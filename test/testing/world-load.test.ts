import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isSimbaError } from '../../src/errors.js'
import { startSimulator } from '../../src/testing/sim/server.js'
import { loadWorld, parseWorld } from '../../src/testing/world/load.js'
import { support } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'simba-worlds-'))
const write = (name: string, text: string): string => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

describe('world loading', () => {
  it('names the file and the JSON path of each problem', () => {
    const bad = { ...support, rules: [{ id: 'x', keywords: ['foo'], label: 'finance' }], test: [{ ticket: 'hi' }] }
    const file = write('bad.json', JSON.stringify(bad))
    let error: unknown
    try {
      loadWorld(file)
    } catch (e) {
      error = e
    }
    expect(isSimbaError(error, 'SIMBA_CONFIG')).toBe(true)
    const msg = (error as Error).message
    expect(msg).toContain(file)
    expect(msg).toContain('rules[0].label: label "finance" is not one of labels')
    expect(msg).toContain('test[0].queue: missing string field "queue"')
  })

  it('reports invalid JSON, missing files and missing keys clearly', () => {
    expect(() => loadWorld(write('broken.json', '{"name": '))).toThrow(/broken\.json is not valid JSON/)
    expect(() => loadWorld(join(dir, 'nope.json'))).toThrow(/cannot read task world file .*nope\.json/)
    expect(() => parseWorld({ name: 'w' }, 'inline')).toThrow(/invalid task world in inline:[\s\S]*inputs/)
  })

  it('startSimulator rejects a bad world path before listening', async () => {
    await expect(startSimulator({ worlds: [join(dir, 'missing.json')] })).rejects.toMatchObject({ code: 'SIMBA_CONFIG' })
    await expect(startSimulator({ worlds: [] })).rejects.toThrow(/at least one task world/)
  })
})
