export { createRng, type Rng } from './prng.js'
export { createPoissonRng, type PoissonRng } from './poisson.js'
