/**
 * `vitest-simba/testing`: the simulated OpenAI-compatible provider and task worlds, for examples,
 * tests and benchmarks that must run offline. A stand-in that reacts to prompts, not a model.
 *
 * @module vitest-simba/testing
 */
export { startSimulator, simulate, classify, loadWorld, parseWorld, resolveWorlds, worldSchema, governingRule, goldLabel, worldBounds, worldBoundsSync, learningOf, worldToolDefinitions, isToolWorld, runWorldTool } from './testing/index.js'
export type {
  Simulator,
  SimulatorOptions,
  SimulatorStats,
  LatencyOption,
  FaultKind,
  FaultPlan,
  FaultRule,
  FaultRequestInfo,
  RequestKind,
  Simulated,
  World,
  WorldRule,
  WorldInput,
  WorldLearning,
  WorldBounds,
  WorldBoundsOptions,
  Learning,
  ToolWorld,
  WorldToolDefinition,
  WorldTool,
  LookupRule,
  MappingRule,
  ToolWorldParts,
} from './testing/index.js'
export type { ParsedPrompt, RawMessage } from './testing/sim/prompt.js'
export type { SampleContext } from './testing/sim/seed.js'
