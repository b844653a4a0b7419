export { simba } from './simba.js'
export { forecastSimba, type ForecastInput, type SimbaForecast } from './forecast.js'
export type { CandidateCounts, CandidateLog, FinalistLog, NoProgressReason, ReflectiveStartLog, SimbaBudget, SimbaEvent, SimbaFailure, SimbaOptions, SimbaResult, SimbaSummary, SimbaWarning, StepLog, StoppedReason, TrialLogs } from './types.js'
