import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'
import { parseCLI, type VitestPluginContext } from 'vitest/node'
import '../shared.js'
import { parsePluginOptions, type SimbaPluginOptions } from './options.js'
import { buildProvided, isOptimizing } from './provided.js'
import { isProgressLog, ScoreReporter } from './reporter.js'

/** Absolute path of the runtime setup file (built `.js`, or the `.ts` source when run from src). */
export function setupFilePath(): string {
  const js = fileURLToPath(new URL('../runtime/setup.js', import.meta.url))
  if (existsSync(js)) return js
  return fileURLToPath(new URL('../runtime/setup.ts', import.meta.url))
}

/** The options Vitest's own CLI got, when Vitest's CLI started this process (undefined otherwise). */
function vitestCliOptions(argv: readonly string[]): { run?: boolean; watch?: boolean } | undefined {
  if (!/vitest(\.mjs)?$/.test(argv[1] ?? '')) return undefined
  try {
    return parseCLI(['vitest', ...argv.slice(2)]).options
  } catch {
    return undefined
  }
}

/**
 * The notice for optimize mode and watch mode, or undefined. Optimize mode sets `test.watch: false`
 * (unless the config sets `watch`), so a plain `vitest` in a terminal runs once instead of re-running
 * the whole optimization on every save; an explicit `watch`/`--watch` is kept, with a warning.
 */
export function optimizeWatchNotice(input: { optimize: boolean; watching: boolean; cli: { run?: boolean; watch?: boolean } | undefined; terminal: boolean }): string | undefined {
  if (!input.optimize) return undefined
  if (input.watching) return '[simba] optimize mode in watch mode: every save re-runs SIMBA for the changed test files'
  const defaultWouldWatch = input.terminal && input.cli !== undefined && input.cli.run !== true && input.cli.watch === undefined
  if (defaultWouldWatch) return '[simba] optimize mode runs once, like `vitest run` (watching would re-run the whole optimization on every save); pass `watch` to watch anyway'
  return undefined
}

/** True when the vitest CLI that started this process got file filters (best effort). */
function cliHasFileFilters(argv: readonly string[]): boolean {
  const script = argv[1] ?? ''
  if (!/vitest(\.mjs)?$/.test(script)) return false
  try {
    const args = argv.slice(2)
    const { filter } = parseCLI(['vitest', ...args])
    return filter.length > 0
  } catch {
    return true
  }
}

/**
 * The vitest-simba Vite plugin: adds the setup file (fixture interception, `describe.optimize` for
 * globals), provides the run settings to workers, raises `maxConcurrency` and adds the score reporter.
 * @example export default defineConfig({ plugins: [simba({ hosts: ['http://127.0.0.1:8080/v1'] })] })
 */
export function simba(options: SimbaPluginOptions = {}): Plugin {
  const opts = parsePluginOptions(options)
  return {
    name: 'simba:plugin',
    config(config, env) {
      const test = (config as { test?: { maxConcurrency?: number; watch?: boolean } }).test
      return {
        test: {
          setupFiles: [setupFilePath()],
          ...(test?.maxConcurrency === undefined ? { maxConcurrency: opts.maxConcurrency ?? 16 } : {}),
          // One optimization per command: Vitest's CLI `watch`/`--watch` still overrides this.
          ...(test?.watch === undefined && isOptimizing(process.env, env.mode) ? { watch: false } : {}),
        },
      } as Record<string, unknown>
    },
    configureVitest({ vitest, project }: VitestPluginContext) {
      const provided = buildProvided({
        options: opts,
        root: project.config.root,
        runRoot: vitest.config.root,
        // With several projects (which may run the same file), each project's reports get their own folder.
        project: vitest.projects.length > 1 ? project.name : '',
        viteMode: project.vite.config.mode,
        updateSnapshot: vitest.config.snapshotOptions.updateSnapshot,
        testNamePattern: vitest.config.testNamePattern,
        filtered: cliHasFileFilters(process.argv),
        env: process.env,
      })
      project.provide('simba', provided)
      const notice = optimizeWatchNotice({
        optimize: provided.optimize,
        watching: vitest.config.watch,
        cli: vitestCliOptions(process.argv),
        terminal: Boolean(process.stdin.isTTY) && !provided.ci,
      })
      if (notice && project.name === vitest.projects[0]?.name) vitest.logger.log(notice)
      // Progress lines are printed by the score reporter, without Vitest's per-test framing.
      const config = vitest.config as { onConsoleLog?: ((content: string, type: 'stdout' | 'stderr', entity?: unknown) => boolean | void) & { simba?: true } }
      const previous = config.onConsoleLog
      if (!previous?.simba) {
        const onConsoleLog = (content: string, type: 'stdout' | 'stderr', entity?: unknown): boolean | void => (isProgressLog(content) ? false : previous?.(content, type, entity))
        config.onConsoleLog = Object.assign(onConsoleLog, { simba: true as const })
      }
      const reporters = vitest.config.reporters as unknown[]
      if (!reporters.some((r) => r instanceof ScoreReporter)) reporters.push(new ScoreReporter(opts.summary !== undefined ? { summary: opts.summary } : {}))
    },
  } as Plugin
}

export type { SimbaPluginOptions }
