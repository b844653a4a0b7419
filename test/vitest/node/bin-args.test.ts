import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { parseBinArgs, suggestOption, unknownOptionMessage } from '../../../src/vitest/node/args.js'
import { unknownVitestOption } from '../../../src/vitest/node/vitest-cli.js'

test('--help and --version (and -h, -v) are answered by the bin itself', () => {
  expect(parseBinArgs(['--help'])).toEqual({ kind: 'help' })
  expect(parseBinArgs(['-h'])).toEqual({ kind: 'help' })
  expect(parseBinArgs(['run', '--optimize', '--help'])).toEqual({ kind: 'help' })
  expect(parseBinArgs(['--version'])).toEqual({ kind: 'version' })
  expect(parseBinArgs(['-v'])).toEqual({ kind: 'version' })
})

test('a misspelt flag of our own is rejected with a suggestion', () => {
  for (const typo of ['--optimise', '--optimze', '--Optimize', '--optimize-']) {
    const r = parseBinArgs([typo, '-u'])
    expect(r.kind, typo).toBe('error')
    expect(r.kind === 'error' && r.message).toMatch(/Unknown option `--.*`.*Did you mean `--optimize`\?/s)
  }
  const withValue = parseBinArgs(['--optimize=yes'])
  expect(withValue.kind).toBe('error')
})

test('our flags are taken out; every other argument reaches Vitest unchanged and in order', () => {
  expect(parseBinArgs(['run', '--optimize', '-u', 'a.test.ts', '--reporter', 'json', '--ci'])).toEqual({
    kind: 'run',
    optimize: true,
    ci: true,
    rest: ['run', '-u', 'a.test.ts', '--reporter', 'json'],
  })
  expect(parseBinArgs(['--ui', '--coverage.enabled=true', '-t', 'alpha beta'])).toEqual({ kind: 'run', optimize: false, ci: false, rest: ['--ui', '--coverage.enabled=true', '-t', 'alpha beta'] })
  // After `--` nothing is ours.
  expect(parseBinArgs(['a', '--', '--optimize', '--help'])).toEqual({ kind: 'run', optimize: false, ci: false, rest: ['a', '--', '--optimize', '--help'] })
})

test('property: arguments that are not ours pass through byte for byte', () => {
  const vitestArg = fc.oneof(
    fc.constantFrom('run', 'watch', '-u', '--ui', '--reporter=json', '--reporter', 'junit', '-t', '--coverage', '--shard=1/2', '--bail', '3', '--mode=optimize'),
    fc.stringMatching(/^[a-z0-9./ _=]{1,12}$/),
  )
  fc.assert(
    fc.property(fc.array(fc.oneof(vitestArg, fc.constantFrom('--optimize', '--ci')), { maxLength: 10 }), (args) => {
      const r = parseBinArgs(args)
      expect(r).toEqual({
        kind: 'run',
        optimize: args.includes('--optimize'),
        ci: args.includes('--ci'),
        rest: args.filter((a) => a !== '--optimize' && a !== '--ci'),
      })
    }),
  )
})

test('--report takes an optional =dir (default simba-report) and never the next argument', () => {
  expect(parseBinArgs(['run', '--report'])).toEqual({ kind: 'run', optimize: false, ci: false, rest: ['run'], report: 'simba-report' })
  expect(parseBinArgs(['--optimize', '--report=out/r', '-u'])).toEqual({ kind: 'run', optimize: true, ci: false, rest: ['-u'], report: 'out/r' })
  // A following argument stays Vitest's (a filter), not the folder.
  expect(parseBinArgs(['--report', 'a.test.ts'])).toEqual({ kind: 'run', optimize: false, ci: false, rest: ['a.test.ts'], report: 'simba-report' })
  const empty = parseBinArgs(['--report='])
  expect(empty.kind).toBe('error')
  expect(empty.kind === 'error' && empty.message).toMatch(/--report.*needs a folder/)
  expect(parseBinArgs(['run'])).not.toHaveProperty('report')
})

describe('options Vitest does not know either', () => {
  const VALID = [
    ['run', '--reporter=verbose', '-t', 'ran'],
    ['run', '--coverage.enabled', '--no-file-parallelism', '-u'],
    ['--update', '--project', 'a', '--pool=threads', '--maxWorkers=1', '--silent'],
    ['--environment', 'node', '--no-color', '--typecheck.enabled', '--browser.headless', '--sequence.shuffle'],
    ['--bail', '1', '-c', 'cfg', '--root', '.', '--mode', 'optimize', '--changed', '--shard=1/2', '--outputFile.json=x'],
    ['bench', '--run'],
    ['list', '--json'],
    ['related', 'a.ts'],
    ['watch', '--pass-with-no-tests', '--passWithNoTests', '--watch=false'],
    ['run', '--', '--anything-after-the-separator'],
  ]

  test.each(VALID)('Vitest options are accepted as Vitest accepts them: %s', async (...args) => {
    expect(await unknownVitestOption(args)).toBeUndefined()
  })

  test('an unknown option is found as Vitest names it, with a suggestion when one is close', async () => {
    const expectations: Array<[string[], string, string | undefined]> = [
      [['run', '--reprot'], '--reprot', '--report'],
      [['--raport'], '--raport', '--report'],
      [['run', '--reporterr=json'], '--reporterr', '--reporter'],
      [['--coverag'], '--coverag', '--coverage'],
      [['--foo'], '--foo', undefined],
      [['-q'], '-q', undefined],
      [['run', 'a.test.ts', '--totally-made-up'], '--totallyMadeUp', undefined],
    ]
    for (const [args, option, like] of expectations) {
      const found = await unknownVitestOption(args)
      expect(found?.option, args.join(' ')).toBe(option)
      expect(found?.known).toContain('--reporter')
      expect(suggestOption(option, found?.known ?? []), option).toBe(like)
      const message = unknownOptionMessage(option, found?.known ?? [])
      expect(message).toContain(`Unknown option \`${option}\``)
      expect(message.includes('Did you mean'), option).toBe(like !== undefined)
    }
  })

  test('suggestions: the closest name wins, whole names before name starts; nothing for far-off names (property)', () => {
    expect(suggestOption('--optimse', [])).toBe('--optimize')
    expect(suggestOption('--reprot', ['--reporter'])).toBe('--report')
    expect(suggestOption('--reporte', ['--reporter'])).toBe('--reporter')
    expect(suggestOption('--reprt', ['--reporter'])).toBe('--report')
    expect(suggestOption('--ui', ['--ui'])).toBe('--ui')
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{8,12}$/), (word) => {
        // A name with nothing in common with any option gets no suggestion.
        expect(suggestOption(`--${'z'.repeat(word.length)}`, ['--reporter', '--coverage', '--update'])).toBeUndefined()
      }),
      { numRuns: 20 },
    )
  })
})
