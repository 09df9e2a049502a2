/**
 * @module The bodies this runtime lately kept, or found kept, by their hash: a retry of one of them is answered
 * `duplicate` from memory, with no store read (issue 46: a duplicate's read was most of its cost). What is not here
 * (another replica's delivery, one from before a restart, one past the bound) is found by the store's claim instead,
 * which keeps the one promise: a body whose claim is in the store is never processed twice within the day.
 */

/** A retry comes within the hour (plane-api.md §7.5); a burst of 10,000 distinct ones keeps ~1.5 MB here. */
export const RECENT_DELIVERIES_MAX = 10_000

export type RecentDeliveries = {
  /** True when `hash` was kept (or found kept) less than `ttlMs` ago by this runtime. */
  has(hash: string): boolean
  /** `hash` is claimed in the store (kept now, or a twin's). */
  add(hash: string): void
}

export function createRecentDeliveries({
  now,
  ttlMs,
  max = RECENT_DELIVERIES_MAX,
}: {
  now: () => number
  /** The store's claim lasts this long: past it, the store decides again. */
  ttlMs: number
  max?: number
}): RecentDeliveries {
  // Insertion order is age order: the first key is the oldest, dropped first.
  const kept = new Map<string, number>()
  return {
    has(hash) {
      const at = kept.get(hash)
      if (at === undefined) return false
      if (now() - at < ttlMs) return true
      kept.delete(hash)
      return false
    },
    add(hash) {
      kept.delete(hash)
      kept.set(hash, now())
      if (kept.size > max) kept.delete(kept.keys().next().value as string)
    },
  }
}
