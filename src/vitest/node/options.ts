import { z } from 'zod'
import { SimbaError } from '../../errors.js'
import type { SimbaOptions } from '../../optimizer/simba/types.js'

const fixtureModes = ['auto', 'replay', 'record-missing', 're-record', 'off'] as const

const schema = z.strictObject({
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
  /** Default SIMBA settings for every block (a block's `optimizer` overrides them). */
  optimize?: Pick<SimbaOptions, 'seed' | 'bsize' | 'numCandidates' | 'maxSteps' | 'maxDemos' | 'temperatureForSampling' | 'temperatureForCandidates'>
}

/**
 * Validates the plugin options; a wrong option throws SimbaError('SIMBA_CONFIG') naming the
 * option path, e.g. `simba() option "fixtures.mode": Invalid option: expected one of …`.
 */
export function parsePluginOptions(options: unknown): SimbaPluginOptions {
  const result = schema.safeParse(options ?? {})
  if (result.success) return result.data
  const lines = result.error.issues.map((issue) => {
    const path = [...issue.path, ...('keys' in issue && Array.isArray(issue.keys) ? [issue.keys.join(', ')] : [])].join('.')
    return `simba() option "${path || '(root)'}": ${issue.message}`
  })
  throw new SimbaError('SIMBA_CONFIG', `invalid vitest-simba plugin options in vitest.config:\n  ${lines.join('\n  ')}`)
}
