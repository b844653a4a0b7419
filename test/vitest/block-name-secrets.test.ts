import { describe, expect, test } from 'vitest'
import { isSimbaError } from '../../src/errors.js'
import { registerSecretLiteral } from '../../src/internal/secrets/secrets.js'
import { checkBlockName, parseBlockOptions } from '../../src/vitest/runtime/block-options.js'
import { KEY_EXAMPLES } from '../recording/key-examples.js'

const ok = { program: () => ({}) as never, trainset: [{ q: 'a' }], metric: () => 1 }

describe('block names holding a secret are refused', () => {
  test.each(KEY_EXAMPLES)('a block named with %s is refused with SIMBA_SECRET, the name shown masked, with the fix', (key) => {
    const error = (() => {
      try {
        parseBlockOptions(`routes ${key}`, ok)
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(isSimbaError(error, 'SIMBA_SECRET')).toBe(true)
    const message = (error as Error).message
    expect(message).toMatch(/^\[vitest-simba\] describe\.optimize\("routes \[masked [^\]]+\]"\): the block name holds a /)
    expect(message).toContain('rename the block')
    expect(message).not.toContain(key.slice(4, 16))
  })

  test('disguised keys and configured credentials count; ordinary names do not', () => {
    const key = KEY_EXAMPLES[0]?.[0] as string
    expect(() => checkBlockName(`routes ${key.slice(0, 6)}\u200B${key.slice(6)}`)).toThrow(/rename the block/)
    expect(() => checkBlockName(`routes ${Buffer.from(key).toString('base64')}`)).toThrow(/base64-encoded/)
    registerSecretLiteral('tenant-block-cred-42')
    expect(() => checkBlockName('routes for tenant-block-cred-42')).toThrow(/configured credential/)
    for (const name of ['routes tickets', 'token counting', 'api key rotation reminders', 'sk-learn tips', 'billing: password resets', 'gpt-4o-mini #1']) {
      expect(() => checkBlockName(name), name).not.toThrow()
    }
  })
})
