/**
 * The tool-call hook the recorder installs into core: recorded tools are replayed from the current
 * test file's fixture file, recorded when missing (recording modes), and fail their case in strict
 * replay, naming the tool, the arguments and the command that records them.
 */
import type { ToolCallHook, ToolOutcome } from '../../core/tool/hook.js'
import { SimbaError } from '../../errors.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import { currentPhase } from '../phase.js'
import { redactValue } from '../secrets.js'
import type { FixtureFileStore } from '../store.js'
import type { FixtureMode, RedactRule } from '../types.js'
import { outcomeOf, toolKey, type ToolFixtureEntry } from './entry.js'

/** What the hook needs from the recorder. */
export interface ToolHookOptions {
  /** The current test file's store (undefined outside a test file). */
  store: () => FixtureFileStore | undefined
  /** Effective mode. */
  mode: FixtureMode
  /** Strict replay because of CI. */
  strict: boolean
  /** Redaction rules, applied to arguments and results before keying and writing. */
  redact: readonly RedactRule[]
  /** `vitest-simba@x.y.z`, written in provenance. */
  library: string
}

const clip = (text: string, max = 300): string => (text.length > max ? `${text.slice(0, max)}…` : text)

/** The SIMBA_FIXTURE_MISSING error of a tool call with no recording. */
export function toolMissError(reason: 'ci' | 'replay' | 'live' | 'no-file', tool: string, args: unknown, file: string | undefined, testFile: string | undefined): SimbaError {
  const what = `tool "${tool}" with arguments ${clip(canonicalJson(args))}`
  const target = testFile ?? '<test file>'
  const fix =
    ` Run \`OPENAI_API_KEY=… npx vitest run ${target}\` locally (not in CI) to record it (tool results are recorded with the test's LM calls), ` +
    `or \`npx vitest run ${target} -u\` to re-record the file. A tool that needs no recording can be declared with \`record: false\`.`
  const head =
    reason === 'live'
      ? `a live (optimization-phase) call of ${what} cannot run in strict replay mode.`
      : reason === 'no-file'
        ? `no fixture file is in use for the call of ${what}: tool calls are recorded and replayed per test file, so make them inside a test, a hook or describe.optimize.`
        : `no recorded result of ${what} in ${file ?? 'the fixture file'}${reason === 'ci' ? ' (CI replays recordings only)' : ''}.`
  return new SimbaError('SIMBA_FIXTURE_MISSING', `${head}${reason === 'no-file' ? '' : fix}`)
}

/** Builds the hook (see the module comment). */
export function createToolHook(options: ToolHookOptions): ToolCallHook {
  const { mode, redact, library } = options
  return async (request) => {
    const store = options.store()
    const args = redactValue(request.args, redact) as Record<string, unknown>
    if (currentPhase() === 'live') {
      if (mode === 'replay') throw toolMissError('live', request.tool, args, store?.file, store?.testFile)
      if (store) store.tools.counts.live++
      return request.live()
    }
    if (!store) throw toolMissError('no-file', request.tool, args, undefined, undefined)
    const key = toolKey(request.tool, args)
    const hit = store.tools.replay(key)
    if (hit) return outcomeOf(hit)
    if (mode === 'replay') {
      store.tools.counts.missing++
      throw toolMissError(options.strict ? 'ci' : 'replay', request.tool, args, store.file, store.testFile)
    }
    const shared = store.tools.pending.get(key)
    if (shared) {
      // A concurrent identical call: it shares the recording and counts as a replay.
      store.tools.counts.replayed++
      return shared
    }
    const pending = request.live().then((outcome): ToolOutcome => {
      const entry: ToolFixtureEntry = { tool: request.tool, args, provenance: { recordedAt: new Date().toISOString(), library } }
      if (outcome.ok) entry.result = redactValue(outcome.value, redact)
      else entry.error = redactValue(outcome.error, redact) as string
      store.addTool(key, entry)
      // The agent sees what a replay will show (redacted), so recording and replay runs match.
      return outcomeOf(entry)
    })
    store.tools.pending.set(key, pending)
    const clear = (): void => void store.tools.pending.delete(key)
    pending.then(clear, clear)
    return pending
  }
}
