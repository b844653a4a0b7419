/**
 * Keys in disguise: base64-encoded, wrapped over lines, with invisible characters inserted, inside
 * `Basic` credentials, `NAME=value` lines, URLs and private key blocks. Each is found and masked
 * whole; ordinary prose and the bundled example's data are not taken for a key.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { isSimbaError } from '../../src/errors.js'
import { decodeBase64Text, findSecret, findSecrets, maskSecrets } from '../../src/internal/secrets/secrets.js'
import { startScriptedServer } from '../helpers/openai-server.js'
import { KEY_EXAMPLES } from './key-examples.js'
import { ask, client, startRecorder, tempDir, text } from './support.js'

const KEYS = KEY_EXAMPLES.map(([k]) => k)
const b64 = (s: string): string => Buffer.from(s).toString('base64')
const b64url = (s: string): string => Buffer.from(s).toString('base64url')
const INVISIBLES = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u200E', '\u202E', '\u2066']
const BREAKS = ['\n', '\r\n', '\r', '\\n', '\\r\\n']

/** No 8-character piece of `key` survives in `text` (outside the `[masked <kind>]` markers, which name the prefix). */
function noPieceOf(key: string, text: string): boolean {
  const rest = text.replace(/\[masked [^\]]*\]/g, '')
  for (let i = 0; i + 8 <= key.length; i++) if (rest.includes(key.slice(i, i + 8))) return false
  return true
}

/** Printable ASCII text without letters, digits or `_`, so it never glues onto a key. */
const noise = fc.string({ unit: fc.constantFrom(' ', '.', ',', '!', '?', ':', '(', ')', '\n', '"', '#', '*'), maxLength: 12 })
const prose = fc.string({ unit: 'grapheme-ascii', maxLength: 40 })

describe('disguised keys are found and masked whole', () => {
  test('any known key, anywhere in text, with invisible characters inserted at any places', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KEYS),
        prose,
        prose,
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INVISIBLES)), { minLength: 1, maxLength: 4 }),
        (key, before, after, inserts) => {
          let hidden = key
          for (const [at, ch] of inserts) {
            const i = at % (hidden.length + 1)
            hidden = hidden.slice(0, i) + ch + hidden.slice(i)
          }
          const text = `${before} ${hidden} ${after}`
          expect(findSecret(text)).toBeDefined()
          const masked = maskSecrets(text)
          expect(noPieceOf(key, masked.replace(/[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g, ''))).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })

  test('any known key wrapped over two lines at any position (raw or JSON-escaped break) is masked whole', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), fc.nat(), fc.constantFrom(...BREAKS), prose, noise, (key, at, br, before, after) => {
        const i = 1 + (at % (key.length - 1))
        const text = `${before} ${key.slice(0, i)}${br}${key.slice(i)}${after}`
        const masked = maskSecrets(text)
        expect(masked).not.toBe(text)
        expect(noPieceOf(key.slice(0, i), masked) || key.slice(0, i).length < 8).toBe(true)
        expect(noPieceOf(key.slice(i), masked)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  test('any known key base64-encoded (standard or url alphabet, once or twice), inside any printable text, is found', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), prose, prose, fc.constantFrom(b64, b64url), fc.boolean(), noise, (key, before, after, encode, twice, around) => {
        const once = encode(`${before} ${key} ${after}`)
        const encoded = twice ? encode(once) : once
        const text = `${around} ${encoded} ${around}`
        const hit = findSecret(text)
        expect(hit?.kind).toMatch(/^base64-encoded /)
        expect(maskSecrets(text)).not.toContain(encoded)
      }),
      { numRuns: 300 },
    )
  })

  test('a registered credential is found base64-encoded too', () => {
    const lit = 'tenant-cred-Zq9xW2vB'
    expect(findSecret(`header ${b64(`user:${lit}`)} end`, [lit])?.kind).toBe('base64-encoded configured credential')
  })

  test('base64 wrapped at 76 columns (MIME) is joined before decoding', () => {
    const key = KEYS[1] as string
    const encoded = b64(`config:\nOPENAI_API_KEY=${key}\n`)
    const wrapped = encoded.replace(/(.{76})/g, '$1\n')
    expect(wrapped).toContain('\n')
    expect(findSecret(`attachment:\n${wrapped}\n--`)?.kind).toMatch(/^base64-encoded /)
  })

  test('decodeBase64Text reads printable UTF-8 only', () => {
    expect(decodeBase64Text(b64('hello: world'))).toBe('hello: world')
    expect(decodeBase64Text(b64url('ünïcode ok?'))).toBe('ünïcode ok?')
    expect(decodeBase64Text(Buffer.from([0, 1, 2, 255, 254]).toString('base64'))).toBeUndefined()
    expect(decodeBase64Text('abcde')).toBeUndefined()
    expect(decodeBase64Text('not base64!')).toBeUndefined()
  })
})

test('the recorder refuses every disguise of a key in a prompt or a reply; the clean entry is written', async () => {
  const key = KEYS[0] as string
  const disguises = [
    `${key.slice(0, 7)}\u200B${key.slice(7)}`,
    `${key.slice(0, 12)}\n${key.slice(12)}`,
    b64(`token ${key}`),
    `Authorization: Basic ${b64('admin:s3cretpassw0rd')}`,
    'OPENAI_API_KEY=abcd1234efgh5678',
  ]
  const server = await startScriptedServer({ reply: (body) => `echo ${body.messages.at(-1)?.content}` })
  const { dir, cleanup } = tempDir()
  const recorder = startRecorder({ mode: 'record-missing', hosts: [server.url] })
  try {
    const file = join(dir, 'fixtures', 'd.test.ts.lm.json')
    await recorder.useFile(file, 'd.test.ts')
    await client(server.url).chat.completions.create(ask('a clean question'))
    for (const d of disguises) await client(server.url).chat.completions.create(ask(`look: ${d}`))
    const error = await recorder.flush().catch((e: unknown) => e)
    expect(isSimbaError(error, 'SIMBA_SECRET')).toBe(true)
    expect(existsSync(file)).toBe(true)
    const written = text(file)
    expect(written).toContain('a clean question')
    expect(Object.keys((JSON.parse(written) as { entries: object }).entries)).toHaveLength(1)
    for (const d of disguises) expect(written).not.toContain(d.slice(-12))
  } finally {
    recorder.stop()
    await server.close()
    cleanup()
  }
})

describe('credentials in context', () => {
  test.each([
    ['Authorization: Basic ' + b64('admin:s3cretpassw0rd'), 'Basic credentials'],
    ['curl -H "Authorization: basic ' + b64('bob:hunter2') + '"', 'Basic credentials'],
    ['OPENAI_API_KEY=abcd1234efgh5678', 'credential assignment'],
    ['export ANTHROPIC_API_KEY="Zq9xW2vB7nM4kL1p"', 'credential assignment'],
    ['DB_PASSWORD=correcthorsebatterystaple', 'credential assignment'],
    ['  GITHUB_TOKEN: zxcvbnmasdfghjkl', 'credential assignment'],
    ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'credential assignment'],
    ['password: Hunter2Hunter2', 'credential assignment'],
    ['{"client_secret": "a9f8e7d6c5b4"}', 'credential assignment'],
    ['{\\"refreshToken\\":\\"r3fr3sh-t0k3n-value\\"}', 'credential assignment'],
    ['GET /v1/me?access_token=EAAB1234abcd5678', 'credential assignment'],
    ['x-api-key: 0123abcd4567efgh', 'credential assignment'],
    ['postgres://app:Sup3rS3cret@db.internal:5432/app', 'password in a URL'],
    ['https://deploy:ghs-token-123@git.example.com/repo.git', 'password in a URL'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----', 'private key block'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA', 'private key block'],
  ])('%s', (text, kind) => {
    const hits = findSecrets(`note: ${text} end`)
    expect(hits.map((h) => h.kind)).toContain(kind)
    const masked = maskSecrets(`note: ${text} end`)
    expect(masked).toContain(`[masked ${kind}]`)
    expect(maskSecrets(masked)).toBe(masked)
  })

  test('the name stays readable; only the value is masked', () => {
    expect(maskSecrets('OPENAI_API_KEY=abcd1234efgh5678\nNEXT=1')).toBe('OPENAI_API_KEY=[masked credential assignment]\nNEXT=1')
    expect(maskSecrets('Authorization: Basic ' + b64('admin:s3cretpassw0rd'))).toBe('Authorization: Basic [masked Basic credentials]')
    expect(maskSecrets('postgres://app:Sup3rS3cret@db:5432')).toBe('postgres://app:[masked password in a URL]@db:5432')
  })

  test.each([
    'OPENAI_API_KEY=your-api-key-here',
    'OPENAI_API_KEY=… npx vitest run test/x.test.ts',
    'API_KEY=${API_KEY}',
    'API_KEY=<paste it here>',
    'SECRET_KEY=xxxxxxxxxxxx',
    'max_tokens: 1024',
    'MAX_TOKENS=4096',
    'prompt_tokens: 12, completion_tokens: 40',
    'tokenizer: cl100k_base',
    'the password: reset it via the portal',
    'Your token: expired yesterday',
    'a Basic plan with basic understanding',
    'Authorization: Basic ' + b64('no-colon-here'),
    'Authorization: Basic ' + b64('user:'),
    'https://user:password@example.com',
    'https://example.com:8443/path@v2',
    'see -----BEGIN PUBLIC KEY----- for the format',
    'OPENAI_API_KEY=sim\nThen export the base URL',
  ])('not a secret: %s', (text) => {
    expect(findSecrets(text)).toEqual([])
  })
})

describe('masking', () => {
  const keyed = fc.tuple(prose, fc.constantFrom(...KEYS), prose, fc.constantFrom('plain', 'zw', 'wrapped', 'b64', 'env')).map(([a, key, b, how]) => {
    const disguised =
      how === 'zw' ? `${key.slice(0, 5)}\u200B${key.slice(5)}` : how === 'wrapped' ? `${key.slice(0, 9)}\n${key.slice(9)}` : how === 'b64' ? b64(`k: ${key}`) : how === 'env' ? `OPENAI_API_KEY=${key}` : key
    return `${a} ${disguised} ${b}`
  })

  test('is idempotent on any text, with or without keys', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), prose, keyed), (text) => {
        const once = maskSecrets(text)
        expect(maskSecrets(once)).toBe(once)
        expect(findSecrets(once)).toEqual([])
      }),
      { numRuns: 500 },
    )
  })

  test('leaves text without hits unchanged, and hits never overlap', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), keyed), (text) => {
        const hits = findSecrets(text)
        if (hits.length === 0) expect(maskSecrets(text)).toBe(text)
        for (let i = 1; i < hits.length; i++) expect((hits[i] as { index: number }).index).toBeGreaterThanOrEqual((hits[i - 1] as { index: number }).index + (hits[i - 1] as { length: number }).length)
      }),
      { numRuns: 300 },
    )
  })
})

describe('no false positives on ordinary data', () => {
  const ROOT = join(import.meta.dirname, '..', '..')
  const world = JSON.parse(readFileSync(join(ROOT, 'examples', 'worlds', 'support-tickets.json'), 'utf8')) as { train: Array<Record<string, string>>; test: Array<Record<string, string>> }
  const strings = (v: unknown): string[] =>
    typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(strings) : v !== null && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)]) : []

  test('every string of the bundled example (world, fixtures, snapshot) is clean, also as the JSON text written to disk', () => {
    for (const file of ['examples/worlds/support-tickets.json', 'fixtures/examples/support-tickets/tickets.test.ts.lm.json', 'examples/support-tickets/__snapshots__/tickets.test.ts.simba.json']) {
      const text = readFileSync(join(ROOT, file), 'utf8')
      expect(findSecrets(text), file).toEqual([])
      for (const s of strings(JSON.parse(text))) expect(findSecrets(s), s).toEqual([])
    }
  })

  test('words joined by "=" after a credential-like word are not a credential value', () => {
    // Found by the property below: ticket words "token", "fails", "2FA" joined by "=".
    expect(findSecrets('token=fails=2FA Hi, ')).toEqual([])
    expect(findSecrets('access_token=sk4abcdefgh12')).toHaveLength(1)
    expect(findSecrets('password=QWxh9ZGRpbjpvcGVu==')).toHaveLength(1)
  })

  test('prose made of the example tickets’ words, ids, uuids and hex digests is never a secret', () => {
    const words = [...new Set([...world.train, ...world.test].flatMap((r) => Object.values(r).join(' ').split(/\s+/)))].filter((w) => w !== '')
    const sep = fc.constantFrom(' ', '\n', ', ', '. ', ': ', '=', '\\n', '\u200B')
    const sentence = fc.array(fc.tuple(fc.constantFrom(...words), sep), { minLength: 1, maxLength: 30 }).map((p) => p.map(([w, s]) => w + s).join(''))
    const ids = fc.oneof(
      fc.uuid(),
      fc.stringMatching(/^[0-9a-f]{64}$/),
      fc.stringMatching(/^(ticket|case|order|user)[-_][0-9]{1,12}$/),
      fc.stringMatching(/^[a-z]+(-[a-z]+){0,6}$/),
    )
    fc.assert(
      fc.property(fc.oneof(sentence, ids), (text) => {
        expect(findSecrets(text)).toEqual([])
      }),
      { numRuns: 1000 },
    )
  })
})
