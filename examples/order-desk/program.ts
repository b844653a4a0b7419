/**
 * The bundled agent example: resolve a customer message about an order. The deciding fact is in
 * the order system, not in the message: the agent must look the order up and, for a shipped order,
 * follow its tracking number to the parcel. Two tools, one `ReAct` agent; SIMBA optimizes the
 * agent's `react` (which tool next) and `extract` (the answer) predictors.
 */
import { z } from 'zod'
import { LM, ReAct, signature, tool } from 'vitest-simba'
import { orderSystem } from './data.js'

/** Resolutions the desk can choose. */
export const RESOLUTIONS = ['refund', 'reship', 'track', 'escalate'] as const

/** Status of an order (and its tracking number once shipped). */
export const lookupOrder = tool({
  name: 'lookup_order',
  description: 'Status of an order and its tracking number once shipped, by order number.',
  args: z.object({ orderId: z.string().describe('The order number, e.g. A-1042') }),
  run: async ({ orderId }) => {
    const order = orderSystem.orders[orderId]
    if (order === undefined) throw new Error(`lookup_order: no record for orderId "${orderId}"`)
    return order
  },
})

/** What happened to a parcel. */
export const trackParcel = tool({
  name: 'track_parcel',
  description: 'What happened to a parcel, by tracking number.',
  args: z.object({ trackingId: z.string().describe('The tracking number, e.g. TRK-12345') }),
  run: async ({ trackingId }) => {
    const parcel = orderSystem.parcels[trackingId]
    if (parcel === undefined) throw new Error(`track_parcel: no record for trackingId "${trackingId}"`)
    return parcel
  },
})

/** What the agent decides. */
export const resolveMessage = signature({
  instructions: 'Decide how to resolve the customer message.',
  inputs: { message: z.string().describe('The customer message, verbatim') },
  outputs: { resolution: z.enum(RESOLUTIONS).describe('How the desk resolves it') },
})

/** The agent: looks things up with the tools, then answers. */
export const orderAgent = () => new ReAct(resolveMessage, { tools: [lookupOrder, trackParcel], maxIters: 6 })

/**
 * The example's LM. With no `OPENAI_BASE_URL` it targets api.openai.com, which the plugin replays
 * from the committed fixtures; `npm run optimize:agent` points it at the local simulator.
 */
export function exampleLM(): LM {
  return new LM({
    model: process.env.SIMBA_EXAMPLE_MODEL ?? 'gpt-4o-mini',
    sendRolloutHeader: true,
    concurrency: 32,
  })
}
