/** Training and held-out cases of the support-tickets world (examples/worlds/support-tickets.json). */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ExampleOf, Metric } from 'vitest-simba'

/** One labelled ticket. */
export type TicketCase = { ticket: string; queue: string }

const worldFile = fileURLToPath(new URL('../worlds/support-tickets.json', import.meta.url))
const world = JSON.parse(readFileSync(worldFile, 'utf8')) as { train: TicketCase[]; test: TicketCase[] }

/** Cases SIMBA learns from. */
export const trainset: TicketCase[] = world.train
/** Held-out cases: the regression gate. */
export const devset: TicketCase[] = world.test

/** 1 when the queue matches; otherwise 0 with feedback that SIMBA's rule writer reads. */
export const queueMatches: Metric<ExampleOf<TicketCase>, { queue: string }> = (example, prediction) =>
  prediction.queue === example.queue
    ? { score: 1 }
    : { score: 0, feedback: `Routed to "${prediction.queue}" but this ticket belongs in "${example.queue}".` }
