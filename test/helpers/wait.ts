/**
 * Synchronization for tests that must not depend on machine speed: wait for a condition, never for
 * a fixed time. The only time limit is a hang guard, far above what a loaded machine needs.
 */

/** How long a condition, a child process or a hung call may take before the test calls it hung. */
export const HANG_GUARD_MS = 300_000

/**
 * Resolves once `condition()` is truthy (checked now, then every `everyMs`); rejects naming `what`
 * (and the last value seen) only after `HANG_GUARD_MS`. The interval is how often to look, not a
 * guess at how long something takes.
 */
export async function waitUntil<T>(what: string, condition: () => T | Promise<T>, opts: { everyMs?: number; guardMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.guardMs ?? HANG_GUARD_MS)
  for (;;) {
    const value = await condition()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`still waiting after ${opts.guardMs ?? HANG_GUARD_MS} ms for ${what} (last value: ${String(value)})`)
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 10))
  }
}

/** A promise with its resolve function: a barrier one side opens and the other awaits. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void
  const promise = new Promise<T>((r) => (open = r))
  return { promise, open }
}
