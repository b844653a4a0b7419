import { readFileSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { SimbaError } from '../../errors.js'
import { isCiEnv, resolveFixtureMode } from '../../recording/mode.js'
import { toUpdateMode } from '../../snapshot/policy.js'
import type { SimbaProvided } from '../shared.js'
import type { SimbaPluginOptions } from './options.js'
import { DEFAULT_HISTORY_KEEP } from '../../history/types.js'

/** `vitest-simba@<version>` read from the package's own package.json. */
export function libraryVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name?: string; version?: string }
    return `${pkg.name ?? 'vitest-simba'}@${pkg.version ?? '0.0.0'}`
  } catch {
    return 'vitest-simba@unknown'
  }
}

/** True when optimize mode is on (`SIMBA_OPTIMIZE=1`/`true`, or Vite's `--mode optimize`). */
export function isOptimizing(env: NodeJS.ProcessEnv, viteMode: string | undefined): boolean {
  return env['SIMBA_OPTIMIZE'] === '1' || env['SIMBA_OPTIMIZE'] === 'true' || viteMode === 'optimize'
}

/** Inputs of {@link buildProvided} (what the plugin reads from Vitest and the environment). */
export interface ProvidedInput {
  options: SimbaPluginOptions
  root: string
  /** Root of the whole Vitest run (defaults to `root`). */
  runRoot?: string
  /** The project's name when the run has several projects. */
  project?: string
  viteMode: string | undefined
  updateSnapshot: unknown
  testNamePattern: unknown
  filtered: boolean
  env: NodeJS.ProcessEnv
}

/** `SIMBA_TRIALS` (set by `vitest-simba --trials k`): trials per case for every block of the run. */
function trialsFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env['SIMBA_TRIALS']
  if (raw === undefined || raw === '') return undefined
  const k = Number(raw)
  if (!Number.isSafeInteger(k) || k < 1 || k > 100) {
    throw new SimbaError('SIMBA_CONFIG', `SIMBA_TRIALS (or --trials) must be a whole number from 1 to 100, got "${raw}"`)
  }
  return k
}

/** Default history file, relative to the run's root. */
export const DEFAULT_HISTORY_FILE = '.vitest-simba/history.jsonl'

/**
 * Where the score history goes: never in CI; `SIMBA_HISTORY=off` (or `0`, `false`) turns it off and
 * any other value is the file; else the plugin's `history` option (`false` = off); else
 * `.vitest-simba/history.jsonl` under the run's root.
 */
export function historySetting(options: SimbaPluginOptions, env: NodeJS.ProcessEnv, ci: boolean, runRoot: string): SimbaProvided['history'] {
  if (ci) return null
  const fromEnv = env['SIMBA_HISTORY']
  const keep = (options.history || undefined)?.keep ?? DEFAULT_HISTORY_KEEP
  if (fromEnv !== undefined && fromEnv !== '') {
    return ['off', '0', 'false'].includes(fromEnv.toLowerCase()) ? null : { file: resolve(runRoot, fromEnv), keep }
  }
  if (options.history === false) return null
  return { file: resolve(runRoot, options.history?.file ?? DEFAULT_HISTORY_FILE), keep }
}

/** Computes the JSON the plugin provides to workers. */
export function buildProvided(input: ProvidedInput): SimbaProvided {
  const { options, env } = input
  const ci = isCiEnv(env)
  const update = toUpdateMode(input.updateSnapshot)
  const hosts = [...(options.hosts ?? [])]
  if (env['OPENAI_BASE_URL']) hosts.push(env['OPENAI_BASE_URL'])
  const configured = options.fixtures?.mode
  const fixtureMode = resolveFixtureMode({
    configured: configured === 'auto' ? undefined : configured,
    ci,
    update,
    hasKey: Boolean(env['OPENAI_API_KEY'] || env['OPENAI_BASE_URL']),
  })
  const dir = options.fixtures?.dir
  return {
    optimize: isOptimizing(env, input.viteMode),
    update,
    fixtureMode,
    hosts: [...new Set(hosts)],
    otherHosts: options.fixtures?.otherHosts ?? 'bypass',
    redact: (options.fixtures?.redact ?? []).map((r) => ({ source: r.pattern.source, flags: r.pattern.flags, replacement: r.replacement })),
    ci,
    root: input.root,
    fixturesDir: dir === undefined ? 'fixtures' : isAbsolute(dir) ? relative(input.root, dir) : dir,
    filtered: input.filtered || input.testNamePattern !== undefined || env['SIMBA_FILTERED'] === '1',
    concurrency: options.concurrency ?? 8,
    optimizer: { ...(options.optimize ?? {}) },
    ...(options.trials !== undefined && options.trials > 1 ? { trials: options.trials } : {}),
    ...(trialsFromEnv(env) !== undefined ? { trialsOverride: trialsFromEnv(env) } : {}),
    library: libraryVersion(),
    report: env['SIMBA_REPORT'] ? resolve(input.runRoot ?? input.root, env['SIMBA_REPORT']) : null,
    reportRoot: input.runRoot ?? input.root,
    project: input.project ?? '',
    history: historySetting(options, env, ci, input.runRoot ?? input.root),
  }
}
