import { createRequire } from 'node:module'
import type { z as Z } from 'zod'
import { SimbaError } from '../../errors.js'
import type { SimbaOptions } from '../../optimizer/simba/types.js'

const fixtureModes = ['auto', 'replay', 'record-missing', 're-record', 'off'] as const

/**
 * The options schema, built on first use: options that `plainValid` accepts never load zod in
 * Vitest's main process (about 0.1 s of CPU per run); anything else is decided and explained by it.
 */
let built: ReturnType<typeof buildSchema> | undefined

/** The zod schema of the plugin options (loads zod on first use); the reference `parsePluginOptions` follows. */
export const pluginOptionsSchema = (): ReturnType<typeof buildSchema> => (built ??= buildSchema((createRequire(import.meta.url)('zod') as typeof import('zod')).z))

const buildSchema = (z: typeof Z) =>
  z.strictObject({
  hosts: z.array(z.url()).optional(),
  fixtures: z
    .strictObject({
      dir: z.string().min(1).optional(),
      mode: z.enum(fixtureModes).optional(),
      otherHosts: z.enum(['error', 'bypass']).optional(),
      redact: z.array(z.strictObject({ pattern: z.instanceof(RegExp), replacement: z.string() })).optional(),
    })
    .optional(),
  concurrency: z.int().positive().optional(),
  maxConcurrency: z.int().positive().optional(),
  trials: z.int().positive().max(100).optional(),
  history: z.union([z.literal(false), z.strictObject({ file: z.string().min(1).optional(), keep: z.int().positive().optional() })]).optional(),
  summary: z.string().min(1).optional(),
  optimize: z
    .strictObject({
      seed: z.int().optional(),
      bsize: z.int().positive().optional(),
      numCandidates: z.int().positive().optional(),
      maxSteps: z.int().positive().optional(),
      maxDemos: z.int().nonnegative().optional(),
      temperatureForSampling: z.number().nonnegative().optional(),
      temperatureForCandidates: z.number().nonnegative().optional(),
    })
    .optional(),
  })

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
const only = (o: Record<string, unknown>, keys: readonly string[]): boolean => Object.keys(o).every((k) => keys.includes(k))
const optional = (v: unknown, ok: (v: unknown) => boolean): boolean => v === undefined || ok(v)
const positiveInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0
const OPTIMIZE_INTS = { seed: Number.isSafeInteger, bsize: positiveInt, numCandidates: positiveInt, maxSteps: positiveInt, maxDemos: (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0 }
const OPTIMIZE_NUMBERS = ['temperatureForSampling', 'temperatureForCandidates']

/**
 * True for options the schema certainly accepts, checked without zod: plain objects with known
 * keys and values of the right kind. `hosts` and anything unusual go to the schema.
 */
function plainValid(o: unknown): o is SimbaPluginOptions {
  if (!isObject(o) || !only(o, ['fixtures', 'concurrency', 'maxConcurrency', 'optimize', 'trials', 'history', 'summary'])) return false
  const h = o['history']
  if (h !== undefined && h !== false) {
    if (!isObject(h) || !only(h, ['file', 'keep'])) return false
    if (!optional(h['file'], (f) => typeof f === 'string' && f.length > 0) || !optional(h['keep'], positiveInt)) return false
  }
  if (!optional(o['summary'], (f) => typeof f === 'string' && f.length > 0)) return false
  if (!optional(o['concurrency'], positiveInt) || !optional(o['maxConcurrency'], positiveInt)) return false
  if (!optional(o['trials'], (v) => positiveInt(v) && (v as number) <= 100)) return false
  const f = o['fixtures']
  if (f !== undefined) {
    if (!isObject(f) || !only(f, ['dir', 'mode', 'otherHosts', 'redact'])) return false
    if (!optional(f['dir'], (d) => typeof d === 'string' && d.length > 0)) return false
    if (!optional(f['mode'], (m) => (fixtureModes as readonly unknown[]).includes(m))) return false
    if (!optional(f['otherHosts'], (m) => m === 'error' || m === 'bypass')) return false
    const rules = f['redact']
    if (rules !== undefined && !(Array.isArray(rules) && rules.every((r) => isObject(r) && only(r, ['pattern', 'replacement']) && r['pattern'] instanceof RegExp && typeof r['replacement'] === 'string'))) return false
  }
  const opt = o['optimize']
  if (opt !== undefined) {
    if (!isObject(opt) || !only(opt, [...Object.keys(OPTIMIZE_INTS), ...OPTIMIZE_NUMBERS])) return false
    for (const [k, ok] of Object.entries(OPTIMIZE_INTS)) if (!optional(opt[k], ok)) return false
    for (const k of OPTIMIZE_NUMBERS) if (!optional(opt[k], (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) return false
  }
  return true
}

/** A copy of plain objects and arrays (other values, such as RegExps, are kept), as the schema returns them. */
const copy = <T>(v: T): T =>
  (Array.isArray(v) ? v.map(copy) : isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) : v) as T

/** Options of the `simba()` Vitest plugin. */
export interface SimbaPluginOptions {
  /** Extra LM base URLs to record/replay (always: `https://api.openai.com/v1` and `OPENAI_BASE_URL`). */
  hosts?: string[]
  /**
   * LM fixtures: `dir` (relative to the root; default `fixtures`), `mode` (default `auto`), and
   * `otherHosts` — `bypass` (default: requests to non-LM hosts behave as without the plugin) or `error`
   * (they fail, proving the suite is offline), and `redact` — rules applied to request and response
   * bodies before keying and writing (every occurrence is replaced, with or without the `g` flag).
   */
  fixtures?: {
    /** Folder of the `.lm.json` fixture files, relative to the project root (default `fixtures`). */
    dir?: string
    /** Record/replay mode; `auto` (default) replays strictly under CI, records missing responses locally with a key or baseURL, and re-records on `-u`. */
    mode?: 'auto' | 'replay' | 'record-missing' | 're-record' | 'off'
    /** What happens to requests for hosts that are not LM hosts: `bypass` (default) or `error`. */
    otherHosts?: 'error' | 'bypass'
    /** Rules applied to request and response bodies before keying and writing. */
    redact?: Array<{
      /** What to replace; every occurrence, with or without the `g` flag. */
      pattern: RegExp
      /** The text written instead. */
      replacement: string
    }>
  }
  /** Default evaluation concurrency per block (default 8). */
  concurrency?: number
  /** Vitest `maxConcurrency` for the case tests when the user set none (default 16). */
  maxConcurrency?: number
  /** Default trials per case for blocks that set none (default 1): each case runs this many times and the gate accounts for sampling noise. */
  trials?: number
  /**
   * Local score history: one JSON line per block and run outside CI, drawn in the report (last runs'
   * means, cases that changed). `file` is relative to the run's root (default
   * `.vitest-simba/history.jsonl`), `keep` the runs kept per block (default 50); `false` turns it off.
   */
  history?:
    | false
    | {
        /** History file, relative to the run's root (default `.vitest-simba/history.jsonl`). */
        file?: string
        /** Runs kept per block; older ones are dropped (default 50). */
        keep?: number
      }
  /** Also write the run's Markdown summary to this file (relative to the run's root; overwritten), as `--summary` does. */
  summary?: string
  /** Default SIMBA settings for every block (a block's `optimizer` overrides them). */
  optimize?: Pick<SimbaOptions, 'seed' | 'bsize' | 'numCandidates' | 'maxSteps' | 'maxDemos' | 'temperatureForSampling' | 'temperatureForCandidates'>
}

/**
 * Validates the plugin options; a wrong option throws SimbaError('SIMBA_CONFIG') naming the
 * option path, e.g. `simba() option "fixtures.mode": Invalid option: expected one of …`.
 */
export function parsePluginOptions(options: unknown): SimbaPluginOptions {
  const input = options ?? {}
  if (plainValid(input)) return copy(input)
  const result = pluginOptionsSchema().safeParse(input)
  if (result.success) return result.data
  const lines = result.error.issues.map((issue) => {
    const path = [...issue.path, ...('keys' in issue && Array.isArray(issue.keys) ? [issue.keys.join(', ')] : [])].join('.')
    return `simba() option "${path || '(root)'}": ${issue.message}`
  })
  throw new SimbaError('SIMBA_CONFIG', `invalid vitest-simba plugin options in vitest.config:\n  ${lines.join('\n  ')}`)
}
