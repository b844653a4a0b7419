/** The simulated provider and task worlds (re-exported by the `vitest-simba/testing` entry). */
export { startSimulator, type Simulator, type SimulatorOptions, type SimulatorStats, type LatencyOption } from './sim/server.js'
export type { FaultKind, FaultPlan, FaultRule, FaultRequestInfo } from './sim/faults.js'
export { simulate, classify, type RequestKind, type Simulated } from './sim/simulate.js'
export { loadWorld, parseWorld, resolveWorlds } from './world/load.js'
export { worldSchema, type World, type WorldRule, type WorldInput, type WorldLearning } from './world/schema.js'
export { governingRule, goldLabel } from './world/oracle.js'
export { worldBounds, worldBoundsSync, type WorldBounds, type WorldBoundsOptions } from './world/bounds.js'
export { learningOf, type Learning } from './world/learning.js'
