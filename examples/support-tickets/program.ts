/**
 * The bundled example: route customer-support tickets to the queue that handles them, in two
 * stages — extract the facts that matter, then route. Both stages are plain predictors, so SIMBA
 * can give each its own instructions and demos.
 */
import { z } from 'zod'
import { LM, Module, Predict, signature } from 'vitest-simba'

/** Queues a ticket can be routed to. */
export const QUEUES = ['billing', 'technical', 'account', 'shipping', 'security', 'other'] as const

/** Stage 1: pull out the phrases of the ticket that decide where it goes. */
export const extractFacts = signature({
  instructions: 'Read the support ticket and list the facts that matter for deciding who should handle it.',
  inputs: { ticket: z.string().describe('The customer message, verbatim') },
  outputs: { facts: z.string().describe('Key facts and phrases from the ticket, one short phrase each') },
})

/** Stage 2: choose the queue from the ticket and its extracted facts. */
export const routeTicket = signature({
  instructions: 'Choose the support queue that should handle this ticket.',
  inputs: {
    ticket: z.string().describe('The customer message, verbatim'),
    facts: z.string().describe('Key facts extracted from the ticket'),
  },
  outputs: { queue: z.enum(QUEUES).describe('The queue that handles this ticket') },
})

/** Inputs of the program: the ticket text. */
export interface TicketInputs {
  ticket: string
}

/** Two-stage ticket router. */
export class TicketRouter extends Module<TicketInputs, { queue: (typeof QUEUES)[number] }> {
  extract = new Predict(extractFacts)
  route = new Predict(routeTicket)

  async forward({ ticket }: TicketInputs) {
    const { facts } = await this.extract.forward({ ticket })
    return this.route.forward({ ticket, facts })
  }
}

/**
 * The example's LM. With no `OPENAI_BASE_URL` it targets api.openai.com, which the plugin replays
 * from the committed fixtures; `npm run optimize` points it at the local simulator.
 * `sendRolloutHeader` lets the simulator vary SIMBA's temperature-1.0 rollouts; real providers
 * ignore the header.
 */
export function exampleLM(): LM {
  return new LM({
    model: process.env.SIMBA_EXAMPLE_MODEL ?? 'gpt-4o-mini',
    sendRolloutHeader: true,
    concurrency: 32,
  })
}
