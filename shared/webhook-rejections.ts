/**
 * @module Plane deliveries refused for their signature, counted in memory and written down at most once a minute:
 * junk traffic (10,000 unsigned requests) wrote the store 10,000 times and grew the fs journal by 600 KB. The count
 * lives until the next accepted delivery (a wrong secret shows as refusals while nothing is accepted).
 */
import type { Store } from './store/store.ts'

export const REJECTED_KEY = 'webhook:rejected-since-accepted'
export const REJECTIONS_WRITE_EVERY_MS = 60_000
const REJECTED_TTL_S = 7 * 24 * 60 * 60

export type RejectionNotes = {
  /** One more refused; the store is written only when its last write is a minute old. */
  note(): Promise<void>
  /** An accepted delivery: earlier refusals were someone else's. */
  clear(): void
  /** Refused here since the last write, not yet in the store. */
  pending(): number
}

export type RejectionNotesOptions = { store: Pick<Store, 'get' | 'set'>; now: () => number }

export function createRejectionNotes({ store, now }: RejectionNotesOptions): RejectionNotes {
  let pending = 0
  let writtenAt = Number.NEGATIVE_INFINITY
  return {
    async note() {
      pending++
      if (now() - writtenAt < REJECTIONS_WRITE_EVERY_MS) return
      writtenAt = now()
      const count = pending
      pending = 0
      try {
        const stored = (await store.get<number>(REJECTED_KEY)) ?? 0
        await store.set(REJECTED_KEY, stored + count, { ttlSeconds: REJECTED_TTL_S })
      } catch (error) {
        // Kept for the next write; the metric counted them already.
        pending += count
        throw error
      }
    },
    clear() {
      pending = 0
    },
    pending: () => pending,
  }
}
