import { parsePrompt, type RawMessage } from '../sim/prompt.js'
import { decideLabel } from '../sim/task.js'
import { fullKnowledge } from '../sim/knowledge.js'
import { parseWorld } from './load.js'
import type { World, WorldInput } from './schema.js'
import { isToolWorld, type ToolWorld } from './tools.js'
import { agentKnowledgeOf, fullAgentKnowledge, runAgentCase } from '../sim/agent.js'

/** Options of `worldBounds`. */
export interface WorldBoundsOptions {
  /** Instructions of the unoptimized program; default: what a signature without instructions sends ("Given the fields …"). */
  instructions?: string
  /** Labelled split to score; default `test` (held out). */
  split?: 'train' | 'test'
  /** The simulator's `defaultSeed` (another salt simulates another model); default 0. */
  defaultSeed?: number | string
}

/** Floor and ceiling of a world on one split, as fractions of cases answered with the gold label. */
export interface WorldBounds {
  /** Accuracy of the unoptimized program: its instructions, no demos, temperature 0. */
  floor: number
  /** Accuracy when every rule (every keyword) is known, on the same prompt, temperature 0. */
  ceiling: number
  /** Number of cases scored. */
  cases: number
}

const fieldLine = (name: string, type: string): string => `- \`${name}\` (${type})`

/** Default instructions of a signature over the world's fields, as the project's signatures generate them. */
export function defaultInstructions(world: World): string {
  const list = (names: readonly string[]): string => names.map((n) => `\`${n}\``).join(', ')
  return `Given the fields ${list(world.inputs)}, produce the fields ${list([world.output])}.`
}

/** The chat-adapter request an unoptimized Predict over the world's fields sends for one case (wire format, no demos). */
export function baselineMessages(world: World, instructions: string, inputs: Record<string, unknown>): RawMessage[] {
  const system = [
    instructions,
    '',
    '## Fields',
    'Inputs:',
    ...world.inputs.map((n) => fieldLine(n, 'string')),
    'Outputs:',
    fieldLine(world.output, `one of: ${world.labels.join(', ')}`),
    '',
    '## Format',
    'Reply with each output field under its marker line, in this order, then the completion marker:',
    `[[ ## ${world.output} ## ]]`,
    '<value>',
    '[[ ## completed ## ]]',
  ].join('\n')
  const user = world.inputs.map((n) => `[[ ## ${n} ## ]]\n${String(inputs[n] ?? '')}`).join('\n\n')
  return [{ role: 'system', content: system }, { role: 'user', content: user }]
}

/**
 * Floor and ceiling of a world, computed by the simulator's own decision rules on the test split at
 * temperature 0: floor = the unoptimized program (no demos), ceiling = every rule known.
 */
export async function worldBounds(world: World | WorldInput, options: WorldBoundsOptions = {}): Promise<WorldBounds> {
  return worldBoundsSync(world, options)
}

/** Synchronous `worldBounds`. */
export function worldBoundsSync(world: World | WorldInput, options: WorldBoundsOptions = {}): WorldBounds {
  const w = parseWorld(world, `world "${String((world as { name?: unknown }).name ?? '')}"`)
  if (isToolWorld(w)) return toolWorldBounds(w, options)
  const instructions = options.instructions ?? defaultInstructions(w)
  const ctx = { temperature: 0, rollout: '', salt: String(options.defaultSeed ?? 0) }
  const cases = w[options.split ?? 'test']
  const all = fullKnowledge(w)
  let floor = 0
  let ceiling = 0
  for (const c of cases) {
    const gold = c[w.output]
    const p = parsePrompt(baselineMessages(w, instructions, c), undefined)
    if (decideLabel(w, p, ctx).label === gold) floor++
    if (decideLabel(w, p, ctx, all, true).label === gold) ceiling++
  }
  const n = cases.length
  return { floor: n === 0 ? 0 : floor / n, ceiling: n === 0 ? 0 : ceiling / n, cases: n }
}

/**
 * Floor and ceiling of a tool world: the simulated agent's whole loop (its tools served from the
 * world's data) on each case at temperature 0; floor = what the unoptimized program's instructions
 * teach (nothing, by default), ceiling = every lookup and mapping rule known.
 */
function toolWorldBounds(w: ToolWorld, options: WorldBoundsOptions): WorldBounds {
  const ctx = { temperature: 0, rollout: '', salt: String(options.defaultSeed ?? 0) }
  const cases = w[options.split ?? 'test']
  const base = agentKnowledgeOf(w, options.instructions ?? '', [])
  const all = fullAgentKnowledge(w)
  let floor = 0
  let ceiling = 0
  for (const c of cases) {
    const inputs = Object.fromEntries(w.inputs.map((k) => [k, String(c[k] ?? '')]))
    const gold = c[w.output]
    if (runAgentCase(w, inputs, base, ctx).label === gold) floor++
    if (runAgentCase(w, inputs, all, ctx).label === gold) ceiling++
  }
  const n = cases.length
  return { floor: n === 0 ? 0 : floor / n, ceiling: n === 0 ? 0 : ceiling / n, cases: n }
}
