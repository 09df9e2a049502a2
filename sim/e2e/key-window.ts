/**
 * @module The bridge key's request window as every process on the store counts it, for tests that spend it as
 * another process would (a poll job, agents' busy minute) and read what it holds. No Plane request is made.
 */
import {
  DEFAULT_RATE_LIMIT,
  lateness,
  type RequestPriority,
  sharedWindowKey,
  windowCeiling,
} from '../../shared/plane/request-window.ts'
import type { E2E } from './harness.ts'

type Runtime = Pick<E2E, 'services' | 'users'>

/** How long a start counts in the window: Plane's minute and the bridge's lateness. */
const SPAN_MS = DEFAULT_RATE_LIMIT.windowMs + lateness(DEFAULT_RATE_LIMIT.windowMs)

const windowOf = (t: Runtime) => sharedWindowKey(t.users.bridge.apiKey, DEFAULT_RATE_LIMIT)

/**
 * Start requests of the bridge's key in its shared window until `priority`'s ceiling (background work 40 of 60,
 * agents 56), on the clock `now`; returns how many it started.
 */
export async function spendBridgeWindow(
  t: Runtime,
  priority: RequestPriority,
  now: () => number
): Promise<number> {
  const ceiling = windowCeiling(priority, DEFAULT_RATE_LIMIT.requests)
  let spent = 0
  while (
    (await t.services.store.windowTake(windowOf(t), { nowMs: now(), windowMs: SPAN_MS, ceiling }))
      .taken
  )
    spent++
  return spent
}

/** Starts in the bridge key's shared window, read as a take with a ceiling of 1 (none taken once it holds one). */
export async function bridgeWindowHeld(t: Runtime, now: () => number): Promise<number> {
  const read = await t.services.store.windowTake(windowOf(t), {
    nowMs: now(),
    windowMs: SPAN_MS,
    ceiling: 1,
  })
  return read.count
}
