import type { World } from './schema.js'

/** A world's learning knobs with every default filled in (the defaults are the format-v1 behaviour). */
export interface Learning {
  /** What one demo teaches: its whole rule, only the keywords in its inputs, or nothing. */
  demo: 'rule' | 'keyword' | 'none'
  /** What a sentence naming a keyword and a label teaches: the whole rule, or only the keywords it names. */
  instructions: 'rule' | 'keyword'
  /** Prompt tokens (chars / 4) free of cost, and the slip added per further 1,000 tokens (0 = off). */
  budget: { tokens: number; slipPerThousand: number }
  /** Format v3: an instruction sentence tying a cue of the case to another label makes the model answer that label. */
  misleadable: boolean
  /** Format v3: shares of meta-request advice that name no cue (`vague`) and a wrong cue (`wrong`). */
  reflection: { vague: number; wrong: number }
}

/** The default knobs: exactly the behaviour of a world file without a `learning` block. */
export const DEFAULT_LEARNING: Readonly<Learning> = Object.freeze({
  demo: 'rule',
  instructions: 'rule',
  budget: Object.freeze({ tokens: 0, slipPerThousand: 0 }),
  misleadable: false,
  reflection: Object.freeze({ vague: 0.2, wrong: 0 }),
})

/** The world's knobs with defaults filled in. */
export function learningOf(world: World): Learning {
  const l = world.learning
  return {
    demo: l?.demo ?? DEFAULT_LEARNING.demo,
    instructions: l?.instructions ?? DEFAULT_LEARNING.instructions,
    budget: l?.budget ?? { ...DEFAULT_LEARNING.budget },
    misleadable: l?.misleadable ?? DEFAULT_LEARNING.misleadable,
    reflection: {
      vague: l?.reflection?.vague ?? DEFAULT_LEARNING.reflection.vague,
      wrong: l?.reflection?.wrong ?? DEFAULT_LEARNING.reflection.wrong,
    },
  }
}

/** Slip rate added to known rules by a prompt of `promptTokens` tokens (0 when the budget is off or not exceeded). */
export function budgetSlip(learning: Learning, promptTokens: number): number {
  const { tokens, slipPerThousand } = learning.budget
  if (slipPerThousand <= 0) return 0
  const over = Math.max(0, promptTokens - tokens)
  return Math.min(1, (over / 1000) * slipPerThousand)
}

/** What one meta-request's advice for a case is, drawn from `u` (a seeded number in [0, 1)): vague, wrong or right. */
export function adviceKind(learning: Learning, u: number): 'vague' | 'wrong' | 'right' {
  const { vague, wrong } = learning.reflection
  if (u < vague) return 'vague'
  return u < vague + wrong ? 'wrong' : 'right'
}
