import { describe, expect, it } from 'vitest'
import { parseSimArgs } from '../../src/testing/cli-args.js'

describe('npm run sim arguments', () => {
  it('parses worlds, port, latency and seed', () => {
    expect(parseSimArgs(['--port', '8787', '--world', 'a.json', '--world', 'b.json', '--latency-ms', '50', '--seed', '7'])).toEqual({
      worlds: ['a.json', 'b.json'], port: 8787, host: '127.0.0.1', latency: { fixedMs: 50 }, defaultSeed: '7',
    })
    expect(parseSimArgs(['-h'])).toBe('help')
  })

  it('explains bad arguments', () => {
    expect(() => parseSimArgs([])).toThrow(/no --world given/)
    expect(() => parseSimArgs(['--world', 'a.json', '--port', 'x'])).toThrow(/--port must be a non-negative integer/)
    expect(() => parseSimArgs(['--world', 'a.json', '--latency-ms', '-3'])).toThrow(/--latency-ms/)
  })
})
