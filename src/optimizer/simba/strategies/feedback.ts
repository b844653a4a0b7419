/**
 * The rule writer's signature (field names as DSPy's `OfferFeedback`; the
 * instructions and descriptions are our own words).
 */
import { z } from 'zod'
import { field } from '../../../core/signature/field.js'
import { signature } from '../../../core/signature/signature.js'

const INSTRUCTIONS = [
  'You review two runs of the same multi-module LM program on the same input: one that earned a lower reward and one that earned a higher reward.',
  'Write advice that each module can keep for future inputs of a similar kind, so that the program earns higher rewards.',
  'The modules will not see this episode again, so every piece of advice must make sense on its own; be specific enough to act on, general enough to transfer.',
  'Do not give generic advice. Each module gets advice about its own sub-task, not the whole program.',
  'Base the advice on what the higher-reward run did differently from the lower-reward run.',
  'Return module_advice with every listed module name exactly once.',
].join(' ')

const text = (d: string) => field(z.string(), d)

/** Inputs and outputs of one rule-writing call. */
export const feedbackSignature = signature({
  instructions: INSTRUCTIONS,
  inputs: {
    program_code: text('Source or outline of the program being improved.'),
    modules_defn: text('Each module: its input and output fields and current instructions.'),
    program_inputs: text('The inputs the program received (JSON).'),
    oracle_metadata: text('Hidden information about this case, such as the expected answer (JSON).'),
    worse_program_trajectory: text('Lower-reward run: each module call with its inputs and outputs (JSON).'),
    worse_program_outputs: text('Final outputs of the lower-reward run (JSON).'),
    worse_reward_value: text('Reward of the lower-reward run.'),
    worse_reward_info: text('Extra information from the metric about that reward (JSON).'),
    better_program_trajectory: text('Higher-reward run: each module call with its inputs and outputs (JSON).'),
    better_program_outputs: text('Final outputs of the higher-reward run (JSON).'),
    better_reward_value: text('Reward of the higher-reward run, or N/A.'),
    better_reward_info: text('Extra information from the metric about that reward (JSON).'),
    module_names: text('Names of the modules that need advice (JSON list).'),
  },
  outputs: {
    discussion: text('Where, if anywhere, each module went wrong in the lower-reward run, compared with the higher-reward run.'),
    module_advice: field(
      z.record(z.string(), z.string()),
      'For each module name: a concrete tip of the form "when you see inputs like X, do (or avoid) Y", so the module behaves like the higher-reward run.',
    ),
  },
})
