import { describe, expect, test } from 'vitest'
import { findSecret, findSecrets, locateSecret, mapStrings, maskDeep, maskSecret, maskSecrets, MIN_LITERAL_LENGTH, registeredSecretLiterals, registerSecretLiteral } from '../../src/internal/secrets/secrets.js'
import { credentialsOf, redactValue, SECRET_PATTERNS } from '../../src/recording/secrets.js'
import { KEY_EXAMPLES } from './key-examples.js'

const alnum = (n: number): string => 'a1B2c3D4e5'.repeat(Math.ceil(n / 10)).slice(0, n)
const upper = (n: number): string => 'A1B2C3D4E5'.repeat(Math.ceil(n / 10)).slice(0, n)
const letters = (n: number): string => 'abcdefghij'.repeat(Math.ceil(n / 10)).slice(0, n)

/** Every shape at its minimum length is a key; one character shorter (or prose-like) is not. */
const SHAPES: Array<{ kind: string; key: string; notKeys: string[] }> = [
  { kind: 'Anthropic API key (sk-ant-…)', key: `sk-ant-${letters(20)}`, notKeys: [`sk-ant-${letters(19)}`] },
  { kind: 'OpenAI-style key (sk-…)', key: `sk-${alnum(20)}`, notKeys: [`sk-${alnum(19)}`, `sk-${letters(30)}`] },
  { kind: 'OpenAI-style key (sk-…)', key: `sk-proj-${alnum(20)}`, notKeys: [] },
  { kind: 'Google API key (AIza…)', key: `AIza${alnum(35)}`, notKeys: [`AIza${alnum(34)}`] },
  { kind: 'GitHub token (ghp_…)', key: `ghp_${alnum(36)}`, notKeys: [`ghp_${alnum(35)}`, `ghx_${alnum(40)}`, `ghp-${alnum(40)}`] },
  { kind: 'GitHub token (ghp_…)', key: `gho_${alnum(36)}`, notKeys: [] },
  { kind: 'GitHub token (ghp_…)', key: `ghu_${alnum(36)}`, notKeys: [] },
  { kind: 'GitHub token (ghp_…)', key: `ghs_${alnum(36)}`, notKeys: [] },
  { kind: 'GitHub token (ghp_…)', key: `ghr_${alnum(36)}`, notKeys: [] },
  { kind: 'GitHub fine-grained token (github_pat_…)', key: `github_pat_${alnum(40)}`, notKeys: [`github_pat_${alnum(39)}`] },
  { kind: 'AWS access key id', key: `AKIA${upper(16)}`, notKeys: [`AKIA${upper(15)}`, `AKIA${upper(17)}`, `AKIA${alnum(16)}`, `AKIB${upper(16)}`] },
  { kind: 'AWS access key id', key: `ASIA${upper(16)}`, notKeys: [] },
  { kind: 'Slack token (xox…)', key: `xoxb-${alnum(10)}`, notKeys: [`xoxb-${alnum(9)}`, `xoxb-${letters(20)}`, `xoxz-${alnum(20)}`] },
  { kind: 'Slack token (xox…)', key: `xoxp-${alnum(10)}`, notKeys: [] },
  { kind: 'JWT', key: `eyJ${alnum(8)}.eyJ${alnum(8)}.${alnum(8)}`, notKeys: [`eyJ${alnum(7)}.eyJ${alnum(8)}.${alnum(8)}`, `eyJ${alnum(8)}.eyJ${alnum(7)}.${alnum(8)}`, `eyJ${alnum(8)}.eyJ${alnum(8)}.${alnum(7)}`] },
]

describe('key shapes at their boundaries', () => {
  test.each(SHAPES.map((s) => [s.key, s] as const))('%s is a key of its kind, and its near misses are not', (_key, s) => {
    const hits = findSecrets(`see ${s.key} here`)
    expect(hits).toEqual([{ kind: s.kind, preview: maskSecret(s.key), index: 4, length: s.key.length }])
    expect(maskSecrets(`see ${s.key} here`)).toBe(`see [masked ${s.kind}] here`)
    for (const miss of s.notKeys) expect(findSecret(` ${miss} `), miss).toBeUndefined()
  })

  test.each(KEY_EXAMPLES)('a full-length key (%s) is one hit over all of it, masked whole', (key, kind) => {
    const hits = findSecrets(`x ${key} y`)
    expect(hits).toHaveLength(1)
    expect(hits[0]?.kind).toContain(kind)
    expect([hits[0]?.index, hits[0]?.length]).toEqual([2, key.length])
    expect(maskSecrets(`x ${key} y`)).toMatch(/^x \[masked [^\]]+\] y$/)
  })

  test("a caller's use of the exported patterns (lastIndex left behind) does not hide a key", () => {
    const key = `sk-${alnum(24)}`
    for (const p of SECRET_PATTERNS) p.pattern.lastIndex = 5
    expect(findSecret(key)?.index).toBe(0)
    for (const p of SECRET_PATTERNS) p.pattern.lastIndex = 0
  })

  test('a key glued to a word is prose; after punctuation or a JSON escape it is a key', () => {
    const key = `sk-${alnum(24)}`
    for (const glued of [`x${key}`, `9${key}`, `_${key}`, `\\x${key}`]) expect(findSecret(glued), glued).toBeUndefined()
    for (const sep of ['-', '"', '=', '\\n', '\\t', '\\r', '\\b', '\\f', '(']) expect(findSecret(`${sep}${key}`)?.index, sep).toBe(sep.length)
    expect(findSecret(key)?.index).toBe(0)
  })

  test('an AWS key id may be followed by lower-case text but not by more key characters', () => {
    expect(findSecret(`AKIA${upper(16)}abc`)?.length).toBe(20)
    expect(findSecret(`AKIA${upper(16)}Z`)).toBeUndefined()
  })

  test('Bearer tokens: only the token is the secret, after any whitespace; it needs 20 mixed characters', () => {
    const token = alnum(20)
    expect(maskSecrets(`Authorization: Bearer ${token}`)).toBe('Authorization: Bearer [masked Bearer token]')
    expect(findSecrets(`Bearer \t ${token}.x`)).toEqual([{ kind: 'Bearer token', preview: maskSecret(`${token}.x`), index: 9, length: 22 }])
    expect(findSecret(`Bearer ${alnum(19)}`)).toBeUndefined()
    expect(findSecret(`Bearer ${letters(30)}`)).toBeUndefined()
    expect(findSecret(`Bearer${token}`)).toBeUndefined()
  })

  test('api key fields: any spelling and case, plain or escaped JSON, the value of 8+ mixed characters is the secret', () => {
    for (const name of ['api_key', 'api-key', 'apikey', 'API_KEY', 'ApiKey']) {
      expect(maskSecrets(`{"${name}": "hunter22x"}`), name).toBe(`{"${name}": "[masked api key field]"}`)
    }
    expect(maskSecrets('{"api_key" : "hunter22x"}')).toBe('{"api_key" : "[masked api key field]"}')
    expect(maskSecrets('{\\"api_key\\":\\"hunter22x\\"}')).toBe('{\\"api_key\\":\\"[masked api key field]\\"}')
    expect(findSecret('{"api_key":"hunt22x"}')).toBeUndefined()
    expect(findSecret('{"api_key":"hunterhunter"}')).toBeUndefined()
    expect(findSecret('{"api_key":"12345678"}')).toBeUndefined()
    expect(findSecret('{"api_key": "hun ter22x"}')).toBeUndefined()
    expect(findSecret('{"api key": "hunter22x"}')).toBeUndefined()
  })

  test('SECRET_PATTERNS lists every shape by name and pattern', () => {
    expect(SECRET_PATTERNS.map((p) => p.name)).toEqual([...new Set(SHAPES.map((s) => s.kind)), 'Bearer token', 'api key field', 'Basic credentials', 'credential assignment', 'password in a URL', 'private key block'])
    for (const p of SECRET_PATTERNS) expect(p.pattern.global, p.name).toBe(true)
  })
})

describe('hits, overlaps and masks', () => {
  test('maskSecret shows exactly min(4, a quarter of the length) leading characters and the length', () => {
    expect(maskSecret('')).toBe('… (0 chars)')
    expect(maskSecret('abc')).toBe('… (3 chars)')
    expect(maskSecret('abcdefg')).toBe('a… (7 chars)')
    expect(maskSecret('abcdefghijkl')).toBe('abc… (12 chars)')
    expect(maskSecret('abcdefghijklmnop')).toBe('abcd… (16 chars)')
    const key = `sk-${alnum(48)}`
    expect(maskSecret(key)).toBe(`${key.slice(0, 4)}… (51 chars)`)
    for (let n = 0; n <= 40; n++) expect(maskSecret('x'.repeat(n))).toBe(`${'x'.repeat(Math.min(4, Math.floor(n / 4)))}… (${n} chars)`)
  })

  test('hits come in text order; overlapping hits merge into one covering both, kept under the earlier kind', () => {
    const key = `sk-${alnum(30)}`
    const text = `a ${key} tail-words b`
    const lit = `${key.slice(10)} tail-words`
    expect(findSecrets(text, [lit])).toEqual([{ kind: 'OpenAI-style key (sk-…)', preview: maskSecret(key), index: 2, length: key.length + ' tail-words'.length }])
    expect(maskSecrets(text, [lit])).toBe('a [masked OpenAI-style key (sk-…)] b')
    // A literal inside a key: one hit, the key's.
    expect(findSecrets(text, [key.slice(5, 20)])).toEqual([{ kind: 'OpenAI-style key (sk-…)', preview: maskSecret(key), index: 2, length: key.length }])
    // Two keys in reverse order of discovery come out by position.
    const aws = `AKIA${upper(16)}`
    expect(findSecrets(`${aws} then ${key}`).map((h) => [h.kind, h.index])).toEqual([
      ['AWS access key id', 0],
      ['OpenAI-style key (sk-…)', aws.length + 6],
    ])
  })

  test('a longer hit at the same position wins', () => {
    const key = `sk-${alnum(30)}`
    expect(findSecrets(`${key}-more-credential`, [`${key}-more-credential`])).toEqual([{ kind: 'configured credential', preview: maskSecret(`${key}-more-credential`), index: 0, length: key.length + 16 }])
  })

  test('at one position the longer hit is kept, whichever was found first', () => {
    const key = `sk-${alnum(30)}`
    expect(findSecrets(key, [key.slice(0, 12)])).toEqual([{ kind: 'OpenAI-style key (sk-…)', preview: maskSecret(key), index: 0, length: key.length }])
  })

  test('adjacent secrets stay separate hits', () => {
    const text = 'AAAAAAAABBBBBBBB'
    expect(findSecrets(text, ['AAAAAAAA', 'BBBBBBBB']).map((h) => [h.index, h.length])).toEqual([
      [0, 8],
      [8, 8],
    ])
    expect(maskSecrets(text, ['AAAAAAAA', 'BBBBBBBB'])).toBe('[masked configured credential][masked configured credential]')
    expect(findSecrets('credcredcredcred', ['credcred']).map((h) => h.index)).toEqual([0, 8])
  })

  test('a literal listed twice is found once per occurrence; literals count from 8 characters without the surrounding spaces', () => {
    expect(findSecrets('x LITERAL1 y LITERAL1', ['LITERAL1', 'LITERAL1'])).toEqual([
      { kind: 'configured credential', preview: maskSecret('LITERAL1'), index: 2, length: 8 },
      { kind: 'configured credential', preview: maskSecret('LITERAL1'), index: 13, length: 8 },
    ])
    expect(MIN_LITERAL_LENGTH).toBe(8)
    expect(findSecret('x LITERA7 y', ['LITERA7'])).toBeUndefined()
    expect(findSecret('x  LITERA7  y', ['  LITERA7  '])).toBeUndefined()
    expect(findSecret('x LITERAL1 y', [' LITERAL1'])?.index).toBe(1)
  })

  test('masking keeps the text between and after secrets', () => {
    const a = `ghp_${alnum(36)}`
    expect(maskSecrets(`1 ${a} 2 ${a} 3`)).toBe('1 [masked GitHub token (ghp_…)] 2 [masked GitHub token (ghp_…)] 3')
    expect(maskSecrets(`${a}`)).toBe('[masked GitHub token (ghp_…)]')
    expect(maskSecrets('clean')).toBe('clean')
  })
})

describe('registered literals', () => {
  test('a registered value counts from 8 characters, without a Bearer scheme (any case) and surrounding spaces', () => {
    registerSecretLiteral('  tenant-77  ')
    registerSecretLiteral('bearer   scheme-token-1')
    registerSecretLiteral('BEARER Scheme-Token-2')
    registerSecretLiteral('exact-08')
    registerSecretLiteral('my Bearer token-value')
    registerSecretLiteral('seven77')
    registerSecretLiteral('Bearer seven77')
    registerSecretLiteral(null)
    registerSecretLiteral(undefined)
    registerSecretLiteral(12345678 as unknown as string)
    const all = registeredSecretLiterals()
    expect(all).toEqual(expect.arrayContaining(['tenant-77', 'scheme-token-1', 'Scheme-Token-2', 'exact-08', 'my Bearer token-value']))
    expect(all).not.toContain('seven77')
    for (const raw of ['  tenant-77  ', 'bearer   scheme-token-1', 'BEARER Scheme-Token-2', '  scheme-token-1']) expect(all).not.toContain(raw)
    expect(maskSecrets('use tenant-77 and scheme-token-1')).toBe('use [masked configured credential] and [masked configured credential]')
    expect(findSecret('seven77')).toBeUndefined()
  })

  test('credentialsOf: every header but the protocol and telemetry ones is a credential, scheme stripped, from 8 characters, registered', () => {
    const skipped = ['accept', 'accept-encoding', 'accept-language', 'connection', 'content-length', 'content-type', 'host', 'user-agent', 'x-simba-rollout-id', 'openai-beta', 'idempotency-key', 'x-stainless-lang', 'X-Stainless-Arch']
    for (const name of skipped) expect(credentialsOf(new Headers({ [name]: `value-of-${name}-long` })), name).toEqual([])
    expect(credentialsOf(new Headers({ authorization: 'Basic dXNlcjpwYXNzd29yZA==' }))).toEqual(['dXNlcjpwYXNzd29yZA=='])
    expect(credentialsOf(new Headers({ authorization: 'token  gh-cred-12345 ' }))).toEqual(['gh-cred-12345'])
    expect(credentialsOf(new Headers({ 'x-api-key': 'Bearer 1234567' }))).toEqual([])
    expect(credentialsOf(new Headers({ 'x-api-key': 'Bearer 12345678' }))).toEqual(['12345678'])
    expect(credentialsOf(new Headers({ cookie: 'session=abcdef1234' }))).toEqual(['session=abcdef1234'])
    expect(credentialsOf(new Headers({ 'x-note': 'my-Token 12345678' }))).toEqual(['my-Token 12345678'])
    const custom = 'my-org-credential-value-9'
    expect(credentialsOf(new Headers({ 'x-my-auth': custom }))).toEqual([custom])
    expect(registeredSecretLiterals()).toContain(custom)
    expect(maskSecrets(`echo ${custom}`)).toBe('echo [masked configured credential]')
  })

  test('credentialsOf: whitespace that Headers keeps (vertical tab, no-break space) is not part of the credential', () => {
    // Headers strips only spaces and tabs around a value; the credential is the value without any.
    expect(credentialsOf(new Headers({ authorization: 'Bearer vt-cred-12345678\v' }))).toEqual(['vt-cred-12345678'])
    expect(credentialsOf(new Headers({ 'x-api-key': '\u00a0nbsp-cred-12345678\u00a0' }))).toEqual(['nbsp-cred-12345678'])
    expect(maskSecrets('key nbsp-cred-12345678 in a log')).toBe('key [masked configured credential] in a log')
  })
})

describe('walking JSON values', () => {
  const key = `sk-${alnum(24)}`
  test('maskDeep masks strings and keys at every depth and keeps everything else', () => {
    expect(maskDeep({ [key]: [key, 1, null, true, { k: `x ${key}` }], n: 2 })).toEqual({ '[masked OpenAI-style key (sk-…)]': ['[masked OpenAI-style key (sk-…)]', 1, null, true, { k: 'x [masked OpenAI-style key (sk-…)]' }], n: 2 })
    expect(maskDeep(key)).toBe('[masked OpenAI-style key (sk-…)]')
    expect(maskDeep(undefined)).toBeUndefined()
    expect(mapStrings({ a: ['b', { c: 'd' }] }, (s) => s.toUpperCase())).toEqual({ A: ['B', { C: 'D' }] })
  })

  test('locateSecret names the path of the first secret: root value, array items, object keys, extra literals', () => {
    expect(locateSecret(key)?.path).toBe('(value)')
    expect(locateSecret(key, [], 'request.body')?.path).toBe('request.body')
    expect(locateSecret(['clean', [1, `k ${key}`]])?.path).toBe('[1][1]')
    expect(locateSecret({ a: { b: ['x', { c: key }] }, d: key })?.path).toBe('a.b[1].c')
    expect(locateSecret({ a: 'x' }, [], 'response')).toBeUndefined()
    expect(locateSecret({ clean: 'x', nested: { ok: 1 }, holder: key })?.path).toBe('holder')
    expect(locateSecret({ b: key }, [], 'response.body')?.path).toBe('response.body.b')
    const found = locateSecret({ outer: { [key]: 'v' } })
    expect(found?.path).toBe('outer.[masked OpenAI-style key (sk-…)]')
    expect(found?.hit).toEqual({ kind: 'OpenAI-style key (sk-…)', preview: maskSecret(key), index: 0, length: key.length })
    const lit = locateSecret({ list: [{ note: 'has custom-literal-1 in it' }] }, ['custom-literal-1'])
    expect(lit?.path).toBe('list[0].note')
    expect(lit?.hit.kind).toBe('configured credential')
    expect(locateSecret({ 'custom-literal-1': 1 }, ['custom-literal-1'])?.path).toBe('[masked configured credential]')
    expect(locateSecret([null, 3, true])).toBeUndefined()
  })

  test('redactValue: no rules returns the value itself; rules rewrite string values, never keys or other types', () => {
    const v = { a: 1 }
    expect(redactValue(v, [])).toBe(v)
    const rules = [{ pattern: /\d{3}-\d{4}/g, replacement: '#' }]
    expect(redactValue({ '555-1234': ['555-1234', 5551234, null, { k: 'x 555-1234' }] }, rules)).toEqual({ '555-1234': ['#', 5551234, null, { k: 'x #' }] })
    expect(redactValue('555-1234', rules)).toBe('#')
    expect(redactValue(7, rules)).toBe(7)
  })
})
