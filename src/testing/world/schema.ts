import { z } from 'zod'

/** One hidden rule of a world: cases mentioning any keyword (case-insensitive) get `label`. */
export const worldRuleSchema = z.object({
  id: z.string().min(1),
  keywords: z.array(z.string().min(1)).min(1),
  label: z.string().min(1),
  statement: z.string().optional(),
})

const caseSchema = z.record(z.string(), z.unknown())

/** One argument of a world tool: the word `string`, or a description (every argument is a string). */
const toolArgSchema = z.union([z.literal('string'), z.strictObject({ type: z.literal('string').optional(), description: z.string() })])

/** A tool of a tool world: one string argument; `data` maps that argument's value to the tool's result. */
export const worldToolSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'tool names are identifiers (letters, digits, _ and -)'),
  description: z.string().min(1),
  args: z.record(z.string(), toolArgSchema).refine((a) => Object.keys(a).length === 1, 'a world tool takes exactly one argument'),
  data: z.record(z.string(), z.unknown()),
})

/**
 * A lookup rule of a tool world: when the cue is present (a regular expression over an input field,
 * or a field of an earlier tool result), the tool `use.tool` reveals the next fact, called with
 * `use.arg` (`$1`… = the pattern's groups, `$value` = the result field's value). `keywords` are the
 * cue words an instruction sentence names together with the tool's name to teach the rule.
 */
export const lookupRuleSchema = z.strictObject({
  id: z.string().min(1),
  keywords: z.array(z.string().min(1)).min(1),
  when: z.union([
    z.strictObject({ input: z.string().min(1), pattern: z.string().min(1) }),
    z.strictObject({ tool: z.string().min(1), field: z.string().min(1) }),
  ]),
  use: z.strictObject({ tool: z.string().min(1), arg: z.record(z.string(), z.string()) }),
  statement: z.string().optional(),
})

/**
 * A mapping rule of a tool world: a tool result whose fields include every field of `observation`
 * (optionally only results of `tool`) decides the case's label. `keywords` are the cue words an
 * instruction sentence names together with the label to teach it.
 */
export const mappingRuleSchema = z.strictObject({
  id: z.string().min(1),
  keywords: z.array(z.string().min(1)).min(1),
  tool: z.string().min(1).optional(),
  observation: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  label: z.string().min(1),
  statement: z.string().optional(),
})

const anyRuleSchema = z.union([lookupRuleSchema, mappingRuleSchema, worldRuleSchema])

const rate = z.number().min(0).max(1)

/**
 * Noise of every meta-request (format v3): the share of advice that names no cue (`vague`) and the
 * share that names a wrong cue (`wrong`); together at most 1.
 */
export const reflectionSchema = z
  .strictObject({ vague: rate.optional(), wrong: rate.optional() })
  .refine((r) => (r.vague ?? 0.2) + (r.wrong ?? 0) <= 1 + 1e-9, { message: 'vague + wrong must be at most 1 (vague defaults to 0.2)' })

/**
 * How the simulated model learns from a prompt (format v2: demo, instructions, budget; format v3:
 * misleadable, reflection). Every field is optional; the defaults are the v1 behaviour.
 */
export const learningSchema = z.strictObject({
  demo: z.enum(['rule', 'keyword', 'none']).optional(),
  instructions: z.enum(['rule', 'keyword']).optional(),
  budget: z
    .strictObject({
      tokens: z.number().int().min(0),
      slipPerThousand: z.number().min(0).max(1),
    })
    .optional(),
  misleadable: z.boolean().optional(),
  reflection: reflectionSchema.optional(),
})

/** The world file format (docs/simulator.md), checked before the simulator uses a world. */
export const worldSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    inputs: z.array(z.string().min(1)).min(1),
    output: z.string().min(1),
    labels: z.array(z.string().min(1)).min(2),
    rules: z.array(anyRuleSchema),
    tools: z.array(worldToolSchema).optional(),
    /** Lookup rules may also be listed here (a parsed world keeps them here). */
    lookups: z.array(lookupRuleSchema).optional(),
    /** Mapping rules may also be listed here (a parsed world keeps them here). */
    mappings: z.array(mappingRuleSchema).optional(),
    prior: z.object({
      accuracy: z.number().min(0).max(1),
      fallbackLabel: z.string().min(1).optional(),
    }),
    learning: learningSchema.optional(),
    train: z.array(caseSchema).default([]),
    test: z.array(caseSchema).default([]),
  })
  .superRefine((w, ctx) => {
    const toolNames = (w.tools ?? []).map((t) => t.name)
    if (w.tools === undefined && (w.lookups?.length || w.mappings?.length)) ctx.addIssue({ code: 'custom', path: ['tools'], message: 'lookup and mapping rules need the tools they name' })
    const agentRules = [...(w.lookups ?? []).map((r, i) => ({ r, path: ['lookups', i] })), ...(w.mappings ?? []).map((r, i) => ({ r, path: ['mappings', i] }))]
    for (const { r, path } of agentRules) {
      if ('use' in r && !toolNames.includes(r.use.tool)) ctx.addIssue({ code: 'custom', path: [...path, 'use', 'tool'], message: `tool "${r.use.tool}" is not one of tools` })
      if ('label' in r && !w.labels.includes(r.label)) ctx.addIssue({ code: 'custom', path: [...path, 'label'], message: `label "${r.label}" is not one of labels` })
    }
    w.rules.forEach((r, i) => {
      if ('use' in r) {
        if (!toolNames.includes(r.use.tool)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'use', 'tool'], message: `tool "${r.use.tool}" is not one of tools [${toolNames.join(', ')}]` })
        if ('input' in r.when && !w.inputs.includes(r.when.input)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'when', 'input'], message: `"${r.when.input}" is not one of inputs` })
        if ('input' in r.when) {
          try {
            new RegExp(r.when.pattern)
          } catch (error) {
            ctx.addIssue({ code: 'custom', path: ['rules', i, 'when', 'pattern'], message: `not a regular expression: ${(error as Error).message}` })
          }
        }
        if ('tool' in r.when && !toolNames.includes(r.when.tool)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'when', 'tool'], message: `tool "${r.when.tool}" is not one of tools` })
        return
      }
      if ('observation' in r && r.tool !== undefined && !toolNames.includes(r.tool)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'tool'], message: `tool "${r.tool}" is not one of tools` })
      if (!w.labels.includes(r.label)) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'label'], message: `label "${r.label}" is not one of labels [${w.labels.join(', ')}]` })
      }
    })
    if (w.prior.fallbackLabel !== undefined && !w.labels.includes(w.prior.fallbackLabel)) {
      ctx.addIssue({ code: 'custom', path: ['prior', 'fallbackLabel'], message: `"${w.prior.fallbackLabel}" is not one of labels` })
    }
    for (const split of ['train', 'test'] as const) {
      w[split].forEach((c, i) => {
        for (const key of [...w.inputs, w.output]) {
          if (typeof c[key] !== 'string') ctx.addIssue({ code: 'custom', path: [split, i, key], message: `missing string field "${key}"` })
        }
        const label = c[w.output]
        if (typeof label === 'string' && !w.labels.includes(label)) {
          ctx.addIssue({ code: 'custom', path: [split, i, w.output], message: `label "${label}" is not one of labels` })
        }
      })
    }
  })
  .transform(({ tools, rules, lookups, mappings, ...rest }) => {
    const out = { ...rest, rules: rules.filter((r): r is WorldRule => !('use' in r) && !('observation' in r)) }
    if (tools === undefined) return out as typeof out & Partial<ToolWorldParts>
    const parts: ToolWorldParts = {
      tools,
      lookups: [...(lookups ?? []), ...rules.filter((r): r is LookupRule => 'use' in r)],
      mappings: [...(mappings ?? []), ...rules.filter((r): r is MappingRule => 'observation' in r)],
    }
    return { ...out, ...parts }
  })

/** A tool of a tool world. */
export type WorldTool = z.infer<typeof worldToolSchema>
/** A lookup rule of a tool world (which tool, called with what, reveals the next fact). */
export type LookupRule = z.infer<typeof lookupRuleSchema>
/** A mapping rule of a tool world (which tool result decides which label). */
export type MappingRule = z.infer<typeof mappingRuleSchema>
/** The parts only a tool world has: its tools and its lookup and mapping rules (split out of `rules`). */
export interface ToolWorldParts {
  /** The world's tools with their data. */
  tools: WorldTool[]
  /** Lookup rules, in file order. */
  lookups: LookupRule[]
  /** Mapping rules, in file order. */
  mappings: MappingRule[]
}

/** The `learning` block of a world file (all fields optional). */
export type WorldLearning = z.infer<typeof learningSchema>
/** A hidden rule of a task world. */
export type WorldRule = z.infer<typeof worldRuleSchema>
/** A task world: fields, labels, hidden rules, prior and labelled cases (see docs/simulator.md). */
export type World = z.output<typeof worldSchema>
/** A world as written in a file (train/test may be omitted). */
export type WorldInput = z.input<typeof worldSchema>
