/** Builds the Stryker config of one mutation group (see groups.mjs). */
import { groups } from './groups.mjs'

/** Stryker options for `group`: its files, its tests, concurrency 1, JSON report per group. */
export function strykerConfig(group) {
  if (!groups[group]) throw new Error(`unknown mutation group "${group}"`)
  // The Vitest config in the sandbox reads the group from the environment.
  process.env.STRYKER_GROUP = group
  return {
    $schema: '../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    packageManager: 'npm',
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: 'stryker/vitest.config.mjs', related: false },
    coverageAnalysis: 'perTest',
    mutate: groups[group].mutate,
    // The machine is shared: one test-runner process at a time.
    concurrency: 1,
    reporters: ['json', 'clear-text', 'progress'],
    jsonReporter: { fileName: `reports/mutation/${group}.json` },
    tempDirName: '.stryker-tmp',
    ignorePatterns: ['reports', '.stryker-tmp', '.stryker-tmp-*', 'coverage', '.vitest-simba-tmp', '.matrix'],
    thresholds: { high: 90, low: 80, break: null },
    timeoutMS: 10_000,
  }
}
