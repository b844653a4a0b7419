/**
 * The seam through which tool calls can be recorded and replayed without core importing the
 * recorder: the recording layer installs a hook, `callTool` routes recorded tools through it.
 * Stored on `globalThis` under a registry symbol so two copies of the package share it.
 */

/** What one tool call produced: a JSON value, or the message of the error it threw. */
export type ToolOutcome = { ok: true; value: unknown } | { ok: false; error: string }

/** A tool call offered to the hook: the tool's name, its validated arguments and how to run it live. */
export interface ToolCallRequest {
  /** The tool's name. */
  tool: string
  /** The arguments after zod validation (defaults applied). */
  args: Record<string, unknown>
  /** Runs the tool for real; never throws (an exception becomes `{ ok: false }`). */
  live: () => Promise<ToolOutcome>
}

/**
 * Decides how a recorded tool call is answered (live, from a recording, or by failing the case).
 * Whatever it throws propagates out of the program run: it is not turned into an observation.
 */
export type ToolCallHook = (request: ToolCallRequest) => Promise<ToolOutcome>

const KEY = Symbol.for('vitest-simba.toolCallHook')
type Holder = { [KEY]?: ToolCallHook }

/** Installs (or with `undefined` removes) the hook; returns the previous one. */
export function setToolCallHook(hook: ToolCallHook | undefined): ToolCallHook | undefined {
  const holder = globalThis as Holder
  const previous = holder[KEY]
  if (hook) holder[KEY] = hook
  else delete holder[KEY]
  return previous
}

/** The installed hook, if any. */
export function currentToolCallHook(): ToolCallHook | undefined {
  return (globalThis as Holder)[KEY]
}
