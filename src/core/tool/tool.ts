import { z } from 'zod'
import { SimbaError } from '../../errors.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import type { ToolCallRecord } from '../trace/calls.js'
import { beginCall } from '../trace/trace.js'
import { currentToolCallHook, type ToolOutcome } from './hook.js'

/** Tool names: letters, digits, `_` and `-`, starting with a letter or `_`, at most 64 characters. */
export const TOOL_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/

/** The name an agent uses to say it is done; no tool may take it. */
export const FINISH = 'finish'

/** What `tool(...)` takes. */
export interface ToolSpec<A extends z.ZodObject = z.ZodObject> {
  /** Name the agent calls the tool by (letters, digits, `_`, `-`; not `finish`). */
  name: string
  /** What the tool does; shown to the LM, so it is part of the prompt. */
  description: string
  /** zod object schema of the arguments; `.describe()` on a field documents it for the LM. */
  args: A
  /** The tool itself: any (async) code; its result is what the agent observes. */
  run: (args: z.output<A>) => unknown
  /** Record and replay its results in test fixtures (default true); `false` always runs it live. */
  record?: boolean
}

/**
 * A typed tool an agent can call. Build it with `tool(...)`. Its name, description and argument
 * schema are part of the agent's prompt.
 */
export class Tool<A extends z.ZodObject = z.ZodObject> {
  /** Name the agent calls it by. */
  readonly name: string
  /** One-line description shown to the LM (newlines collapsed). */
  readonly description: string
  /** zod schema of the arguments. */
  readonly args: A
  /** The implementation. */
  readonly run: (args: z.output<A>) => unknown
  /** Whether results are recorded in (and replayed from) test fixtures. */
  readonly record: boolean
  /** JSON schema `properties` of the arguments, as shown to the LM. */
  readonly argsSchema: Record<string, unknown>

  /** Prefer `tool(...)`; this validates the definition. */
  constructor(spec: ToolSpec<A>) {
    if (typeof spec !== 'object' || spec === null) throw new SimbaError('SIMBA_CONFIG', 'tool(...) needs { name, description, args: z.object({...}), run }')
    const name: unknown = spec.name
    if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
      throw new SimbaError('SIMBA_CONFIG', `tool name ${JSON.stringify(name)} is not valid: use letters, digits, "_" and "-", starting with a letter or "_", at most 64 characters`)
    }
    if (name === FINISH) throw new SimbaError('SIMBA_CONFIG', `tool name "finish" is reserved: the agent calls "finish" when it is done; rename the tool`)
    if (typeof spec.description !== 'string' || spec.description.trim() === '') {
      throw new SimbaError('SIMBA_CONFIG', `tool "${name}" needs a description (a non-empty string): the LM chooses tools by it`)
    }
    if (!(spec.args instanceof z.ZodObject)) throw new SimbaError('SIMBA_CONFIG', `tool "${name}": args must be a zod object schema, e.g. z.object({ orderId: z.string() })`)
    if (typeof spec.run !== 'function') throw new SimbaError('SIMBA_CONFIG', `tool "${name}": run must be a function taking the validated arguments`)
    if (spec.record !== undefined && typeof spec.record !== 'boolean') throw new SimbaError('SIMBA_CONFIG', `tool "${name}": record must be true or false`)
    this.name = name
    this.description = spec.description.replace(/\s*\n\s*/g, ' ').trim()
    this.args = spec.args
    this.run = spec.run
    this.record = spec.record ?? true
    this.argsSchema = argsSchemaOf(name, spec.args)
  }
}

/**
 * A typed tool for `ReAct`: arguments are validated with zod before `run`; invalid arguments and
 * errors thrown by `run` become the observation `Error: …` the agent sees, never a crash.
 * @example tool({ name: 'lookup_order', description: 'Status of an order.', args: z.object({ orderId: z.string() }), run: ({ orderId }) => db.status(orderId) })
 */
export function tool<A extends z.ZodObject>(spec: ToolSpec<A>): Tool<A> {
  return new Tool(spec)
}

function argsSchemaOf(name: string, args: z.ZodObject): Record<string, unknown> {
  try {
    const json = z.toJSONSchema(args, { unrepresentable: 'any' }) as { properties?: Record<string, unknown> }
    return json.properties ?? {}
  } catch (error) {
    throw new SimbaError('SIMBA_CONFIG', `tool "${name}": its args schema cannot be shown to the LM as JSON schema (${(error as Error).message})`)
  }
}

/** Message of anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message
  return String(error)
}

/** A value as plain JSON data (strings stay strings; `undefined` becomes null); throws for BigInt and the like. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'string') return value
  return JSON.parse(canonicalJson(value)) as unknown
}

/** The observation text of a result: strings verbatim, anything else canonical JSON. */
export function formatResult(value: unknown): string {
  return typeof value === 'string' ? value : canonicalJson(value)
}

/** Formats zod issues as `path: message; …`. */
export function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ')
}

/** Runs a tool's implementation on validated args; an exception (or a non-JSON result) becomes an error outcome. */
async function runLive(t: Tool, args: Record<string, unknown>): Promise<ToolOutcome> {
  let value: unknown
  try {
    value = await t.run(args)
  } catch (error) {
    return { ok: false, error: errorMessage(error) }
  }
  try {
    return { ok: true, value: toJsonValue(value) }
  } catch (error) {
    return { ok: false, error: `tool "${t.name}" returned a value that is not JSON (${errorMessage(error)})` }
  }
}

/**
 * Calls a tool the way an agent does and returns the observation text: arguments validated with
 * zod; recorded tools go through the installed recording hook (whose errors propagate); invalid
 * arguments and errors from `run` become `Error: …`.
 */
export async function invokeTool(t: Tool, rawArgs: unknown): Promise<string> {
  const record = beginCall<ToolCallRecord>({ kind: 'tool', tool: t.name, args: rawArgs, origin: 'not-run' })
  const refused = (text: string): string => {
    if (record) record.error = text.replace(/^Error: /, '')
    return text
  }
  if (typeof rawArgs !== 'object' || rawArgs === null || Array.isArray(rawArgs)) {
    return refused(`Error: invalid arguments for ${t.name}: expected a JSON object of arguments, got ${formatResult(rawArgs ?? null)}`)
  }
  let args: Record<string, unknown>
  try {
    const r = t.args.safeParse(rawArgs)
    if (!r.success) return refused(`Error: invalid arguments for ${t.name}: ${zodMessage(r.error)}`)
    args = r.data as Record<string, unknown>
  } catch (error) {
    return refused(`Error: invalid arguments for ${t.name}: ${errorMessage(error)}`)
  }
  if (record) record.args = args
  // Replayed unless the tool actually ran for this call (a recording, or a concurrent identical call's result).
  let ranLive = false
  const live = (): Promise<ToolOutcome> => {
    ranLive = true
    return runLive(t, args)
  }
  const hook = t.record ? currentToolCallHook() : undefined
  let outcome: ToolOutcome
  try {
    outcome = hook ? await hook({ tool: t.name, args, live }) : await live()
  } catch (error) {
    if (record) record.error = errorMessage(error)
    throw error
  }
  if (record) {
    record.origin = ranLive ? 'live' : 'replayed'
    if (outcome.ok) record.result = formatResult(outcome.value)
    else record.error = outcome.error
  }
  return outcome.ok ? formatResult(outcome.value) : `Error: ${outcome.error}`
}

const TOOL_BRAND: unique symbol = Symbol.for('vitest-simba.tool')
Object.defineProperty(Tool.prototype, TOOL_BRAND, { value: true })

/** True when `value` is a Tool (from any copy of this package). */
export function isTool(value: unknown): value is Tool {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TOOL_BRAND] === true
}
