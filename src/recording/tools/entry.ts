/**
 * Recorded tool calls: the `tools` section of a fixture file. An entry is keyed by the tool's name
 * and the canonical JSON of its validated (redacted) arguments, not by rollout: a tool is taken to
 * be a function of its arguments.
 */
import { sha256 } from '../../internal/hash/sha256.js'
import { canonicalJson } from '../../internal/json/canonical.js'

/** One recorded tool call. Exactly one of `result` and `error` is set. */
export interface ToolFixtureEntry {
  /** The tool's name. */
  tool: string
  /** Its validated arguments (after redaction). */
  args: Record<string, unknown>
  /** What it returned, as JSON (strings as they are). */
  result?: unknown
  /** The message of the error it threw (replayed as the same `Error: …` observation). */
  error?: string
  /** When and by what it was recorded. */
  provenance: { recordedAt: string; library: string }
}

/** Counts of one fixture file's tool calls in this run. */
export interface ToolStats {
  /** Calls answered from a recording. */
  replayed: number
  /** Calls run for real and recorded. */
  recorded: number
  /** Calls with no recording in strict replay (each failed its case). */
  missing: number
  /** Recorded tool entries no call used. */
  unused: number
  /** Calls that ran for real unrecorded (the optimization phase). */
  live: number
}

/** The fixture key of a tool call: sha256 of the canonical JSON of `{ args, tool }`. */
export function toolKey(tool: string, args: unknown): string {
  return sha256(canonicalJson({ args, tool }))
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Why a parsed `tools` section is malformed (path and reason), or undefined when it is sound. */
export function invalidToolsSection(tools: unknown): string | undefined {
  if (!isObj(tools) || Object.hasOwn(tools, '__proto__')) return 'tools: must be an object keyed by fixture key'
  for (const [key, e] of Object.entries(tools)) {
    const at = `tools.${key}`
    if (!isObj(e)) return `${at}: must be an object`
    for (const k of Object.keys(e)) if (!['tool', 'args', 'result', 'error', 'provenance'].includes(k)) return `${at}: unknown key "${k}"`
    if (typeof e.tool !== 'string') return `${at}.tool: must be a string`
    if (!isObj(e.args)) return `${at}.args: must be an object`
    if (('error' in e) === ('result' in e)) return `${at}: needs exactly one of "result" and "error"`
    if ('error' in e && typeof e.error !== 'string') return `${at}.error: must be a string`
    const p = e.provenance
    if (!isObj(p) || typeof p.recordedAt !== 'string' || typeof p.library !== 'string') return `${at}.provenance: must be { recordedAt, library }`
  }
  return undefined
}

/** What an entry replays as: its result, or its error. */
export function outcomeOf(entry: ToolFixtureEntry): { ok: true; value: unknown } | { ok: false; error: string } {
  return entry.error !== undefined ? { ok: false, error: entry.error } : { ok: true, value: entry.result ?? null }
}
