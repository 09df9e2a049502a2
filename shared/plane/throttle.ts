/** @module Client-side request spacing per Plane API key (OPENCLAW-20): FIFO, shared by every client using the key. */

import { sleep as defaultSleep } from '../retry.ts'

/** OPENCLAW-20: at most one request per second per key, well under Plane's 60/min sliding window (plane-api.md §5). */
export const DEFAULT_MIN_INTERVAL_MS = 1_000

export type KeyThrottleOptions = {
  apiKey: string
  /** Least time between the starts of two requests made with the same key. */
  minIntervalMs?: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

type Lane = { lastStartAt: number; tail: Promise<void> }

/** One lane per key fingerprint, so two clients built from the same key share one budget. */
const LANES = new Map<string, Lane>()

/**
 * Build the throttle for one API key. Each call to the returned function resolves when the caller may
 * start its request; callers are served in call order.
 * @example const acquireSlot = createKeyThrottle({ apiKey }); await acquireSlot(); await fetch(...)
 */
export function createKeyThrottle({
  apiKey,
  minIntervalMs = DEFAULT_MIN_INTERVAL_MS,
  now = Date.now,
  sleep = defaultSleep,
}: KeyThrottleOptions): () => Promise<void> {
  const laneId = fingerprintApiKey(apiKey)
  return function acquireSlot(): Promise<void> {
    let lane = LANES.get(laneId)
    if (!lane) {
      lane = { lastStartAt: Number.NEGATIVE_INFINITY, tail: Promise.resolve() }
      LANES.set(laneId, lane)
    }
    const current = lane
    const turn = current.tail.then(async function waitForTurn() {
      // Capped at one interval so a clock that jumps backwards cannot stall the lane.
      const waitMs = Math.min(minIntervalMs, current.lastStartAt + minIntervalMs - now())
      if (waitMs > 0) await sleep(waitMs)
      current.lastStartAt = now()
    })
    // A failing sleep must not poison the lane for the callers queued behind it.
    current.tail = turn.catch(() => undefined)
    return turn
  }
}

/**
 * A 64-bit FNV-1a fingerprint of the key. Synchronous on purpose: the queue position must be fixed at call
 * time (an async digest would let later callers overtake). It is not a security boundary (the client
 * holds the key anyway); it keeps raw keys out of a module-level map that a debug dump could print.
 */
export function fingerprintApiKey(apiKey: string): string {
  let hash = 0xcbf29ce484222325n
  for (const byte of new TextEncoder().encode(apiKey)) {
    hash ^= BigInt(byte)
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return hash.toString(16).padStart(16, '0')
}

/** Forget every lane (tests that move the clock backwards between cases). */
export function resetKeyThrottles(): void {
  LANES.clear()
}
