/** A counting semaphore: at most `limit` tasks run at once, the rest wait in FIFO order. */
export interface Limiter {
  /** Runs `task` when a slot is free and releases the slot when it settles. */
  run<T>(task: () => Promise<T>): Promise<T>
  /** Maximum tasks in flight. */
  readonly limit: number
  /** Tasks currently running. */
  readonly active: number
  /** Tasks waiting for a slot. */
  readonly pending: number
}

/** Creates a FIFO limiter allowing `limit` (>= 1) concurrent tasks. */
export function createLimiter(limit: number): Limiter {
  if (!Number.isFinite(limit) || limit < 1) throw new RangeError(`[vitest-simba] concurrency limit must be >= 1, got ${limit}`)
  const max = Math.floor(limit)
  let active = 0
  const queue: Array<() => void> = []
  const release = (): void => {
    active--
    const next = queue.shift()
    if (next) {
      active++
      next()
    }
  }
  return {
    limit: max,
    get active() {
      return active
    },
    get pending() {
      return queue.length
    },
    run<T>(task: () => Promise<T>): Promise<T> {
      const start = (): Promise<T> => {
        let p: Promise<T>
        try {
          p = Promise.resolve(task())
        } catch (error) {
          p = Promise.reject(error)
        }
        return p.finally(release)
      }
      if (active < max) {
        active++
        return start()
      }
      return new Promise<T>((resolve, reject) => {
        queue.push(() => {
          start().then(resolve, reject)
        })
      })
    },
  }
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight. Results are index-aligned with
 * `items` whatever the completion order. Rejects with the first error unless `fn` catches.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limiter = createLimiter(Math.max(1, limit))
  return Promise.all(items.map((item, i) => limiter.run(() => fn(item, i))))
}
