/**
 * The same router sampled at temperature 0.7, each ticket run 5 times: a ticket whose trials
 * disagree is reported as flaky, and the gate fails only on drops larger than sampling noise
 * explains. `npm test` replays all five trials of every ticket from the fixtures.
 */
import { describe } from 'vitest-simba'
import { devset, queueMatches } from './data.js'
import { TicketRouter, exampleLM } from './program.js'

describe.optimize('routes support tickets, sampled', {
  program: () => new TicketRouter(),
  lm: exampleLM().copy({ temperature: 0.7 }),
  inputs: ['ticket'],
  trainset: devset.slice(0, 8),
  metric: queueMatches,
  trials: 5,
})
