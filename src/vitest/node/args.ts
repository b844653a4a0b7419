/** Splits our flag off the argument list. */
export function splitArgs(argv: readonly string[]): { optimize: boolean; rest: string[] } {
  const dashDash = argv.indexOf('--')
  const head = dashDash < 0 ? [...argv] : argv.slice(0, dashDash)
  const optimize = head.includes('--optimize')
  const rest = [...head.filter((a) => a !== '--optimize'), ...(dashDash < 0 ? [] : argv.slice(dashDash))]
  return { optimize, rest }
}
