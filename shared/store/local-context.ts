/** @module What the local store's operations share: its journaled state, its error guard and its clock. */
import { reportingErrors } from './envelope.ts'
import type { JournaledState } from './local-journaled.ts'

export type LocalContext = {
  journaled: JournaledState
  now: () => number
  guard: ReturnType<typeof reportingErrors>
  holds: (key: string) => boolean
  expiryOf: (ttlSeconds: number | undefined) => number
}

/** The context the local store's operations are built on (local.ts). */
export function createLocalContext(
  journaled: JournaledState,
  now: () => number,
  onError: ((operation: string, error: unknown) => void) | undefined
): LocalContext {
  const guard = reportingErrors(onError)

  /** Whether anything sits at `key`, live or expired (a delete journals nothing for an empty key). */
  const holds = (key: string) => {
    const { values, sortedSets } = journaled.current()
    return values.has(key) || sortedSets.has(key)
  }

  const expiryOf = (ttlSeconds: number | undefined) => (ttlSeconds ? now() + ttlSeconds * 1000 : 0)

  return { journaled, now, guard, holds, expiryOf }
}
