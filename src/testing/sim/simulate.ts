import type { World } from '../world/schema.js'
import { parsePrompt, type FieldDecl, type ParsedPrompt, type RawMessage } from './prompt.js'
import { answerConsolidation, answerRuleWriting } from './rule-writing.js'
import type { SampleContext } from './seed.js'
import { answerTask, decideLabel } from './task.js'
import { normalizeName, readForeign, renderForeign, type ForeignPrompt } from './layouts.js'
import { isToolWorld } from '../world/tools.js'
import { answerExtract, answerReact } from './agent.js'
import { hasKeyword, keyPhrases, valueForType } from './values.js'
import { answerMeta, readMeta, renderMeta } from './meta.js'

/** How the simulator understood a request. */
export type RequestKind = 'task' | 'react' | 'extract' | 'rule-writing' | 'consolidation' | 'meta' | 'other-module' | 'generic'

/** The simulated reply to one chat request. */
export interface Simulated {
  /** Assistant message text (chat markers or a JSON object). */
  content: string
  /** How the request was classified. */
  kind: RequestKind
  /** Name of the world that answered, if any. */
  world: string | undefined
}

/** Classifies a parsed request and picks the world by field names (first match wins). */
export function classify(worlds: readonly World[], p: ParsedPrompt): { kind: RequestKind; world?: World } {
  const outs = p.outputFields.map((f) => f.name)
  const ins = p.inputFields.map((f) => f.name)
  if (outs.includes('module_advice')) return { kind: 'rule-writing' }
  if (outs.includes('consolidated_advice')) return { kind: 'consolidation' }
  const hasInput = (w: World): boolean => w.inputs.some((k) => ins.includes(k))
  if (outs.includes('next_tool_name')) {
    const agent = worlds.find((w) => isToolWorld(w) && hasInput(w))
    if (agent) return { kind: 'react', world: agent }
  } else if (ins.includes('trajectory')) {
    const agent = worlds.find((w) => isToolWorld(w) && outs.includes(w.output) && hasInput(w))
    if (agent) return { kind: 'extract', world: agent }
  }
  const task = worlds.find((w) => outs.includes(w.output) && hasInput(w))
  if (task) return { kind: 'task', world: task }
  const other = worlds.find(hasInput)
  if (other) return { kind: 'other-module', world: other }
  const byOutput = worlds.find((w) => outs.includes(w.output))
  if (byOutput) return { kind: 'task', world: byOutput }
  return { kind: 'generic' }
}

const MARKER_LINE = /^\\*\[\[ ## .+? ## \]\]\s*$/

/** Renders output values in the chat marker format, escaping value lines that look like markers. */
export function renderMarkers(fields: readonly string[], values: Record<string, unknown>): string {
  const blocks = fields.map((name) => {
    const v = values[name]
    const text = typeof v === 'string' ? v : JSON.stringify(v ?? '')
    const escaped = text.split('\n').map((l) => (MARKER_LINE.test(l) ? `\\${l}` : l)).join('\n')
    return `[[ ## ${name} ## ]]\n${escaped}\n\n`
  })
  return `${blocks.join('')}[[ ## completed ## ]]`
}

function plainAnswer(fields: readonly FieldDecl[], phrases: string[], salt: string, hit: boolean): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, valueForType(f, phrases, salt, hit)]))
}

const NOTHING_KNOWN = { rules: new Set<string>(), keywords: new Map<string, Set<string>>() }

/** Answers a request in another client's layout by the same knowledge rules; unreadable inputs get the prior. */
function answerForeign(f: ForeignPrompt, ctx: SampleContext): Simulated {
  const { world, prompt } = f
  const d = decideLabel(world, prompt, ctx, f.readable ? undefined : NOTHING_KNOWN)
  const subject = world.inputs[0] ?? 'input'
  const values: Record<string, unknown> = {}
  for (const name of f.outputNames) {
    const k = normalizeName(name)
    if (k === normalizeName(world.output)) values[k] = d.label
    else if (k === 'reasoning' || k === 'rationale' || k === 'explanation') {
      values[k] = d.misledBy !== undefined
        ? `The ${subject} mentions "${d.misledBy}", so the ${world.output} is ${d.label}.`
        : d.known && d.keyword
        ? `The ${subject} mentions "${d.keyword}", so the ${world.output} is ${d.label}.`
        : `Judging from the overall content of the ${subject}, ${d.label} seems the most likely ${world.output}.`
    } else values[k] = valueForType({ name, type: 'string', description: '' }, keyPhrases(world, prompt.inputs), `${ctx.salt}|${name}`)
  }
  return { content: renderForeign(f, values), kind: 'task', world: world.name }
}

/** The simulated answer to a chat request: a pure function of the messages, format and context. */
export function simulate(worlds: readonly World[], messages: readonly RawMessage[], responseFormat: unknown, ctx: SampleContext): Simulated {
  const p = parsePrompt(messages, responseFormat)
  const outs = p.outputFields.map((f) => f.name)
  if (!outs.includes('module_advice') && !outs.includes('consolidated_advice')) {
    // Another optimizer's meta-request, recognised by content (docs/simulator.md, "Meta-requests from any optimizer").
    const meta = readMeta(worlds, messages, responseFormat, outs)
    if (meta) return { content: renderMeta(meta, answerMeta(meta, ctx)), kind: 'meta', world: meta.world.name }
  }
  if (p.outputFields.length === 0) {
    // No declared field list: another client's layout (docs/simulator.md, "Any client's prompt layout").
    const foreign = readForeign(worlds, messages, responseFormat)
    if (foreign) return answerForeign(foreign, ctx)
  }
  const { kind, world } = classify(worlds, p)
  let values: Record<string, unknown>
  if (kind === 'rule-writing') values = answerRuleWriting(worlds, p, ctx)
  else if (kind === 'consolidation') values = answerConsolidation(worlds, p, ctx)
  else if (kind === 'task' && world) values = answerTask(world, p, ctx)
  else if (kind === 'react' && world && isToolWorld(world)) values = answerReact(world, p, ctx)
  else if (kind === 'extract' && world && isToolWorld(world)) values = answerExtract(world, p, ctx)
  else if (kind === 'other-module' && world) values = plainAnswer(p.outputFields, keyPhrases(world, p.inputs), ctx.salt, hasKeyword(world, p.inputs))
  else values = plainAnswer(p.outputFields, [], ctx.salt, false)
  const fields = p.outputFields.length > 0 ? p.outputFields.map((f) => f.name) : Object.keys(values)
  if (fields.length === 0) {
    return { content: p.wantsJson ? '{}' : 'I have no output fields to fill in for this request.', kind, world: world?.name }
  }
  const content = p.wantsJson ? JSON.stringify(Object.fromEntries(fields.map((f) => [f, values[f] ?? '']))) : renderMarkers(fields, values)
  return { content, kind, world: world?.name }
}
