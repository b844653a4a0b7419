/**
 * `vitest-simba`: the programming model (signatures, predictors, modules, tools and ReAct agents, LM, adapters, evaluate),
 * the SIMBA optimizer, and `describe` with `describe.optimize`. Re-exports only.
 *
 * @module vitest-simba
 */

// Signatures
export { signature, Signature } from './core/signature/signature.js'
export type { AnySignature, InferInputs, InferOutputs, Prediction, SignatureSpec } from './core/signature/signature.js'
export { field } from './core/signature/field.js'
export type { FieldSpec, FieldInfo, FieldInput } from './core/signature/field.js'

// Predictors and modules
export { Predict } from './core/predict/predict.js'
export type { PredictOptions } from './core/predict/predict.js'
export { ChainOfThought } from './core/predict/chain-of-thought.js'
export { Module } from './core/module/module.js'
export type { ProgramState } from './core/module/state.js'
export { withSettings, currentSettings } from './core/module/settings.js'
export type { Settings } from './core/module/settings.js'
export { promptFingerprint, renderPrompt } from './core/module/fingerprint.js'

// Agents: tools and ReAct
export { tool, Tool } from './core/tool/tool.js'
export type { ToolSpec } from './core/tool/tool.js'
export { ReAct } from './core/react/react.js'
export type { ReActOptions, ReActPrediction, TrajectoryStep } from './core/react/react.js'

// Adapters
export { ChatAdapter, chatAdapter } from './core/adapter/chat.js'
export { JSONAdapter, jsonAdapter } from './core/adapter/json.js'
export type { Adapter, Demo, FormatArgs } from './core/adapter/types.js'

// LM
export { LM } from './core/lm/lm.js'
export type { LMOptions, ModelPrice, PriceTable, RetryInfo } from './core/lm/options.js'
export type { ChatMessage, LanguageModel, LMRequest, LMResult, TokenUsage, UsageTotals } from './core/lm/types.js'

// Traces, examples, metrics, evaluation
export { runWithTrace, currentTrace } from './core/trace/trace.js'
export type { TraceStep, TracedRun } from './core/trace/trace.js'
export type { CallOrigin, CallRecord, LMCallRecord, ToolCallRecord } from './core/trace/calls.js'
export { Example, toExamples, caseName, RESERVED_EXAMPLE_KEYS } from './core/example/example.js'
export type { ExampleOf, ReservedExampleKey } from './core/example/example.js'
export { evaluate } from './core/evaluate/evaluate.js'
export type { CaseResult, EvaluateOptions, EvaluateResult, Program, TrialResult } from './core/evaluate/evaluate.js'
export { summarizeTrials, noiseInterval, caseDropTest, meanDropTest } from './core/evaluate/stats.js'
export type { TrialSummary, PairedTrials } from './core/evaluate/stats.js'
export { scoreCase } from './core/evaluate/metric.js'
export type { CaseScore, Metric, MetricResult } from './core/evaluate/metric.js'

// Optimizer
export { simba, forecastSimba } from './optimizer/simba/index.js'
export type {
  CandidateCounts,
  CandidateLog,
  FinalistLog,
  NoProgressReason,
  ReflectiveStartLog,
  SimbaFailure,
  SimbaSummary,
  SimbaWarning,
  ForecastInput,
  SimbaBudget,
  SimbaEvent,
  SimbaForecast,
  SimbaOptions,
  SimbaResult,
  StepLog,
  StoppedReason,
  TrialLogs,
} from './optimizer/simba/index.js'

// Errors
export { SimbaError, AdapterParseError, LMError, isSimbaError } from './errors.js'
export type { SimbaErrorCode, ParseIssue } from './errors.js'

// LM fixtures (msw record/replay), for use outside the Vitest plugin
export { createFixtureRecorder, resolveFixtureMode, defaultFixturePath } from './recording/index.js'
export type {
  FileStats,
  FixtureEntry,
  FixtureFileData,
  FixtureMiss,
  FixtureMode,
  FixturePhase,
  FixtureRecorder,
  FixtureRecorderOptions,
  RedactRule,
  ResolveFixtureModeInput,
} from './recording/index.js'
export type { FixtureProvenance, FixtureRequest, FixtureResponse } from './recording/types.js'
export type { ToolFixtureEntry, ToolStats } from './recording/tools/entry.js'
export type { Limiter } from './internal/concurrency/limiter.js'
export type { ShorthandInputs, ShorthandOutputs } from './core/signature/shorthand.js'
export type { SchemaOf } from './core/signature/field.js'
export type { WithReasoning } from './core/predict/chain-of-thought.js'
export type { SafeParseResult } from './core/adapter/types.js'

// Vitest: `describe` with `describe.optimize` (the plugin is `vitest-simba/plugin`)
export { describe } from './vitest/runtime/describe.js'
export type { SimbaDescribe } from './vitest/runtime/describe.js'
export type { OptimizeBlockOptions, BlockOptimizerOptions, PredictionOf, ProgramSpec, Row } from './vitest/runtime/block-options.js'
export type { SimbaProvided, SimbaCaseMeta, SimbaBlockMeta, SimbaFileMeta, SimbaCaseTrials, SimbaBlockTrials, CaseStatus, ProvidedFixtureMode } from './vitest/shared.js'
