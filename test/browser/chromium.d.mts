/** Types of chromium.mjs (used by the unit test of the browser gate). */
export type BrowserPlan = { exe: string } | { skip: string } | { fail: string }
export function chromiumPath(env?: NodeJS.ProcessEnv, exists?: (path: string) => boolean): string | undefined
export function isCi(env?: NodeJS.ProcessEnv): boolean
export function browserPlan(env?: NodeJS.ProcessEnv, exists?: (path: string) => boolean): BrowserPlan
