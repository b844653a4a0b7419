/** Marks Predict instances so the module walker can find them without a circular import. */
export const PREDICT_BRAND: unique symbol = Symbol.for('vitest-simba.predict')

/** Marks Module instances (checked instead of `instanceof` so two copies of the package interoperate). */
export const MODULE_BRAND: unique symbol = Symbol.for('vitest-simba.module')

/** True when `value` is a Predict (from any copy of this package). */
export function hasPredictBrand(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PREDICT_BRAND] === true
}

/** True when `value` is a Module (a Predict is one too). */
export function hasModuleBrand(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MODULE_BRAND] === true
}
