export { simba } from './simba.js'
export { forecastSimba, type ForecastInput, type SimbaForecast, type TokenPrices } from './forecast.js'
export type { CandidateLog, FinalistLog, SimbaBudget, SimbaEvent, SimbaOptions, SimbaResult, StepLog, StoppedReason, TrialLogs } from './types.js'
