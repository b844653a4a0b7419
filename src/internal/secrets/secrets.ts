/**
 * Secret detection and masking, shared by every part of the package that writes or prints:
 * fixture files, snapshots, reporter output, progress lines and error messages.
 *
 * Detection matches real key shapes (a known prefix, a minimum length, the key's alphabet and, for
 * the generic shapes, a mix of letters and digits), so prose such as "token-based authentication"
 * or a placeholder like `YOUR_KEY_HERE` is not taken for a key. Besides shapes, any value
 * registered as a literal (API keys and header values configured on an LM or seen in a request's
 * credential headers) counts as a secret wherever it appears.
 */

/** One supported key shape. */
export interface SecretShape {
  /** Human name shown in messages (never the secret itself). */
  name: string
  /** Global pattern; group 1, when present, is the secret part of the match. */
  pattern: RegExp
  /** Extra check on the secret part (e.g. "has a digit") that keeps prose out. */
  accept?: (secret: string) => boolean
}

const mixed = (s: string): boolean => /[0-9]/.test(s) && /[A-Za-z]/.test(s)

// "Not inside a word": a preceding letter/digit means prose such as "risk-…", but a JSON escape
// such as `\n` right before the key still counts (the scans also run over JSON text).
const START = String.raw`(?:(?<![A-Za-z0-9_])|(?<=\\[bfnrt]))`

/** Key shapes refused in fixture files and snapshots and masked everywhere else. */
export const SECRET_SHAPES: readonly SecretShape[] = [
  { name: 'Anthropic API key (sk-ant-…)', pattern: new RegExp(`${START}sk-ant-[A-Za-z0-9_-]{20,}`, 'g') },
  { name: 'OpenAI-style key (sk-…)', pattern: new RegExp(`${START}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`, 'g'), accept: mixed },
  { name: 'Google API key (AIza…)', pattern: new RegExp(`${START}AIza[0-9A-Za-z_-]{35}`, 'g') },
  { name: 'GitHub token (ghp_…)', pattern: new RegExp(`${START}gh[pousr]_[A-Za-z0-9]{36,}`, 'g') },
  { name: 'GitHub fine-grained token (github_pat_…)', pattern: new RegExp(`${START}github_pat_[A-Za-z0-9_]{40,}`, 'g') },
  { name: 'AWS access key id', pattern: new RegExp(`${START}(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])`, 'g') },
  { name: 'Slack token (xox…)', pattern: new RegExp(`${START}xox[abposr]-[0-9A-Za-z-]{10,}`, 'g'), accept: mixed },
  { name: 'JWT', pattern: new RegExp(`${START}eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}`, 'g') },
  { name: 'Bearer token', pattern: /Bearer\s+([A-Za-z0-9._~+/=-]{20,})/g, accept: mixed },
  { name: 'api key field', pattern: /api[_-]?key\\?"\s*:\s*\\?"([^"\\\s]{8,})/gi, accept: mixed },
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

/**
 * Every secret in `text`: registered literals, `extraLiterals` and key shapes, ordered by position,
 * overlapping hits merged (the longest wins).
 */
export function findSecrets(text: string, extraLiterals: Iterable<string> = []): SecretHit[] {
  const hits: SecretHit[] = []
  const seen = new Set<string>()
  for (const lit of [...literals, ...extraLiterals]) {
    if (lit.trim().length < MIN_LITERAL_LENGTH || seen.has(lit)) continue
    seen.add(lit)
    for (let i = text.indexOf(lit); i >= 0; i = text.indexOf(lit, i + lit.length)) {
      hits.push({ kind: 'configured credential', preview: maskSecret(lit), index: i, length: lit.length })
    }
  }
  for (const shape of SECRET_SHAPES) {
    shape.pattern.lastIndex = 0
    for (const m of text.matchAll(shape.pattern)) {
      const secret = m[1] ?? m[0]
      if (shape.accept && !shape.accept(secret)) continue
      const index = (m.index ?? 0) + (m[1] !== undefined ? m[0].lastIndexOf(secret) : 0)
      hits.push({ kind: shape.name, preview: maskSecret(secret), index, length: secret.length })
    }
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
    for (const [k, v] of Object.entries(value)) out[fn(k)] = mapStrings(v, fn)
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
