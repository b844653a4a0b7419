/** Our own flags, split off the argument list; everything else goes to Vitest unchanged. */
export function splitArgs(argv: readonly string[]): { optimize: boolean; ci: boolean; rest: string[] } {
  const dashDash = argv.indexOf('--')
  const head = dashDash < 0 ? [...argv] : argv.slice(0, dashDash)
  const ours = new Set(['--optimize', '--ci'])
  const rest = [...head.filter((a) => !ours.has(a)), ...(dashDash < 0 ? [] : argv.slice(dashDash))]
  return { optimize: head.includes('--optimize'), ci: head.includes('--ci'), rest }
}

/**
 * `--optimize` runs once (as `vitest run`) unless watch mode is asked for explicitly: in a terminal
 * Vitest would otherwise watch and repeat the whole SIMBA run on every file change.
 */
export function runOnceWhenOptimizing<O extends { run?: boolean; watch?: boolean }>(optimize: boolean, options: O): O {
  return optimize && options.run === undefined && options.watch === undefined ? { ...options, run: true } : options
}
