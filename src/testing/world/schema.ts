import { z } from 'zod'

/** One hidden rule of a world: cases mentioning any keyword (case-insensitive) get `label`. */
export const worldRuleSchema = z.object({
  id: z.string().min(1),
  keywords: z.array(z.string().min(1)).min(1),
  label: z.string().min(1),
  statement: z.string().optional(),
})

const caseSchema = z.record(z.string(), z.unknown())

/** How the simulated model learns from a prompt (format v2; every field optional, defaults = v1 behaviour). */
export const learningSchema = z.strictObject({
  demo: z.enum(['rule', 'keyword', 'none']).optional(),
  instructions: z.enum(['rule', 'keyword']).optional(),
  budget: z
    .strictObject({
      tokens: z.number().int().min(0),
      slipPerThousand: z.number().min(0).max(1),
    })
    .optional(),
})

/** The world file format (docs/simulator.md), checked before the simulator uses a world. */
export const worldSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    inputs: z.array(z.string().min(1)).min(1),
    output: z.string().min(1),
    labels: z.array(z.string().min(1)).min(2),
    rules: z.array(worldRuleSchema),
    prior: z.object({
      accuracy: z.number().min(0).max(1),
      fallbackLabel: z.string().min(1).optional(),
    }),
    learning: learningSchema.optional(),
    train: z.array(caseSchema).default([]),
    test: z.array(caseSchema).default([]),
  })
  .superRefine((w, ctx) => {
    w.rules.forEach((r, i) => {
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

/** The `learning` block of a world file (all fields optional). */
export type WorldLearning = z.infer<typeof learningSchema>
/** A hidden rule of a task world. */
export type WorldRule = z.infer<typeof worldRuleSchema>
/** A task world: fields, labels, hidden rules, prior and labelled cases (see docs/simulator.md). */
export type World = z.output<typeof worldSchema>
/** A world as written in a file (train/test may be omitted). */
export type WorldInput = z.input<typeof worldSchema>
