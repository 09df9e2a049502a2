/**
 * @module What the Plane webhook route notes for the poll's webhook check: deliveries accepted (written at
 * most every 5 s) and answers withheld (kept in memory first: the store is what failed). One per runtime, built in
 * the composition root.
 */
import type { Store } from '../store/store.ts'
import { REJECTED_KEY, UNSIGNED_KEY } from './webhook-rejections.ts'

export const LAST_RECEIVED_KEY = 'webhook:last-received'
const WITHHELD_KEY = 'webhook:last-withheld'

/** How often an accepted delivery is written down (per runtime). */
const NOTE_EVERY_MS = 5_000

export type WebhookNotes = {
  /** Whether `received` would write now (a delivery between two writes needs no task at all). */
  due(): boolean
  /** An accepted delivery: written down at most every 5 s, and earlier signature refusals forgotten. */
  received(): Promise<void>
  /** The route gave a delivery no answer (the store did not take it): kept here until it can be written. */
  withheld(): void
  /** When this runtime, or any process on the store, last withheld a delivery's answer (epoch ms), or null. */
  lastWithheldAt(): Promise<number | null>
}

export type WebhookNotesOptions = {
  store: Pick<Store, 'get' | 'set' | 'delete'>
  now: () => number
}

export function createWebhookNotes({ store, now }: WebhookNotesOptions): WebhookNotes {
  let lastNoted = Number.NEGATIVE_INFINITY
  let withheldAt: number | null = null
  const due = () => now() - lastNoted >= NOTE_EVERY_MS
  return {
    due,
    async received() {
      // Two writes per delivery were a third of the request path's store work under load, for a time read at minute
      // scale (/ready, the poll's silence check).
      if (!due()) return
      lastNoted = now()
      try {
        await store.set(LAST_RECEIVED_KEY, now(), { ttlSeconds: 30 * 24 * 60 * 60 })
        // A delivery with the right signature: the secret is right, earlier refusals were someone else's.
        await store.delete(REJECTED_KEY)
        await store.delete(UNSIGNED_KEY)
      } catch (error) {
        lastNoted = Number.NEGATIVE_INFINITY
        throw error
      }
    },
    withheld() {
      withheldAt = now()
    },
    async lastWithheldAt() {
      const stored = await store.get<number>(WITHHELD_KEY).catch(() => null)
      if (withheldAt !== null && (stored === null || withheldAt > stored)) {
        await store
          .set(WITHHELD_KEY, withheldAt, { ttlSeconds: 2 * 24 * 60 * 60 })
          .catch(() => undefined)
        return withheldAt
      }
      return stored
    },
  }
}
