import { parseArgs } from 'node:util'

/** What the `vitest-simba` command line asks for: our own answer (help, version, error) or a Vitest run. */
export type BinArgs =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string }
  | { kind: 'run'; optimize: boolean; ci: boolean; rest: string[]; report?: string; trials?: number; summary?: string }

/** Folder `--report` writes to when no `=dir` is given (relative to the working directory). */
export const DEFAULT_REPORT_DIR = 'simba-report'

const OWN = {
  optimize: { type: 'boolean' },
  ci: { type: 'boolean' },
  report: { type: 'boolean' },
  trials: { type: 'boolean' },
  summary: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

/** Edit distance between two short strings (insert, delete, substitute, swap neighbours). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[]
      const prev = d[i - 1] as number[]
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1)
    }
  }
  return (d[a.length] as number[])[b.length] as number
}

/**
 * Our own flag a long option looks like a misspelling of (`--optimise` → `optimize`), or undefined.
 * Only `--optimize` is long enough to guess at; `--ci` is too close to Vitest's `--ui`.
 */
function lookAlike(name: string): string | undefined {
  const norm = name.toLowerCase().replace(/[^a-z]/g, '')
  return norm !== '' && distance(norm, 'optimize') <= 2 ? 'optimize' : undefined
}

/** The bin's own long options, for suggestions. */
const OWN_LONG = ['--optimize', '--ci', '--report', '--trials', '--summary', '--help', '--version']

/**
 * The option a misspelt one most likely meant, among the bin's own and `known` (Vitest's): the
 * closest within 1 edit (names up to 4 letters) or 2 edits, also counting a misspelt start of a
 * longer name (`--reprot` → `--report`, `--coverag` → `--coverage`); undefined when none is close.
 */
export function suggestOption(option: string, known: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9.]/g, '')
  const typed = norm(option)
  if (typed === '') return undefined
  const limit = typed.length <= 4 ? 1 : 2
  let best: { name: string; score: number } | undefined
  for (const name of [...OWN_LONG, ...known]) {
    const target = norm(name)
    const whole = distance(typed, target)
    const start = typed.length >= 4 && target.length > typed.length ? distance(typed, target.slice(0, typed.length)) + 0.5 : Infinity
    // A whole-name match beats a start-of-name match of the same distance; the first listed wins ties.
    const score = Math.min(whole, start)
    if (score <= limit + 0.5 && (best === undefined || score < best.score)) best = { name, score }
  }
  return best?.name
}

/** The bin's message for an option neither it nor Vitest knows (exit code 2, as for a misspelt own flag). */
export function unknownOptionMessage(option: string, known: readonly string[]): string {
  const like = suggestOption(option, known)
  return `Unknown option \`${option}\`${like ? `. Did you mean \`${like}\`?` : '.'}\nRun \`npx vitest-simba --help\` for the bin's own options and \`npx vitest --help\` for Vitest's.`
}

/**
 * Parses the bin's arguments with `node:util` `parseArgs`: strict on our own flags (`--optimize`,
 * `--ci`, `--help`/`-h`, `--version`/`-v`, which take no value; `--report` takes an optional
 * `=dir`, default `simba-report`), every other argument is handed to Vitest unchanged and in order.
 * Nothing after `--` is ours.
 */
export function parseBinArgs(argv: readonly string[]): BinArgs {
  const { tokens } = parseArgs({ args: [...argv], options: OWN, strict: false, allowPositionals: true, tokens: true })
  const ownIndex = new Set<number>()
  let optimize = false
  let ci = false
  let help = false
  let version = false
  let report: string | undefined
  let trials: number | undefined
  let summary: string | undefined
  for (const t of tokens) {
    if (t.kind !== 'option') continue
    const raw = argv[t.index] ?? ''
    // A short flag inside a group (`-uv`) is Vitest's business, not ours.
    if (t.name in OWN && (raw === t.rawName || raw.startsWith(`${t.rawName}=`))) {
      if (t.name === 'report') {
        const dir = raw === t.rawName ? DEFAULT_REPORT_DIR : raw.slice(t.rawName.length + 1)
        if (dir === '') return { kind: 'error', message: `Option \`--report\` needs a folder after \`=\` (got \`${raw}\`); use \`--report\` for ${DEFAULT_REPORT_DIR}/.` }
        report = dir
        ownIndex.add(t.index)
        continue
      }
      if (t.name === 'trials') {
        // `--trials k` or `--trials=k`: trials per case for every block of this run.
        const separate = raw === t.rawName
        const value = separate ? argv[t.index + 1] : raw.slice(t.rawName.length + 1)
        const k = Number(value)
        if (value === undefined || value === '' || !Number.isSafeInteger(k) || k < 1 || k > 100) {
          return { kind: 'error', message: `Option \`--trials\` needs a whole number of trials per case from 1 to 100 (e.g. \`--trials 5\`), got \`${value ?? ''}\`.` }
        }
        trials = k
        ownIndex.add(t.index)
        if (separate) ownIndex.add(t.index + 1)
        continue
      }
      if (t.name === 'summary') {
        // `--summary file` or `--summary=file`: the run's Markdown summary is written there.
        const separate = raw === t.rawName
        const value = separate ? argv[t.index + 1] : raw.slice(t.rawName.length + 1)
        if (value === undefined || value === '' || (separate && value.startsWith('-'))) {
          return { kind: 'error', message: `Option \`--summary\` needs the file to write the Markdown summary to (e.g. \`--summary simba-summary.md\`), got \`${value ?? ''}\`.` }
        }
        summary = value
        ownIndex.add(t.index)
        if (separate) ownIndex.add(t.index + 1)
        continue
      }
      if (t.inlineValue) return { kind: 'error', message: `Option \`--${t.name}\` takes no value (got \`${raw}\`).` }
      ownIndex.add(t.index)
      if (t.name === 'optimize') optimize = true
      else if (t.name === 'ci') ci = true
      else if (t.name === 'help') help = true
      else version = true
      continue
    }
    if (!t.rawName.startsWith('--')) continue
    const like = lookAlike(t.name)
    if (like) return { kind: 'error', message: `Unknown option \`${t.rawName}\` for vitest-simba. Did you mean \`--${like}\`?\nRun \`npx vitest-simba --help\` for the bin's own options.` }
  }
  if (help) return { kind: 'help' }
  if (version) return { kind: 'version' }
  return { kind: 'run', optimize, ci, rest: argv.filter((_, i) => !ownIndex.has(i)), ...(report !== undefined ? { report } : {}), ...(trials !== undefined ? { trials } : {}), ...(summary !== undefined ? { summary } : {}) }
}

/** Our own flags, split off the argument list; everything else goes to Vitest unchanged. */
export function splitArgs(argv: readonly string[]): { optimize: boolean; ci: boolean; rest: string[] } {
  const r = parseBinArgs(argv)
  if (r.kind !== 'run') throw new Error(r.kind === 'error' ? r.message : `--${r.kind} is answered by the bin itself`)
  return { optimize: r.optimize, ci: r.ci, rest: r.rest }
}

/** The bin's `--help` text (Vitest's own options are listed by `npx vitest --help`). */
export function binHelp(version: string): string {
  return [
    `${version}: Vitest's CLI plus prompt optimization.`,
    '',
    'Usage:',
    '  npx vitest-simba [vitest arguments] [--optimize] [--ci] [--report[=dir]] [--summary file]',
    '',
    'Options of vitest-simba:',
    '  --optimize     run SIMBA for each describe.optimize block and show the proposed program',
    '                 (sets SIMBA_OPTIMIZE=1; runs once unless `watch` or `--watch` is given;',
    '                 add -u to accept it into the snapshot)',
    '  --ci           strict replay, no snapshot or fixture writes (sets CI=true)',
    '  --trials k     run every case k times (each trial recorded and replayed); the gate then fails',
    '                 only on drops larger than sampling noise explains (sets SIMBA_TRIALS)',
    '  --report[=dir] write an HTML report and its JSON per test file to dir (default simba-report/):',
    '                 with --optimize the score per step, program changes, cases and usage;',
    '                 without it the cases against the baseline (sets SIMBA_REPORT)',
    '  --summary file write a Markdown summary of the run to file (overwritten): per block the mean',
    '                 against the baseline and the regressed cases, for CI merge-request notes',
    '                 (sets SIMBA_SUMMARY; with GITHUB_STEP_SUMMARY set it is also appended there)',
    '  -h, --help     show this help',
    '  -v, --version  show the versions of vitest-simba and Vitest',
    '',
    'Every other argument goes to Vitest unchanged; see `npx vitest --help`.',
    '',
    'Offline simulator (an OpenAI-compatible stand-in on 127.0.0.1, not a model; the second bin):',
    '  npx vitest-simba-sim --world <world.json> [--port N] [--latency-ms N]   # see `npx vitest-simba-sim --help`',
    '  then OPENAI_BASE_URL=http://127.0.0.1:<port>/v1 npx vitest-simba --optimize',
    '',
    'Examples:',
    '  npx vitest-simba run               # replay fixtures, gate on the committed baselines',
    '  npx vitest-simba --optimize        # propose a better program (no file changes)',
    '  npx vitest-simba --optimize -u     # accept it',
    '  npx vitest-simba --optimize --report   # and see it in simba-report/<file>.report.html',
  ].join('\n')
}

/**
 * `--optimize` runs once (as `vitest run`) unless watch mode is asked for explicitly: in a terminal
 * Vitest would otherwise watch and repeat the whole SIMBA run on every file change.
 */
export function runOnceWhenOptimizing<O extends { run?: boolean; watch?: boolean }>(optimize: boolean, options: O): O {
  return optimize && options.run === undefined && options.watch === undefined ? { ...options, run: true } : options
}
