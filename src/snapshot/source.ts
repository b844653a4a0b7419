/**
 * The source fingerprint of a program: what the code builds, before any snapshot state is applied.
 * A snapshot block records it, so an edit to a prompt in code (instructions, demos, fields) is
 * noticed on the next run instead of being hidden under the stored state.
 */
import { typeText } from '../core/adapter/field-types.js'
import type { Module } from '../core/module/module.js'
import type { ProgramState } from '../core/module/state.js'
import type { Predict } from '../core/predict/predict.js'
import { sha256 } from '../internal/hash/sha256.js'
import { canonicalJson } from '../internal/json/canonical.js'
import { dict, own } from '../internal/json/dict.js'
import { maskSecrets } from '../internal/secrets/secrets.js'
import { DIFF_DELETE, DIFF_EQUAL, DIFF_INSERT, diffLinesRaw } from '@vitest/utils/diff'

/** The source of one predictor, as recorded in a snapshot. */
export interface PredictorSource {
  /** Field summary, e.g. `ticket: string -> queue: one of billing, technical`. */
  signature: string
  /** sha256 (16 hex) of every field's name, type and description. */
  signatureHash: string
  /** Instructions as written in the code, one sentence or line per element (joined with ''). */
  instructions: string[]
  /** Number of demos written in the code. */
  demos: number
  /** sha256 (16 hex) of the demos written in the code. */
  demosHash: string
}

/** The source fingerprint of a whole program. */
export interface SourceRecord {
  /** sha256 of every predictor's source; equal hashes mean the code builds the same program. */
  hash: string
  /** Per predictor name. */
  predictors: Record<string, PredictorSource>
}

const short = (text: string): string => sha256(text).slice(0, 16)

/**
 * Splits text into lines for reviewable JSON: after each newline and after each sentence end
 * (`.`, `!`, `?` and the spaces after it). Joining the parts with '' gives the text back exactly.
 */
export function splitLines(text: string): string[] {
  const parts: string[] = []
  let cut = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '\n') {
      parts.push(text.slice(cut, i + 1))
      cut = i + 1
    } else if ((ch === '.' || ch === '!' || ch === '?') && (text[i + 1] === ' ' || text[i + 1] === '\t')) {
      let j = i + 1
      while (text[j] === ' ' || text[j] === '\t') j++
      if (j < text.length && text[j] !== '\n') {
        parts.push(text.slice(cut, j))
        cut = j
        i = j - 1
      }
    }
  }
  if (cut < text.length) parts.push(text.slice(cut))
  return parts
}

function fieldsOf(p: Predict): { summary: string; hash: string } {
  const side = (fields: Predict['signature']['inputFields']) => fields.map((f) => ({ name: f.name, type: typeText(f.schema), description: f.description ?? '' }))
  const inputs = side(p.signature.inputFields)
  const outputs = side(p.signature.outputFields)
  const text = (fs: typeof inputs) => fs.map((f) => `${f.name}: ${f.type}`).join(', ')
  return { summary: `${text(inputs)} -> ${text(outputs)}`, hash: short(canonicalJson({ inputs, outputs })) }
}

/** The source fingerprint of `program` as it is now (call it before loading snapshot state). */
export function sourceOf(program: Module): SourceRecord {
  const predictors = dict<PredictorSource>()
  for (const [name, p] of program.namedPredictors()) {
    const f = fieldsOf(p)
    predictors[name] = {
      signature: maskSecrets(f.summary),
      signatureHash: f.hash,
      instructions: splitLines(p.instructions),
      demos: p.demos.length,
      demosHash: short(canonicalJson(p.demos)),
    }
  }
  const hash = sha256(canonicalJson(Object.entries(predictors).map(([n, s]) => [n, s.signatureHash, s.instructions.join(''), s.demosHash])))
  return { hash, predictors }
}

/** Longest instruction line shown in a message; longer ones are cut around their first change. */
const MAX_SHOWN = 90
/** Changed instruction lines shown per predictor; the rest are counted. */
const MAX_DIFF_LINES = 12

/**
 * A line of instructions as a message shows it: secrets masked, in quotes-safe form, with the
 * whitespace that a reader could not see made visible: `⏎` for a line break, `\t` for a tab, `·`
 * for each leading or trailing space and for every space of a run of two or more, `\u{…}` for
 * other invisible characters (no-break and zero-width spaces, control characters). The space that
 * separates a sentence from the next one on the same line is left out (`dropSeparator`).
 */
export function visibleLine(text: string, dropSeparator = false): string {
  let t = maskSecrets(text)
  if (dropSeparator) t = t.replace(/(?<=[.!?])[ \t]+$/, '')
  const lead = /^ */.exec(t)?.[0].length ?? 0
  const trail = t.length - lead === 0 ? 0 : (/ *$/.exec(t)?.[0].length ?? 0)
  let out = ''
  for (let i = 0; i < t.length; i++) {
    const ch = t[i] as string
    if (ch === ' ') {
      const run = t[i - 1] === ' ' || t[i + 1] === ' '
      out += i < lead || i >= t.length - trail || run ? '·' : ' '
    } else if (ch === '\n') out += '⏎'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (/[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}]/u.test(ch)) out += `\\u{${(ch.codePointAt(0) as number).toString(16)}}`
    else out += ch
  }
  return out
}

/** `text` cut to {@link MAX_SHOWN} characters, keeping the part from a little before `from` (its first change). */
function window(text: string, from: number): string {
  if (text.length <= MAX_SHOWN) return text
  const start = from > MAX_SHOWN - 20 ? Math.min(from - 20, text.length - (MAX_SHOWN - 1)) : 0
  const room = MAX_SHOWN - (start > 0 ? 1 : 0)
  const end = start + room >= text.length ? text.length : start + room - 1
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`
}

/** Length of the common start of two texts. */
function commonPrefix(a: string, b: string): number {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}

/**
 * The instruction lines (as the snapshot stores them: one sentence or line each) removed and added
 * between two texts, `- line N: "…"` / `+ line N: "…"`, numbered on their own side. A sentence that
 * only gained the space before a newly appended sentence is not shown as changed; when whitespace is
 * all that changed, every line is compared as it is, with its whitespace made visible.
 */
export function instructionDiff(before: string, after: string): string[] {
  const a = splitLines(before)
  const b = splitLines(after)
  const key = (lines: string[]) => lines.map((l, i) => (i < lines.length - 1 ? l.replace(/(?<=[.!?])[ \t]+$/, '') : l))
  let exact = false
  let diff = diffLinesRaw(key(a), key(b))[0]
  if (diff.every((d) => d[0] === DIFF_EQUAL)) {
    exact = true
    diff = diffLinesRaw(a, b)[0]
  }
  const out: string[] = []
  let ai = 0
  let bi = 0
  let removed: number[] = []
  let added: number[] = []
  const flush = (): void => {
    removed.forEach((i, k) => {
      const partner = added[k]
      const text = visibleLine(a[i] as string, !exact && i < a.length - 1)
      const from = partner === undefined ? 0 : commonPrefix(text, visibleLine(b[partner] as string, !exact && partner < b.length - 1))
      out.push(`- line ${i + 1}: "${window(text, from)}"`)
    })
    added.forEach((i, k) => {
      const partner = removed[k]
      const text = visibleLine(b[i] as string, !exact && i < b.length - 1)
      const from = partner === undefined ? 0 : commonPrefix(text, visibleLine(a[partner] as string, !exact && partner < a.length - 1))
      out.push(`+ line ${i + 1}: "${window(text, from)}"`)
    })
    removed = []
    added = []
  }
  for (const { 0: op } of diff) {
    if (op === DIFF_DELETE) removed.push(ai++)
    else if (op === DIFF_INSERT) added.push(bi++)
    else {
      flush()
      ai++
      bi++
    }
  }
  flush()
  return out.length > MAX_DIFF_LINES ? [...out.slice(0, MAX_DIFF_LINES), `… and ${out.length - MAX_DIFF_LINES} more changed line(s)`] : out
}

/**
 * What changed between two source records, one entry per changed predictor: a summary line
 * (`predictor "p": fields changed (…); demos changed (…); instructions changed at line N:`), followed,
 * when the instructions changed, by their removed and added lines ({@link instructionDiff}), each on
 * its own line indented by two spaces.
 */
export function explainSourceChange(before: SourceRecord, after: SourceRecord): string[] {
  const lines: string[] = []
  const names = [...new Set([...Object.keys(before.predictors), ...Object.keys(after.predictors)])].sort()
  for (const name of names) {
    const a = own(before.predictors, name)
    const b = own(after.predictors, name)
    if (!a) {
      lines.push(`predictor "${name}" was added`)
      continue
    }
    if (!b) {
      lines.push(`predictor "${name}" was removed`)
      continue
    }
    const what: string[] = []
    if (a.signatureHash !== b.signatureHash) what.push(a.signature === b.signature ? 'field descriptions changed' : `fields changed (${a.signature} => ${b.signature})`)
    if (a.demosHash !== b.demosHash) what.push(a.demos === b.demos ? `demos changed (${b.demos})` : `demos changed (${a.demos} => ${b.demos})`)
    const ia = a.instructions.join('')
    const ib = b.instructions.join('')
    let diff: string[] = []
    if (ia !== ib) {
      diff = instructionDiff(ia, ib)
      const first = /^[-+] line (\d+)/.exec(diff[0] ?? '')?.[1] ?? '1'
      what.push(`instructions changed at line ${first}:`)
    }
    if (what.length > 0) lines.push([`predictor "${name}": ${what.join('; ')}`, ...diff.map((d) => `  ${d}`)].join('\n'))
  }
  return lines
}

/**
 * Carries an optimization over onto an edited source, predictor by predictor: where the optimized
 * instructions begin with the old source instructions, the additions are appended to the new
 * instructions; optimized demos are kept when the predictor's fields and code demos did not change.
 * Returns the state to load and one note per predictor.
 */
export function rebaseState(oldSource: SourceRecord, newSource: SourceRecord, optimized: ProgramState, current: ProgramState): { state: ProgramState; notes: string[]; carried: boolean } {
  const state: ProgramState = dict()
  const notes: string[] = []
  let carried = false
  for (const [name, now] of Object.entries(current)) {
    const a = own(oldSource.predictors, name)
    const b = own(newSource.predictors, name)
    const opt = own(optimized, name)
    if (!a || !b || !opt) {
      state[name] = now
      continue
    }
    const oldText = a.instructions.join('')
    let instructions = now.instructions
    const added = opt.instructions.startsWith(oldText) ? opt.instructions.slice(oldText.length) : undefined
    if (added !== undefined && added !== '') {
      instructions = now.instructions + added
      carried = true
      notes.push(`"${name}": kept the optimized additions to the instructions (${added.length} chars)`)
    } else if (added === undefined) notes.push(`"${name}": the optimized instructions do not start with the old source, so the code's instructions are used`)
    let demos = now.demos
    if (a.signatureHash === b.signatureHash && a.demosHash === b.demosHash && opt.demos.length > 0) {
      demos = opt.demos
      carried = true
      notes.push(`"${name}": kept the ${opt.demos.length} optimized demo(s)`)
    }
    state[name] = { instructions, demos }
  }
  return { state, notes, carried }
}
