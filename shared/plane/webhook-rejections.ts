/**
 * @module Plane deliveries refused for their signature, counted in memory and written down at most once a minute:
 * junk traffic (10,000 unsigned requests) wrote the store 10,000 times and grew the fs journal by 600 KB. The counts
 * live until the next accepted delivery (a wrong secret shows as refusals while nothing is accepted).
 *
 * Two counts: deliveries of Plane's shape (a 64-hex signature, X-Plane-Delivery and X-Plane-Event) whose
 * signature does not verify, which is what a wrong PLANE_WEBHOOK_SECRET looks like; and anything else refused on the
 * public route (`curl -X POST …/webhooks/plane -d x`), which says nothing about the secret and is only counted.
 */
import type { Store } from '../store/store.ts'

export const REJECTED_KEY = 'webhook:rejected-since-accepted'
export const UNSIGNED_KEY = 'webhook:unsigned-since-accepted'
export const REJECTIONS_WRITE_EVERY_MS = 60_000
const REJECTED_TTL_S = 7 * 24 * 60 * 60

/** `signed`: of Plane's shape, its signature wrong; `unsigned`: not a delivery of Plane's shape at all. */
export type RejectionKind = 'signed' | 'unsigned'

export type RejectionNotes = {
  /** One more refused; the store is written only when its last write is a minute old. */
  note(kind: RejectionKind): Promise<void>
  /** An accepted delivery: earlier refusals were someone else's. */
  clear(): void
  /** Refused here since the last write, not yet in the store. */
  pending(kind: RejectionKind): number
}

export type RejectionNotesOptions = { store: Pick<Store, 'get' | 'set'>; now: () => number }

const KEY_OF: Record<RejectionKind, string> = { signed: REJECTED_KEY, unsigned: UNSIGNED_KEY }

export function createRejectionNotes({ store, now }: RejectionNotesOptions): RejectionNotes {
  const pending: Record<RejectionKind, number> = { signed: 0, unsigned: 0 }
  // Paced per kind: junk written a second ago must not hold back the first refusal of Plane's own deliveries.
  const writtenAt: Record<RejectionKind, number> = {
    signed: Number.NEGATIVE_INFINITY,
    unsigned: Number.NEGATIVE_INFINITY,
  }
  const add = async (kind: RejectionKind, count: number) => {
    try {
      const stored = (await store.get<number>(KEY_OF[kind])) ?? 0
      await store.set(KEY_OF[kind], stored + count, { ttlSeconds: REJECTED_TTL_S })
    } catch (error) {
      // Kept for the next write; the metric counted them already.
      pending[kind] += count
      throw error
    }
  }
  return {
    async note(kind) {
      pending[kind]++
      if (now() - writtenAt[kind] < REJECTIONS_WRITE_EVERY_MS) return
      writtenAt[kind] = now()
      const count = pending[kind]
      pending[kind] = 0
      await add(kind, count)
    },
    clear() {
      pending.signed = 0
      pending.unsigned = 0
    },
    pending: (kind) => pending[kind],
  }
}
