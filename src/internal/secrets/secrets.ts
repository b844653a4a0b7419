/**
 * Secret detection and masking, shared by every part of the package that writes or prints:
 * fixture files, snapshots, reporter output, progress lines and error messages.
 *
 * Detection matches real key shapes (a known prefix, a minimum length, the key's alphabet and, for
 * the generic shapes, a mix of letters and digits), so prose such as "token-based authentication"
 * or a placeholder like `YOUR_KEY_HERE` is not taken for a key. Besides shapes, any value
 * registered as a literal (API keys and header values configured on an LM or seen in a request's
 * credential headers) counts as a secret wherever it appears.
 *
 * Disguised keys are looked for too: the text is also scanned with invisible characters (zero-width
 * spaces, joiners, soft hyphens, bidi marks) removed and with line breaks between key characters
 * joined, and base64 runs are decoded and scanned (two levels deep). `Basic` credentials,
 * `NAME_KEY=value` assignments, passwords in URLs and private key blocks are shapes of their own.
 */

/** One supported key shape. */
export interface SecretShape {
  /** Human name shown in messages (never the secret itself). */
  name: string
  /** Global pattern; the group named `secret`, else group 1, when present, is the secret part of the match. */
  pattern: RegExp
  /** Extra check on the secret part (e.g. "has a digit") that keeps prose out; `match` is the whole match. */
  accept?: (secret: string, match: RegExpMatchArray) => boolean
  /** A cheap test every match passes (e.g. its prefix); text without it is not scanned with `pattern`. */
  hint?: RegExp
}

const mixed = (s: string): boolean => /[0-9]/.test(s) && /[A-Za-z]/.test(s)

/** Values that stand for a key without being one (`your-key-here`, `<token>`, `${TOKEN}`, `xxxx…`). */
const PLACEHOLDER = /^(?:your|<|\$|%|\{|x{3,}|X{3,}|\*{3,}|\.{3}|…|change[-_]?me|placeholder|redacted|masked|example|dummy|fake|sample|null|none|undefined|todo|insert|replace|enter)/i

/**
 * A `NAME=value` / `NAME: value` credential: any value of 8+ characters mixing letters and digits,
 * or, under an upper-case environment-style name (`DB_PASSWORD=…`), any value with a letter.
 */
function credentialValue(value: string, match: RegExpMatchArray): boolean {
  if (PLACEHOLDER.test(value)) return false
  // `token=fails=2FA`: a value holding another assignment is words joined by "=", not a credential
  // (base64 padding at the end is still allowed).
  if (/=(?!=*$)/.test(value)) return false
  if (mixed(value)) return true
  const name = match.groups?.['name'] ?? ''
  return /^[A-Z0-9_]+$/.test(name) && /[A-Z]/.test(name) && /[A-Za-z]/.test(value)
}

/** The text of a base64 (or base64url) run when it decodes to printable UTF-8, else undefined. */
export function decodeBase64Text(run: string): string | undefined {
  const body = run.replace(/=+$/, '')
  if (body.length % 4 === 1 || !/^[A-Za-z0-9+/_-]+$/.test(body)) return undefined
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64'))
  } catch {
    return undefined
  }
  // eslint-disable-next-line no-control-regex
  return text.length > 0 && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text) ? text : undefined
}

/** `Basic` credentials: base64 of `user:password` with a non-empty user and password. */
function basicCredentials(secret: string): boolean {
  const text = decodeBase64Text(secret)
  const colon = text?.indexOf(':') ?? -1
  return text !== undefined && colon > 0 && colon < text.length - 1
}

// "Not inside a word": a preceding letter/digit means prose such as "risk-…", but a JSON escape
// such as `\n` right before the key still counts (the scans also run over JSON text).
const START = String.raw`(?:(?<![A-Za-z0-9_])|(?<=\\[bfnrt]))`

/** Key shapes refused in fixture files and snapshots and masked everywhere else. */
export const SECRET_SHAPES: readonly SecretShape[] = [
  { name: 'Anthropic API key (sk-ant-…)', pattern: new RegExp(`${START}sk-ant-[A-Za-z0-9_-]{20,}`, 'g'), hint: /sk-ant-/ },
  { name: 'OpenAI-style key (sk-…)', pattern: new RegExp(`${START}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`, 'g'), accept: mixed, hint: /sk-/ },
  { name: 'Google API key (AIza…)', pattern: new RegExp(`${START}AIza[0-9A-Za-z_-]{35}`, 'g'), hint: /AIza/ },
  { name: 'GitHub token (ghp_…)', pattern: new RegExp(`${START}gh[pousr]_[A-Za-z0-9]{36,}`, 'g'), hint: /gh[pousr]_/ },
  { name: 'GitHub fine-grained token (github_pat_…)', pattern: new RegExp(`${START}github_pat_[A-Za-z0-9_]{40,}`, 'g'), hint: /github_pat_/ },
  { name: 'AWS access key id', pattern: new RegExp(`${START}(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])`, 'g'), hint: /A[KS]IA/ },
  { name: 'Slack token (xox…)', pattern: new RegExp(`${START}xox[abposr]-[0-9A-Za-z-]{10,}`, 'g'), accept: mixed, hint: /xox/ },
  { name: 'JWT', pattern: new RegExp(`${START}eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}`, 'g'), hint: /eyJ/ },
  { name: 'Bearer token', pattern: /Bearer\s+([A-Za-z0-9._~+/=-]{20,})/g, accept: mixed, hint: /Bearer/ },
  { name: 'api key field', pattern: /api[_-]?key\\?"\s*:\s*\\?"([^"\\\s]{8,})/gi, accept: mixed, hint: /api[_-]?key/i },
  { name: 'Basic credentials', pattern: /(?<![A-Za-z0-9_])[Bb]asic\s+([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/g, accept: basicCredentials, hint: /[Bb]asic/ },
  {
    // OPENAI_API_KEY=…, DB_PASSWORD: …, "clientSecret": "…", access_token=… (the value is the secret).
    name: 'credential assignment',
    pattern: /(?<![A-Za-z0-9_.-])(?<name>(?:[A-Za-z0-9_.-]*?[_.-])?(?:api[_.-]?key|apikey|secret|secret[_.-]?key|token|passw(?:or)?d|pwd|credentials?|access[_.-]?key|private[_.-]?key|auth[_.-]?key)|[A-Za-z0-9]*(?:ApiKey|APIKey|Secret|Token|Password|Passwd|AccessKey|PrivateKey))\\?["']?[ \t]*(?::=|=>|=|:)[ \t]*\\?["'`]?(?<secret>[^\s"'`\\<>[\]{}(),;#]{8,})/gi,
    accept: credentialValue,
    hint: /key|secret|token|passw|pwd|credential/i,
  },
  { name: 'password in a URL', pattern: /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@:"'<>[\]]+:([^\s/?#@"'<>[\]]{3,})@/g, accept: (p) => !PLACEHOLDER.test(p) && !/^(?:pass(?:word)?|pwd)$/i.test(p), hint: /:\/\// },
  { name: 'private key block', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g, hint: /-----BEGIN / },
]

/** A secret found in text. */
export interface SecretHit {
  /** Name of the matching shape, or `configured credential` for a registered literal. */
  kind: string
  /** Masked preview: at most the first 4 characters, then the length (e.g. `sk-a… (51 chars)`). */
  preview: string
  /** Offset of the secret in the scanned text. */
  index: number
  /** Length of the secret. */
  length: number
}

/** Masks a secret for display: at most its first 4 characters (a quarter of short ones) and its length. */
export function maskSecret(secret: string): string {
  return `${secret.slice(0, Math.min(4, Math.floor(secret.length / 4)))}… (${secret.length} chars)`
}

/** Literal secrets shorter than this are ignored (too likely to appear by chance). */
export const MIN_LITERAL_LENGTH = 8

const literals = new Set<string>()

/**
 * Registers a value (an API key, a configured header value) as a secret for this process: it is
 * then refused in files and masked in output wherever it appears. Short values are ignored.
 */
export function registerSecretLiteral(value: string | null | undefined): void {
  if (typeof value !== 'string') return
  const v = value.replace(/^Bearer\s+/i, '').trim()
  if (v.length >= MIN_LITERAL_LENGTH) literals.add(v)
}

/** The literals registered so far in this process. */
export function registeredSecretLiterals(): readonly string[] {
  return [...literals]
}

/** Characters that do not show (zero-width spaces and joiners, soft hyphen, bidi marks, BOM). */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g

/**
 * A line break (raw, or JSON-escaped as `\n` in JSON text) between two key characters: a key
 * hard-wrapped over two lines.
 */
const WRAP = /(?<=[A-Za-z0-9_+/=.-])(?:\r\n|\r|\n|\\r\\n|\\n|\\r)(?=[A-Za-z0-9_+/=.-])/g

/** Base64 (or base64url) runs long enough to hold an encoded key (18+ bytes). */
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])/g

/** How many nested base64 encodings are decoded. */
const MAX_DECODE_DEPTH = 2

/** A view of the text with some characters removed, and for each of its characters the offset it came from. */
interface View {
  text: string
  from: number[]
}

/** `text` without the characters `removed` matches; undefined when nothing matches. */
function viewWithout(text: string, removed: RegExp): View | undefined {
  removed.lastIndex = 0
  if (!removed.test(text)) return undefined
  removed.lastIndex = 0
  let out = ''
  const from: number[] = []
  let at = 0
  const keep = (end: number): void => {
    out += text.slice(at, end)
    for (let i = at; i < end; i++) from.push(i)
  }
  for (const m of text.matchAll(removed)) {
    keep(m.index ?? 0)
    at = (m.index ?? 0) + m[0].length
  }
  keep(text.length)
  return { text: out, from }
}

/** Maps hits found in a view back to offsets in the original text (spanning what was removed). */
function fromView(view: View, hits: SecretHit[]): SecretHit[] {
  return hits.map((h) => {
    const start = view.from[h.index] as number
    const end = (view.from[h.index + h.length - 1] as number) + 1
    return { ...h, index: start, length: end - start }
  })
}

/**
 * Shapes scanned across joined lines too: those with a distinctive prefix. The field-name shapes
 * (`Bearer`, `password: …`) are not, so a short value followed by a line of prose is not read as
 * one long secret; a private key block spans lines by itself.
 */
const FIELD_SHAPES = new Set(['Bearer token', 'api key field', 'Basic credentials', 'credential assignment', 'password in a URL', 'private key block'])
const PREFIXED_SHAPES: readonly SecretShape[] = SECRET_SHAPES.filter((s) => !FIELD_SHAPES.has(s.name))

/** Raw hits of literals, shapes and decoded base64 runs in one view of the text (not merged). */
function scan(text: string, lits: readonly string[], shapes: readonly SecretShape[], depth: number): SecretHit[] {
  const hits: SecretHit[] = []
  for (const lit of lits) {
    for (let i = text.indexOf(lit); i >= 0; i = text.indexOf(lit, i + lit.length)) {
      hits.push({ kind: 'configured credential', preview: maskSecret(lit), index: i, length: lit.length })
    }
  }
  for (const shape of shapes) {
    if (shape.hint && !shape.hint.test(text)) continue
    shape.pattern.lastIndex = 0
    for (const m of text.matchAll(shape.pattern)) {
      const secret = m.groups?.['secret'] ?? m[1] ?? m[0]
      if (shape.accept && !shape.accept(secret, m)) continue
      const index = (m.index ?? 0) + (secret !== m[0] ? m[0].lastIndexOf(secret) : 0)
      hits.push({ kind: shape.name, preview: maskSecret(secret), index, length: secret.length })
    }
  }
  if (depth < MAX_DECODE_DEPTH) {
    for (const m of text.matchAll(BASE64_RUN)) {
      const decoded = decodeBase64Text(m[0])
      const inner = decoded === undefined ? undefined : scan(decoded, lits, SECRET_SHAPES, depth + 1)[0]
      if (inner) hits.push({ kind: `base64-encoded ${inner.kind}`, preview: maskSecret(m[0]), index: m.index ?? 0, length: m[0].length })
    }
  }
  return hits
}

/**
 * Every secret in `text`: registered literals, `extraLiterals`, key shapes and base64 runs that
 * decode to one, also once invisible characters are removed and wrapped lines joined; ordered by
 * position, overlapping hits merged (the longest wins).
 */
export function findSecrets(text: string, extraLiterals: Iterable<string> = []): SecretHit[] {
  const lits: string[] = []
  const seen = new Set<string>()
  for (const lit of [...literals, ...extraLiterals]) {
    if (lit.trim().length < MIN_LITERAL_LENGTH || seen.has(lit)) continue
    seen.add(lit)
    lits.push(lit)
  }
  const hits = scan(text, lits, SECRET_SHAPES, 0)
  // Invisible characters hide nothing: every shape is scanned without them.
  const visible = viewWithout(text, INVISIBLE)
  if (visible) hits.push(...fromView(visible, scan(visible.text, lits, SECRET_SHAPES, 0)))
  // A key wrapped over lines: the distinctive shapes, literals and base64 runs, lines joined.
  const joined = viewWithout(visible?.text ?? text, WRAP)
  if (joined) {
    const found = fromView(joined, scan(joined.text, lits, PREFIXED_SHAPES, 0))
    hits.push(...(visible ? fromView(visible, found) : found))
  }
  hits.sort((a, b) => a.index - b.index || b.length - a.length)
  const merged: SecretHit[] = []
  for (const h of hits) {
    const last = merged[merged.length - 1]
    if (last && h.index < last.index + last.length) {
      const end = Math.max(last.index + last.length, h.index + h.length)
      last.length = end - last.index
      continue
    }
    merged.push({ ...h })
  }
  return merged
}

/** The first secret in `text` (see {@link findSecrets}), or `undefined` when clean. */
export function findSecret(text: string, extraLiterals: Iterable<string> = []): SecretHit | undefined {
  return findSecrets(text, extraLiterals)[0]
}

/** Replaces every secret in `text` with `[masked <kind>]`; clean text is returned unchanged. */
export function maskSecrets(text: string, extraLiterals: Iterable<string> = []): string {
  const hits = findSecrets(text, extraLiterals)
  if (hits.length === 0) return text
  let out = ''
  let at = 0
  for (const h of hits) {
    out += `${text.slice(at, h.index)}[masked ${h.kind}]`
    at = h.index + h.length
  }
  return out + text.slice(at)
}

/** {@link maskSecrets} applied to every string (and object key) inside a JSON-like value. */
export function maskDeep<T>(value: T): T {
  return mapStrings(value, (s) => maskSecrets(s)) as T
}

/** Applies `fn` to every string value and object key of a JSON-like value (structure kept). */
export function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value)
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    // defineProperty, not assignment: a key named `__proto__` stays an own key instead of
    // replacing the prototype (and vanishing from the copy).
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, fn(k), { value: mapStrings(v, fn), enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  return value
}

/**
 * The JSON path (e.g. `request.body.messages[1].content`) of the first string in `value` that
 * holds a secret, with the hit; `undefined` when the value is clean.
 */
export function locateSecret(value: unknown, extraLiterals: Iterable<string> = [], path = ''): { path: string; hit: SecretHit } | undefined {
  return locateIn(value, [...extraLiterals], path)
}

function locateIn(value: unknown, extra: readonly string[], path: string): { path: string; hit: SecretHit } | undefined {
  if (typeof value === 'string') {
    const hit = findSecret(value, extra)
    return hit ? { path: path || '(value)', hit } : undefined
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = locateIn(value[i], extra, `${path}[${i}]`)
      if (found) return found
    }
    return undefined
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyHit = findSecret(k, extra)
      const shown = maskSecrets(k, extra)
      const p = path ? `${path}.${shown}` : shown
      if (keyHit) return { path: p, hit: keyHit }
      const found = locateIn(v, extra, p)
      if (found) return found
    }
  }
  return undefined
}
