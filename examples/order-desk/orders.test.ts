/**
 * Every customer message is a test; the mean on the held-out devset is the regression gate.
 * `npm test` replays the agent's LM calls from fixtures/examples/order-desk/; `npm run
 * optimize:agent` runs SIMBA against the local simulator and shows what it would change.
 */
import { describe } from 'vitest-simba'
import { devset, resolutionMatches, trainset } from './data.js'
import { exampleLM, orderAgent } from './program.js'

describe.optimize('resolves order messages', {
  program: orderAgent,
  lm: exampleLM(),
  inputs: ['message'],
  trainset,
  devset,
  metric: resolutionMatches,
  threshold: 0.3,
  tolerance: 0.03,
  optimizer: { seed: 0, bsize: 16, numCandidates: 4, maxSteps: 8, maxDemos: 4 },
})
