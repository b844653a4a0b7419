import { readFileSync } from 'node:fs'
import { SimbaError } from '../../errors.js'
import { isToolWorld, toolGold } from './tools.js'
import { worldSchema, type World, type WorldInput } from './schema.js'

/**
 * Validates a parsed world object. `source` (a file path or a label) is named in the error, together
 * with the JSON path of every problem, e.g. `rules[2].label`.
 */
export function parseWorld(data: unknown, source = 'world'): World {
  const result = worldSchema.safeParse(data)
  const issues = result.success ? toolWorldIssues(result.data) : result.error.issues
  if (result.success && issues.length === 0) return result.data
  const problems = issues
    .slice(0, 10)
    .map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`)
    .join('\n')
  throw new SimbaError(
    'SIMBA_CONFIG',
    `invalid task world in ${source}:\n${problems}\nFix the file to match the world format (name, inputs, output, labels, rules, prior, optional learning, train, test; see docs/simulator.md in the vitest-simba repository).`,
  )
}

/** Reads and validates a world JSON file; errors name the file and the bad path. */
export function loadWorld(file: string): World {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new SimbaError('SIMBA_CONFIG', `cannot read task world file ${file}: ${(error as Error).message}. Check the --world path.`, { cause: error })
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new SimbaError('SIMBA_CONFIG', `task world file ${file} is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
  return parseWorld(data, file)
}

/** Accepts world objects or file paths (mixed) and returns validated worlds in the same order. */
export function resolveWorlds(worlds: ReadonlyArray<World | WorldInput | string>): World[] {
  return worlds.map((w, i) => (typeof w === 'string' ? loadWorld(w) : parseWorld(w, `worlds[${i}]${nameOf(w)}`)))
}

/** Cases of a tool world whose label differs from the one its lookups and mapping rules give. */
function toolWorldIssues(w: World): Array<{ path: PropertyKey[]; message: string }> {
  if (!isToolWorld(w)) return []
  const out: Array<{ path: PropertyKey[]; message: string }> = []
  for (const split of ['train', 'test'] as const) {
    w[split].forEach((c, i) => {
      const gold = toolGold(w, c, c[w.output])
      if (gold !== c[w.output]) out.push({ path: [split, i, w.output], message: `label "${String(c[w.output])}" differs from "${String(gold)}", the label its tool lookups and mapping rules give` })
    })
  }
  return out
}

function nameOf(w: unknown): string {
  const name = (w as { name?: unknown } | null)?.name
  return typeof name === 'string' ? ` ("${name}")` : ''
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)'
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('')
}
