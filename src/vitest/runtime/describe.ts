import { describe as vDescribe, type SuiteAPI } from 'vitest'
import { optimize } from './optimize.js'

/** Vitest's `describe` plus `describe.optimize(name, options)`. */
export type SimbaDescribe = SuiteAPI & { optimize: typeof optimize }

/**
 * Vitest's `describe` with `optimize` added (`describe.skip`, `.each`, `.concurrent` keep working).
 * @example import { describe } from 'vitest-simba'; describe.optimize('routes tickets', { program, trainset, metric })
 */
export const describe: SimbaDescribe = new Proxy(vDescribe, {
  get: (target, prop, receiver) => (prop === 'optimize' ? optimize : Reflect.get(target, prop, receiver)),
}) as SimbaDescribe
