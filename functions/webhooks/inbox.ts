/** @module The webhook inbox: deliveries are stored before they are acknowledged, processed after, replayed if left. */

import type { Parts } from '../../shared/core/parts.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { textLimitsOf } from '../../shared/plane/limits.ts'
import { parsePlaneWebhook, storedWebhookDelivery } from '../../shared/plane/webhook-parse.ts'
import type { PlaneWebhookEvent } from '../../shared/plane/webhook-types.ts'
import { createStoreQueue, type StoreQueue } from '../../shared/store/queue.ts'
import type { Store } from '../../shared/store/store.ts'
import { type EventParts, type EventServices, processPlaneEvent } from './process-plane-event.ts'

export type StoredWebhook = {
  /** The bounded event as `storedWebhookDelivery` makes it (a v1 envelope). */
  delivery?: Record<string, unknown>
  /** Entries of earlier versions: the same as JSON text (before that, the body as Plane sent it). */
  body?: string
  receivedAt: number
  attempts: number
  /** X-Plane-Event, for a body that names its event only in the header. */
  event?: string
}

/** A stored delivery that keeps failing is dropped after this many tries (the poll reconciles its change). */
const MAX_INBOX_ATTEMPTS = 10
const INBOX_TTL_S = 7 * 24 * 60 * 60

/** Deliveries by arrival time: processing and replay read the index, never a listing of keys. */
export function webhookInbox(store: Store, now: () => number): StoreQueue<StoredWebhook> {
  return createStoreQueue<StoredWebhook>({
    store,
    index: 'index:webhook-inbox',
    itemPrefix: 'webhook:inbox:',
    ttlSeconds: INBOX_TTL_S,
    now,
  })
}

/**
 * A delivery's place in the inbox: its id (the arrival time, then the body's hash, so that a try written again lands
 * on the same key) and its entry, the bounded event as `encodeStoredWebhook` wrote it.
 */
export function inboxEntry(
  hash: string,
  event: PlaneWebhookEvent,
  receivedAt: number
): { id: string; entry: StoredWebhook } {
  const id = `${receivedAt.toString(36).padStart(10, '0')}-${hash.slice(0, 16)}`
  return { id, entry: { delivery: storedWebhookDelivery(event), receivedAt, attempts: 0 } }
}

/** What processing a stored delivery uses: processing's parts, a kick to send what it queued, and who holds it. */
export type InboxParts = EventParts & Pick<Parts, 'kick' | 'webhookQueue'>
/** The same parts by name, for a job that replays the inbox (notify) to declare. */
export const INBOX_PARTS = [
  'pipeline',
  'directory',
  'tracker',
  'plane',
  'outbox',
  'chatId',
  'policy',
  'taskDeleted',
  'kick',
  'webhookQueue',
] as const satisfies readonly (keyof InboxParts)[]

/**
 * Process one stored delivery; it leaves the inbox only once the pipeline has what it carries. The route's worker
 * hands over the event it parsed and when it arrived (`given`); replays, and a worker that let it go, read the store.
 */
export async function processStoredWebhook(
  services: EventServices,
  parts: EventParts & Pick<Parts, 'kick'>,
  id: string,
  given?: { event: PlaneWebhookEvent; receivedAt: number }
): Promise<void> {
  const { store, log } = services
  const inbox = webhookInbox(store, services.now)
  const stored = given ? null : await inbox.get(id)
  if (!given && !stored) return
  const receivedAt = given?.receivedAt ?? (stored as StoredWebhook).receivedAt
  try {
    const event =
      given?.event ??
      parsePlaneWebhook(
        (stored as StoredWebhook).delivery ?? (stored as StoredWebhook).body,
        stored?.event ? { 'x-plane-event': stored.event } : undefined,
        textLimitsOf(services.config)
      )
    const outcome = await processPlaneEvent(event, receivedAt, services, parts)
    await inbox.remove(id)
    if (log.enabled('info')) log.info('plane webhook processed', { id, outcome })
    parts.kick()
  } catch (error) {
    // The entry as the route stored it (the same bytes, written again), when this was its first processing.
    const entry = stored ?? {
      delivery: storedWebhookDelivery((given as { event: PlaneWebhookEvent }).event),
      receivedAt,
      attempts: 0,
    }
    const attempts = entry.attempts + 1
    const message = errorMessage(error)
    if (attempts >= MAX_INBOX_ATTEMPTS) {
      await inbox.remove(id)
      log.error('plane webhook dropped after repeated failures', { id, attempts, error: message })
      return
    }
    await inbox.update(id, { ...entry, attempts }, entry.receivedAt)
    log.warn('plane webhook processing failed, will retry', { id, attempts, error: message })
  }
}

/**
 * Hand a stored delivery to this runtime's worker, to be processed after the answer (`event`: what the route parsed,
 * kept while few wait). False when the worker has too many waiting: the delivery waits in the inbox for the replay.
 */
export function processLater(
  services: EventServices,
  parts: InboxParts,
  id: string,
  event: PlaneWebhookEvent,
  receivedAt: number
): boolean {
  // The closure holds the parts and the arrival time, not the event: a worker that lets it go reads the store.
  return parts.webhookQueue.offer(
    id,
    (given) =>
      processStoredWebhook(
        services,
        parts,
        id,
        given === undefined ? undefined : { event: given, receivedAt }
      ),
    event
  )
}

/** Stored deliveries older than `minAgeMs` (their first processing died with a process, or failed). */
export async function replayInbox(
  services: EventServices,
  parts: InboxParts,
  minAgeMs: number
): Promise<number> {
  let replayed = 0
  const inbox = webhookInbox(services.store, services.now)
  for (const { id } of await inbox.range({ maxScore: services.now() - minAgeMs })) {
    // Waiting in this runtime's worker behind a burst: processed there, not twice.
    if (parts.webhookQueue.holds(id)) continue
    await processStoredWebhook(services, parts, id)
    replayed++
  }
  return replayed
}
