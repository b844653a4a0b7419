/**
 * `vitest-simba/plugin`: the Vitest plugin (setup file, provided settings, score reporter).
 * Re-exports only.
 *
 * @module vitest-simba/plugin
 */
export { simba } from './vitest/node/plugin.js'
export type { SimbaPluginOptions } from './vitest/node/options.js'
export { ScoreReporter } from './vitest/node/reporter.js'
