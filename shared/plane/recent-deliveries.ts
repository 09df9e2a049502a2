/**
 * @module The bodies this runtime lately kept, or found kept, by their hash: a retry of one of them is answered
 * `duplicate` from memory, with no store read (a store read would be most of a duplicate's cost). What is not here
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
  // Two generations, each at most half the bound: a full one becomes the old one and the older is dropped whole.
  // (One map that evicted its first key walked past every deleted entry V8 had not compacted yet: ~2 % of a busy
  // route's CPU.) A hash seen again moves to the young generation, so what is forgotten is what was seen least lately.
  const generation = Math.max(1, Math.ceil(max / 2))
  let young = new Map<string, number>()
  let old = new Map<string, number>()
  return {
    has(hash) {
      const at = young.get(hash) ?? old.get(hash)
      if (at === undefined) return false
      if (now() - at < ttlMs) return true
      young.delete(hash)
      old.delete(hash)
      return false
    },
    add(hash) {
      old.delete(hash)
      young.set(hash, now())
      if (young.size < generation) return
      old = young
      young = new Map()
    },
  }
}
