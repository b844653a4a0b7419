/**
 * Which LM each predictor call uses, without touching the caller's LMs: rollout slot m gets a copy
 * of the predictor's LM at temperature 1.0 with rollout id `r0 + m` (slot 0 may be the teacher).
 * Departures from DSPy: each predictor keeps its own LM and gets its own resampled copy (DSPy stops
 * with a "multiple LMs" error, dspy#8588); copies are made with `copy()`, never in place (DSPy
 * writes the teacher's rollout id into the caller's LM); opt-in per-slot temperatures
 * (`temperatureSchedule`) and per-step fresh rollout ids (`freshRolloutIds`).
 */
import type { LanguageModel } from '../../core/lm/types.js'
import type { UsageMeter } from './meter.js'

/** How rollout slot LMs are derived from a predictor's base LM. */
export interface SlotPlan {
  /** Number of rollout slots (N). */
  slots: number
  /** Temperature per slot (default 1.0). */
  temperatureSchedule?: readonly number[]
  /** Teacher settings; non-empty → slot 0 is the teacher (or the base LM at its own temperature). */
  teacherSettings?: { lm?: LanguageModel }
  /** Added to every rollout id (step·N when fresh ids are on). */
  rolloutOffset: number
}

/** A `mapLM` for rollout slot `m`, memoizing one copy per (base LM, slot). */
export function slotMapper(plan: SlotPlan, slot: number, meter: UsageMeter, memo: Map<LanguageModel, Map<string, LanguageModel>>): (lm: LanguageModel) => LanguageModel {
  return (base) => {
    const key = `${plan.rolloutOffset}:${slot}`
    let perBase = memo.get(base)
    if (!perBase) memo.set(base, (perBase = new Map()))
    const hit = perBase.get(key)
    if (hit) return hit
    meter.track(base)
    const r0 = base.rolloutId ?? 0
    let lm: LanguageModel
    const teacher = plan.teacherSettings && Object.keys(plan.teacherSettings).length > 0
    if (slot === 0 && teacher) {
      const t = plan.teacherSettings?.lm ?? base
      meter.track(t)
      const id = r0 + plan.rolloutOffset
      lm = t.rolloutId === id ? t : t.copy({ rolloutId: id })
    } else {
      lm = base.copy({ temperature: plan.temperatureSchedule?.[slot] ?? 1.0, rolloutId: r0 + plan.rolloutOffset + slot })
    }
    const wrapped = meter.wrap(lm)
    perBase.set(key, wrapped)
    return wrapped
  }
}

/** A `mapLM` for candidate and final evaluation: the predictor's own LM, counted. */
export function ownMapper(meter: UsageMeter): (lm: LanguageModel) => LanguageModel {
  return (base) => {
    meter.track(base)
    return meter.wrap(base)
  }
}
