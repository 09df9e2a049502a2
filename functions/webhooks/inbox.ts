/** @module The webhook inbox: deliveries are stored before they are acknowledged, processed after, replayed if left. */

import type { Parts } from '../../shared/core/parts.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { textLimitsOf } from '../../shared/plane/limits.ts'
import { parsePlaneWebhook } from '../../shared/plane/webhook-parse.ts'
import type { PlaneWebhookEvent } from '../../shared/plane/webhook-types.ts'
import { createStoreQueue, type StoreQueue } from '../../shared/store/queue.ts'
import type { Store } from '../../shared/store/store.ts'
import { type EventParts, type EventServices, processPlaneEvent } from './process-plane-event.ts'

export type StoredWebhook = {
  /** The bounded event as `encodeStoredWebhook` wrote it (earlier versions: the body as Plane sent it). */
  body: string
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

export async function storeWebhook(
  store: Store,
  hash: string,
  body: string,
  receivedAt: number,
  event?: string
): Promise<{ id: string; entry: StoredWebhook }> {
  const id = `${receivedAt.toString(36).padStart(10, '0')}-${hash.slice(0, 16)}`
  const entry: StoredWebhook = { body, receivedAt, attempts: 0, ...(event ? { event } : {}) }
  await webhookInbox(store, () => receivedAt).put(id, entry, receivedAt)
  return { id, entry }
}

/** What processing a stored delivery uses: processing's parts, and a kick to send what it queued. */
export type InboxParts = EventParts & Pick<Parts, 'kick'>
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
] as const satisfies readonly (keyof InboxParts)[]

/**
 * Process one stored delivery; it leaves the inbox only once the pipeline has what it carries. The route
 * hands over the entry it has just stored and the event it has parsed (`given`); replays read the store.
 */
export async function processStoredWebhook(
  services: EventServices,
  parts: InboxParts,
  id: string,
  given?: { entry: StoredWebhook; event: PlaneWebhookEvent }
): Promise<void> {
  const { store, log } = services
  const inbox = webhookInbox(store, services.now)
  const entry = given?.entry ?? (await inbox.get(id))
  if (!entry) return
  try {
    const event =
      given?.event ??
      parsePlaneWebhook(
        entry.body,
        entry.event ? { 'x-plane-event': entry.event } : undefined,
        textLimitsOf(services.config)
      )
    const outcome = await processPlaneEvent(event, entry.receivedAt, services, parts)
    await inbox.remove(id)
    if (log.enabled('info')) log.info('plane webhook processed', { id, outcome })
    parts.kick()
  } catch (error) {
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

/** Stored deliveries older than `minAgeMs` (their first processing died with a process, or failed). */
export async function replayInbox(
  services: EventServices,
  parts: InboxParts,
  minAgeMs: number
): Promise<number> {
  let replayed = 0
  const inbox = webhookInbox(services.store, services.now)
  for (const { id } of await inbox.range({ maxScore: services.now() - minAgeMs })) {
    await processStoredWebhook(services, parts, id)
    replayed++
  }
  return replayed
}
