import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseSnapshot } from '../../src/snapshot/parse.js'
import { mayWriteBlock, toUpdateMode } from '../../src/snapshot/policy.js'
import { SNAPSHOT_VERSION } from '../../src/snapshot/types.js'

const FILE = '/elsewhere/__snapshots__/a.test.ts.simba.json'

const block = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  program: { self: { instructions: ['One. ', 'Two.'], demos: [{ q: 'x', a: 'y' }] } },
  baseline: { split: 'trainset', mean: 0.5, trainset: { mean: 0.5, cases: { a: 1, b: 0 } } },
  provenance: { model: 'm', optimizer: 'simba', settings: { maxSteps: 2 }, seed: 0, library: 'vitest-simba@0.2.0', date: '2026-01-01' },
  promptHash: 'h',
  source: { hash: 'sh', predictors: { self: { signature: 'q: string -> a: string', signatureHash: 's', instructions: ['One. ', 'Two.'], demos: 1, demosHash: 'd' } } },
  ...extra,
})
const v2 = (blocks: Record<string, unknown>): string => JSON.stringify({ version: SNAPSHOT_VERSION, blocks })

/** The SimbaError a parse throws (fails the test when it does not throw). */
function failure(text: string, file = FILE): { code: string; message: string } {
  let thrown: unknown
  try {
    parseSnapshot(text, file)
  } catch (error) {
    thrown = error
  }
  expect(thrown, `parsing ${text} should throw`).toBeDefined()
  return thrown as { code: string; message: string }
}

describe('parseSnapshot', () => {
  test('reads a current file: instruction lines joined, demos and provenance kept', () => {
    const data = parseSnapshot(v2({ b: block() }), FILE)
    expect(data.version).toBe(2)
    expect(data.blocks['b']?.program?.['self']).toEqual({ instructions: 'One. Two.', demos: [{ q: 'x', a: 'y' }] })
    expect(data.blocks['b']?.provenance).toEqual({ model: 'm', optimizer: 'simba', settings: { maxSteps: 2 }, seed: 0, library: 'vitest-simba@0.2.0', date: '2026-01-01' })
    expect(data.blocks['b']?.source?.predictors['self']?.demos).toBe(1)
    // A single instruction string (version-1 style) is read as is; unknown provenance keys are kept.
    const one = parseSnapshot(v2({ b: block({ program: { self: { instructions: 'Whole text.', demos: [] } }, provenance: { model: 'm', optimizer: 'baseline', library: 'l', date: 'd', note: 'kept' } }) }), FILE)
    expect(one.blocks['b']?.program?.['self']?.instructions).toBe('Whole text.')
    expect(one.blocks['b']?.provenance).toMatchObject({ note: 'kept' })
    expect(parseSnapshot(v2({ b: block({ program: null, promptHash: null, source: null }) }), FILE).blocks['b']?.program).toBeNull()
  })

  test('text that is not JSON is corrupt, naming the file and the fix', () => {
    const e = failure('{ "version": 2, ')
    expect(e.code).toBe('SIMBA_SNAPSHOT_CORRUPT')
    expect(e.message).toMatch(/^\[vitest-simba\] program snapshot \/elsewhere\/__snapshots__\/a\.test\.ts\.simba\.json is not valid JSON \(.+\)\. Fix the JSON by hand/)
    expect(e.message).toContain('npx vitest run -u')
    expect((e as unknown as { cause?: unknown }).cause).toBeInstanceOf(SyntaxError)
  })

  test('a devset-gated block parses; the schema message of the first problem is quoted', () => {
    const devBaseline = { split: 'devset', mean: 0.25, trainset: { mean: 1, cases: { a: 1 } }, devset: { mean: 0.25, cases: { d: 0.25 } } }
    expect(parseSnapshot(v2({ b: block({ baseline: devBaseline }) }), FILE).blocks['b']?.baseline).toEqual(devBaseline)
    expect(failure(v2({ b: block({ promptHash: 3 }) })).message).toContain('is malformed at "blocks.b.promptHash": Invalid input: expected string, received number. Fix the JSON')
  })

  test.each(['null', '[]', '[{"version":2}]', '2', '"text"', 'true'])('a JSON root that is not an object (%s) is corrupt', (text) => {
    const e = failure(text)
    expect(e.code).toBe('SIMBA_SNAPSHOT_CORRUPT')
    expect(e.message).toContain('must hold a JSON object with "version" and "blocks"')
  })

  test.each(['{"blocks":{}}', '{"version":"2","blocks":{}}', '{"version":1.5,"blocks":{}}', '{"version":null,"blocks":{}}'])('a missing or non-integer version (%s) is corrupt', (text) => {
    const e = failure(text)
    expect(e.code).toBe('SIMBA_SNAPSHOT_CORRUPT')
    expect(e.message).toContain('has no integer "version"')
  })

  test('a newer version asks for an upgrade; an older one without a migration cannot be migrated', () => {
    const newer = failure(JSON.stringify({ version: SNAPSHOT_VERSION + 1, blocks: {} }))
    expect(newer.code).toBe('SIMBA_SNAPSHOT_VERSION')
    expect(newer.message).toBe(`[vitest-simba] program snapshot ${FILE} has format version ${SNAPSHOT_VERSION + 1}, but this vitest-simba reads version ${SNAPSHOT_VERSION}. Upgrade vitest-simba to the version that wrote it.`)
    for (const version of [0, -1]) {
      const older = failure(JSON.stringify({ version, blocks: {} }))
      expect(older.code).toBe('SIMBA_SNAPSHOT_VERSION')
      expect(older.message).toContain(`has format version ${version}, but this vitest-simba reads version ${SNAPSHOT_VERSION} and cannot migrate it.`)
      expect(older.message).not.toContain('Upgrade')
    }
  })

  test('version 1 migrates: every block gets an unknown source and the legacy-names marker', () => {
    const { source: _s, ...v1Block } = block({ program: { self: { instructions: 'Old text.', demos: [] } } })
    const data = parseSnapshot(JSON.stringify({ version: 1, blocks: { a: v1Block, b: v1Block } }), FILE)
    expect(data.version).toBe(SNAPSHOT_VERSION)
    for (const name of ['a', 'b']) {
      expect(data.blocks[name]).toMatchObject({ source: null, legacyCaseNames: true, program: { self: { instructions: 'Old text.' } } })
    }
    expect(parseSnapshot(JSON.stringify({ version: 1, blocks: {} }), FILE)).toEqual({ version: SNAPSHOT_VERSION, blocks: {} })
    // A current file is not migrated: no marker appears.
    expect(parseSnapshot(v2({ b: block() }), FILE).blocks['b']).not.toHaveProperty('legacyCaseNames')
  })

  test('only a version-1 file may lack a source: a current block with a program and a null or missing source is corrupt', () => {
    const { source: _s, ...noSource } = block()
    for (const [b, shown] of [
      [block({ source: null }), '"source": null'],
      [noSource, 'no "source"'],
    ] as const) {
      const e = failure(v2({ ok: block(), b }))
      expect(e.code).toBe('SIMBA_SNAPSHOT_CORRUPT')
      expect(e.message).toContain(`program snapshot ${FILE}: block "b" has ${shown}`)
      expect(e.message).toContain('an edit to the prompt in code would go unnoticed')
      expect(e.message).toContain('npx vitest run -u')
    }
    // A plain-function block has no program and so no source; a block carried over from version 1
    // (marked as such) is still "source unknown".
    expect(parseSnapshot(v2({ b: block({ program: null, promptHash: null, source: null }) }), FILE).blocks['b']?.source).toBeNull()
    expect(parseSnapshot(v2({ b: block({ source: null, legacyCaseNames: true }) }), FILE).blocks['b']?.source).toBeNull()
  })

  test('a version-1 file with a broken shape is reported at the broken place, not crashed on', () => {
    for (const [blocks, where] of [
      [[], 'blocks'],
      [null, 'blocks'],
      ['x', 'blocks'],
      [{ b: 3 }, 'blocks.b'],
      [{ b: null }, 'blocks.b'],
      [{ b: ['x'] }, 'blocks.b'],
    ] as const) {
      const e = failure(JSON.stringify({ version: 1, blocks }))
      expect(e.code).toBe('SIMBA_SNAPSHOT_CORRUPT')
      expect(e.message).toContain(`is malformed at "${where}": `)
    }
  })

  test('a wrong shape names the path of the first problem and the schema message', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ baseline: { split: 'testset', mean: 1, trainset: { mean: 1, cases: {} } } }, 'blocks.b.baseline.split'],
      [{ provenance: { model: 'm', optimizer: 'gepa', library: 'l', date: 'd' } }, 'blocks.b.provenance.optimizer'],
      [{ promptHash: 3 }, 'blocks.b.promptHash'],
      [{ legacyCaseNames: false }, 'blocks.b.legacyCaseNames'],
      [{ program: { self: { instructions: [1], demos: [] } } }, 'blocks.b.program.self.instructions'],
      [{ source: { hash: 'h', predictors: { self: { signature: 's', signatureHash: 's', instructions: [], demos: -1, demosHash: 'd' } } } }, 'blocks.b.source.predictors.self.demos'],
      [{ source: { hash: 'h', predictors: { self: { signature: 's', signatureHash: 's', instructions: [], demos: 1.5, demosHash: 'd' } } } }, 'blocks.b.source.predictors.self.demos'],
    ]
    for (const [patch, where] of cases) {
      const e = failure(v2({ b: block(patch) }))
      expect(e.code).toBe('SIMBA_SNAPSHOT_CORRUPT')
      expect(e.message).toMatch(new RegExp(`is malformed at "${where.replace(/\./g, '\\.')}": \\S.*\\. Fix the JSON by hand`))
    }
    expect(failure(JSON.stringify({ version: 2 })).message).toContain('is malformed at "blocks": ')
  })

  test('a file inside the working directory is named by its relative path, others by their full path', () => {
    const inside = join(process.cwd(), 'sub', '__snapshots__', 'x.simba.json')
    const e = failure('nope', inside)
    expect(e.message).toContain(`program snapshot ${join('sub', '__snapshots__', 'x.simba.json')} is not`)
    expect(failure('nope', process.cwd()).message).toContain(`program snapshot ${process.cwd()} is not`)
    expect(failure('nope', '/elsewhere/x.json').message).toContain('program snapshot /elsewhere/x.json is not')
    const sibling = join(process.cwd(), '..', 'other', 'x.json')
    expect(failure('nope', sibling).message).toContain(`program snapshot ${sibling} is not`)
  })
})

describe('write policy', () => {
  test('none never writes, new writes only missing blocks, all writes every block', () => {
    expect([mayWriteBlock('none', false), mayWriteBlock('none', true)]).toEqual([false, false])
    expect([mayWriteBlock('new', false), mayWriteBlock('new', true)]).toEqual([true, false])
    expect([mayWriteBlock('all', false), mayWriteBlock('all', true)]).toEqual([true, true])
  })

  test("Vitest's updateSnapshot values (strings, or booleans in older versions) map to a mode", () => {
    expect(toUpdateMode('all')).toBe('all')
    expect(toUpdateMode(true)).toBe('all')
    expect(toUpdateMode('none')).toBe('none')
    expect(toUpdateMode('new')).toBe('new')
    expect(toUpdateMode(false)).toBe('new')
    expect(toUpdateMode(undefined)).toBe('new')
  })
})
