import type { UpdateMode } from './types.js'

/**
 * Vitest's write policy for one block: `none` never writes, `new` writes a block that does not
 * exist yet, `all` (-u) writes every block.
 */
export function mayWriteBlock(update: UpdateMode, exists: boolean): boolean {
  if (update === 'all') return true
  if (update === 'new') return !exists
  return false
}

/** Normalises Vitest's `updateSnapshot` value (older versions used booleans). */
export function toUpdateMode(value: unknown): UpdateMode {
  if (value === 'all' || value === true) return 'all'
  if (value === 'none') return 'none'
  return 'new'
}
