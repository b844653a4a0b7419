import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'
import { parseCLI, type VitestPluginContext } from 'vitest/node'
import '../shared.js'
import { parsePluginOptions, type SimbaPluginOptions } from './options.js'
import { buildProvided } from './provided.js'
import { ScoreReporter } from './reporter.js'

/** Absolute path of the runtime setup file (built `.js`, or the `.ts` source when run from src). */
export function setupFilePath(): string {
  const js = fileURLToPath(new URL('../runtime/setup.js', import.meta.url))
  if (existsSync(js)) return js
  return fileURLToPath(new URL('../runtime/setup.ts', import.meta.url))
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
    config(config) {
      const test = (config as { test?: { maxConcurrency?: number } }).test
      return {
        test: {
          setupFiles: [setupFilePath()],
          ...(test?.maxConcurrency === undefined ? { maxConcurrency: opts.maxConcurrency ?? 16 } : {}),
        },
      } as Record<string, unknown>
    },
    configureVitest({ vitest, project }: VitestPluginContext) {
      const provided = buildProvided({
        options: opts,
        root: project.config.root,
        viteMode: project.vite.config.mode,
        updateSnapshot: vitest.config.snapshotOptions.updateSnapshot,
        testNamePattern: vitest.config.testNamePattern,
        filtered: cliHasFileFilters(process.argv),
        env: process.env,
      })
      project.provide('simba', provided)
      const reporters = vitest.config.reporters as unknown[]
      if (!reporters.some((r) => r instanceof ScoreReporter)) reporters.push(new ScoreReporter())
    },
  } as Plugin
}

export type { SimbaPluginOptions }
