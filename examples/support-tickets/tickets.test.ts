/**
 * Every ticket is a test; the mean on the held-out devset is the regression gate.
 * `npm test` replays the LM calls from fixtures/examples/support-tickets/; `npm run optimize`
 * runs SIMBA against the local simulator and shows what it would change.
 */
import { describe } from 'vitest-simba'
import { devset, queueMatches, trainset } from './data.js'
import { TicketRouter, exampleLM } from './program.js'

describe.optimize('routes support tickets', {
  program: () => new TicketRouter(),
  lm: exampleLM(),
  inputs: ['ticket'],
  trainset,
  devset,
  metric: queueMatches,
  threshold: 0.5,
  tolerance: 0.03,
  optimizer: { seed: 0, bsize: 32, numCandidates: 6, maxSteps: 16, maxDemos: 4 },
})
