import { z } from 'zod'
import { isSimbaError, SimbaError } from '../../errors.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import { Module } from '../module/module.js'
import { ChainOfThought } from '../predict/chain-of-thought.js'
import { Predict } from '../predict/predict.js'
import type { FieldInfo } from '../signature/field.js'
import { Signature, type AnySignature, type InferInputs, type InferOutputs } from '../signature/signature.js'
import type { ToolCallRecord } from '../trace/calls.js'
import { beginCall } from '../trace/trace.js'
import { FINISH, invokeTool, isTool, type Tool } from '../tool/tool.js'

/** One step of an agent's trajectory. */
export interface TrajectoryStep {
  /** What the agent thought before acting. */
  thought: string
  /** The tool it chose (`finish` for the last step of a finished run). */
  tool: string
  /** The arguments it sent (an empty object when it sent no JSON object). */
  args: Record<string, unknown>
  /** What it observed, on one line: the result, `Error: …`, or `Completed.` for `finish`. */
  observation: string
}

/** Options of `ReAct`. */
export interface ReActOptions {
  /** The tools the agent may call (built with `tool(...)`); names must be unique. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tools: ReadonlyArray<Tool<any>>
  /** Most tool-choosing turns before the answer is extracted anyway (default 10). */
  maxIters?: number
}

/** What a ReAct agent returns: the signature's outputs plus its trajectory. */
export type ReActPrediction<S extends AnySignature> = InferOutputs<S> & { trajectory: TrajectoryStep[] }

/** Field names ReAct adds; a user signature may not use them. */
export const REACT_RESERVED = ['trajectory', 'next_thought', 'next_tool_name', 'next_tool_args'] as const

const text = (name: string): FieldInfo => ({ name, schema: z.string(), description: undefined })

/** Replaces each newline by a space. */
const oneLine = (s: string): string => s.replace(/\r?\n|\r/g, ' ')

/** The `react` predictor's instructions: the signature's, then the agent preamble and the tool list. */
export function reactInstructions(instructions: string, outputNames: readonly string[], tools: readonly Tool[]): string {
  const entries = tools.map((t) => `\`${t.name}\`: ${t.description}${t.description.endsWith('.') ? '' : '.'} Arguments: ${canonicalJson(t.argsSchema)}`)
  entries.push(`\`${FINISH}\`: Signal that the task is complete. Arguments: {}`)
  return [
    instructions,
    '',
    'You are an agent. In each turn you see the input fields and the trajectory so far, and you choose the next tool to call. ' +
      `When you have what you need to produce the outputs (${outputNames.map((n) => `\`${n}\``).join(', ')}), call \`${FINISH}\`.`,
    'Tools:',
    ...entries.map((e, i) => `(${i + 1}) ${e}`),
  ].join('\n')
}

/** The four trajectory lines of step `i`. */
export function trajectoryLines(i: number, step: { thought: string; tool: string; rawArgs: unknown; observation: string }): string[] {
  return [
    `thought_${i}: ${oneLine(step.thought)}`,
    `tool_name_${i}: ${oneLine(step.tool)}`,
    `tool_args_${i}: ${canonicalJson(step.rawArgs ?? {})}`,
    `observation_${i}: ${step.observation}`,
  ]
}

/**
 * A tool-using agent with DSPy's ReAct semantics: predictor `react` picks a thought, a tool and its
 * arguments in a loop (seeing the inputs and the trajectory so far) until it calls `finish` or
 * `maxIters` is reached; then `extract` (chain of thought over the inputs and the trajectory)
 * produces the outputs. Tool errors, invalid arguments and unknown tool names become observations.
 * @example const agent = new ReAct(signature('question -> answer'), { tools: [search], maxIters: 6 })
 */
export class ReAct<S extends AnySignature = AnySignature> extends Module<InferInputs<S>, ReActPrediction<S>> {
  /** The user's signature. */
  readonly signature: S
  /** The tools, in the order given. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly tools: ReadonlyArray<Tool<any>>
  /** Most tool-choosing turns. */
  readonly maxIters: number
  /** Chooses the next thought, tool and arguments. */
  readonly react: Predict
  /** Produces the signature's outputs from the inputs and the trajectory. */
  readonly extract: ChainOfThought

  /** Builds the agent; throws SIMBA_CONFIG for invalid tools, clashing names or a bad `maxIters`. */
  constructor(sig: S, options: ReActOptions) {
    super()
    if (!(sig instanceof Signature)) throw new SimbaError('SIMBA_CONFIG', 'ReAct(signature, { tools }) needs a signature built with signature(...) as its first argument')
    const tools = options?.tools
    if (!Array.isArray(tools)) throw new SimbaError('SIMBA_CONFIG', 'ReAct(signature, { tools }) needs tools: an array of tool(...) objects (it may be empty)')
    const seen = new Set<string>()
    tools.forEach((t: unknown, i) => {
      if (!isTool(t)) throw new SimbaError('SIMBA_CONFIG', `ReAct: tools[${i}] is not a tool; build tools with tool({ name, description, args, run })`)
      if (seen.has(t.name)) throw new SimbaError('SIMBA_CONFIG', `ReAct: two tools are named "${t.name}"; tool names must be unique`)
      seen.add(t.name)
    })
    const maxIters = options.maxIters ?? 10
    if (!Number.isInteger(maxIters) || maxIters < 1) throw new SimbaError('SIMBA_CONFIG', `ReAct: maxIters must be a whole number >= 1, got ${String(maxIters)}`)
    const clash = [...sig.inputFields, ...sig.outputFields].find((f) => (REACT_RESERVED as readonly string[]).includes(f.name))
    if (clash) throw new SimbaError('SIMBA_CONFIG', `ReAct: the signature's field "${clash.name}" clashes with a field ReAct adds (${REACT_RESERVED.join(', ')}); rename it`)
    this.signature = sig
    this.tools = [...tools]
    this.maxIters = maxIters
    const names = [...this.tools.map((t) => t.name), FINISH] as unknown as [string, ...string[]]
    const outputs: FieldInfo[] = [
      text('next_thought'),
      { name: 'next_tool_name', schema: z.enum(names).catch((ctx) => ctx.input as string), description: undefined },
      { name: 'next_tool_args', schema: z.record(z.string(), z.unknown()).catch((ctx) => ctx.input as Record<string, unknown>), description: undefined },
    ]
    const inputs = [...sig.inputFields, text('trajectory')]
    const instructions = reactInstructions(
      sig.instructions,
      sig.outputFields.map((f) => f.name),
      this.tools,
    )
    this.react = new Predict(new Signature(inputs, outputs, instructions))
    this.extract = new ChainOfThought(new Signature(inputs, sig.outputFields, sig.instructions))
  }

  /** Runs the loop and the extraction; returns the outputs plus `trajectory`. */
  async forward(inputs: InferInputs<S>): Promise<ReActPrediction<S>> {
    const given = (inputs ?? {}) as Record<string, unknown>
    const base: Record<string, unknown> = {}
    for (const f of this.signature.inputFields) if (given[f.name] !== undefined) base[f.name] = given[f.name]
    const byName = new Map(this.tools.map((t) => [t.name, t as Tool]))
    const names = [...byName.keys(), FINISH]
    const trajectory: TrajectoryStep[] = []
    const lines: string[] = []
    for (let i = 0; i < this.maxIters; i++) {
      let pred: Record<string, unknown>
      try {
        pred = (await this.react.forward({ ...base, trajectory: lines.join('\n') })) as Record<string, unknown>
      } catch (error) {
        // As in DSPy: a reply that cannot be read ends the loop; the answer is extracted from what there is.
        if (isSimbaError(error, 'SIMBA_ADAPTER_PARSE')) break
        throw error
      }
      const thought = typeof pred.next_thought === 'string' ? pred.next_thought : ''
      const rawName = pred.next_tool_name
      const name = resolveToolName(rawName, names)
      const rawArgs = pred.next_tool_args
      let observation: string
      if (name === FINISH) observation = 'Completed.'
      else {
        const t = name === undefined ? undefined : byName.get(name)
        if (t) observation = await invokeTool(t, rawArgs === undefined ? {} : rawArgs)
        else {
          observation = `Error: unknown tool ${JSON.stringify(typeof rawName === 'string' ? rawName : formatRaw(rawName))}; available: ${names.join(', ')}`
          beginCall<ToolCallRecord>({ kind: 'tool', tool: typeof rawName === 'string' ? rawName : formatRaw(rawName), args: rawArgs ?? {}, error: observation.replace(/^Error: /, ''), origin: 'not-run' })
        }
      }
      observation = oneLine(observation)
      const toolName = name ?? (typeof rawName === 'string' ? rawName : formatRaw(rawName))
      const args = typeof rawArgs === 'object' && rawArgs !== null && !Array.isArray(rawArgs) ? (rawArgs as Record<string, unknown>) : {}
      trajectory.push({ thought, tool: toolName, args, observation })
      lines.push(...trajectoryLines(i, { thought, tool: toolName, rawArgs, observation }))
      if (name === FINISH) break
    }
    const extracted = (await this.extract.forward({ ...base, trajectory: lines.join('\n') })) as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const f of this.signature.outputFields) if (Object.hasOwn(extracted, f.name)) out[f.name] = extracted[f.name]
    out.trajectory = trajectory
    return out as ReActPrediction<S>
  }
}

const formatRaw = (value: unknown): string => (value === undefined ? '' : typeof value === 'string' ? value : canonicalJson(value))

/**
 * The tool a reply names: an exact name, else the one name equal to it ignoring case, quotes,
 * backticks, markdown emphasis and a final period; undefined when none matches.
 */
export function resolveToolName(raw: unknown, names: readonly string[]): string | undefined {
  if (typeof raw !== 'string') return undefined
  if (names.includes(raw)) return raw
  const bare = raw.replace(/^[\s"'`*_]+|[\s"'`*_.]+$/g, '').toLowerCase()
  const hits = names.filter((n) => n.toLowerCase() === bare)
  return hits.length === 1 ? hits[0] : undefined
}
