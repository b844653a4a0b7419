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

/** Shortens a text for a message (first 70 characters). */
const clip = (text: string): string => {
  const t = maskSecrets(text.replace(/\s+/g, ' ').trim())
  return t.length > 70 ? `${t.slice(0, 70)}…` : t
}

/** One line per changed predictor saying what changed between two source records. */
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
    const ia = a.instructions.join('')
    const ib = b.instructions.join('')
    if (ia !== ib) {
      const first = a.instructions.findIndex((l, i) => l !== b.instructions[i])
      const at = first < 0 ? Math.min(a.instructions.length, b.instructions.length) : first
      what.push(`instructions changed at line ${at + 1}: "${clip(a.instructions[at] ?? '')}" => "${clip(b.instructions[at] ?? '')}"`)
    }
    if (a.demosHash !== b.demosHash) what.push(a.demos === b.demos ? `demos changed (${b.demos})` : `demos changed (${a.demos} => ${b.demos})`)
    if (what.length > 0) lines.push(`predictor "${name}": ${what.join('; ')}`)
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
