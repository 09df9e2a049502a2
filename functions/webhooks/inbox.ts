/**
 * @module The webhook inbox: each delivery is kept as Plane sent it before it is answered, then read (parsed,
 * checked), processed and removed; what a stopped process left is replayed. An entry is a text: one line naming the
 * delivery's event and id (its headers), then the body's characters as they came.
 */

import { type PartsOf, partNames } from '../../shared/core/function.ts'
import type { Parts } from '../../shared/core/parts.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { textLimitsOf } from '../../shared/plane/limits.ts'
import { WEBHOOK_INBOX_SET } from '../../shared/plane/webhook-guard.ts'
import { parsePlaneWebhook } from '../../shared/plane/webhook-parse.ts'
import { type PlaneWebhookEvent, PlaneWebhookParseError } from '../../shared/plane/webhook-types.ts'
import { keepUnreadable } from '../../shared/poll/webhook-unreadable.ts'
import { createStoreQueue, type StoreQueue } from '../../shared/store/queue.ts'
import {
  createQueueWorker,
  type QueueWorker,
  type QueueWorkerOptions,
} from '../../shared/store/queue-worker.ts'
import type { Store } from '../../shared/store/store.ts'
import {
  EVENT_PARTS,
  type EventParts,
  type EventServices,
  processPlaneEvent,
} from './process-plane-event.ts'

/** What a delivery's headers say that its body may not: the event (v1 bodies name it too) and the delivery's id. */
export type DeliveryHeaders = { event: string | null; delivery: string | null }

/** A delivery stored by earlier versions: an object in the store's envelope (theirs also counted its tries). */
type EarlierEntry = {
  delivery?: Record<string, unknown>
  body?: string
  receivedAt: number
  attempts?: number
  event?: string
}

/** A stored delivery that keeps failing is dropped after this many tries (the poll reconciles its change). */
const MAX_INBOX_ATTEMPTS = 10
const INBOX_TTL_S = 7 * 24 * 60 * 60
/** The first line of an entry: this tag, then the event and the delivery id, tab-separated (empty: absent). */
const ENTRY_TAG = 'plane-delivery/1'
/** A header value kept in an entry: printable ASCII without spaces, cut (Plane's are short names and UUIDs). */
const HEADER_VALUE_MAX = 100
/** What the entries waiting in the worker keep in memory, at most; the ones behind are read back from the store. */
const KEPT_ENTRIES_MAX_CHARS = 4 * 1024 * 1024

/** Deliveries by arrival time: processing and replay read the index, never a listing of keys. */
export function webhookInbox(store: Store, now: () => number): StoreQueue<EarlierEntry> {
  return createStoreQueue<EarlierEntry>({
    store,
    sortedSet: WEBHOOK_INBOX_SET,
    itemPrefix: 'webhook:inbox:',
    ttlSeconds: INBOX_TTL_S,
    now,
  })
}

/** A delivery's id in the inbox: its arrival time, then the body's hash (a try written again lands on one key). */
export function inboxId(hash: string, receivedAt: number): string {
  return `${receivedAt.toString(36).padStart(10, '0')}-${hash.slice(0, 16)}`
}

/** The entry kept for a delivery: its headers' line, then the body as received. */
export function inboxText(headers: DeliveryHeaders, body: string): string {
  return `${ENTRY_TAG}\t${_headerValue(headers.event)}\t${_headerValue(headers.delivery)}\n${body}`
}

/** What processing a stored delivery uses, by name (a job that replays the inbox, notify, declares them): processing's
 * parts, a kick to send what it queued, and who holds it. */
export const INBOX_PARTS = partNames(...EVENT_PARTS, 'kick', 'webhookQueue')
export type InboxParts = PartsOf<typeof INBOX_PARTS>

/**
 * Read, process and remove one stored delivery; it leaves the inbox once the pipeline has what it carries, or once
 * it is found unreadable (kept apart, told). `kept`: the entry the route just wrote, handed over by its worker; a
 * replay, and a worker that let it go, read the store.
 */
export async function processStoredWebhook(
  services: EventServices,
  parts: EventParts & Pick<Parts, 'kick'>,
  id: string,
  kept?: string
): Promise<void> {
  const { store, log } = services
  const inbox = webhookInbox(store, services.now)
  const entry = kept ?? (await store.getText(inbox.key(id)))
  if (entry === null) return
  const earlier = entry.startsWith('{') ? await inbox.get(id) : null
  const receivedAt = earlier?.receivedAt ?? _arrivedAt(id)
  try {
    const event = earlier ? _readEarlier(services, earlier) : _read(services, entry)
    if (!event.ok) {
      await keepUnreadable(services, parts, { id, receivedAt, ...event.unreadable })
      await inbox.remove(id)
      return
    }
    const outcome = await processPlaneEvent(event.event, receivedAt, services, parts)
    await inbox.remove(id)
    if (log.enabled('info')) log.info('plane webhook processed', { id, outcome })
    parts.kick()
  } catch (error) {
    // A value, not a counter: on KV counters live in the isolate, and tries must add up across them.
    const tried = `webhook:attempts:${id}`
    const attempts = ((await store.get<number>(tried)) ?? earlier?.attempts ?? 0) + 1
    await store.set(tried, attempts, { ttlSeconds: INBOX_TTL_S })
    const message = errorMessage(error)
    if (attempts >= MAX_INBOX_ATTEMPTS) {
      await inbox.remove(id)
      log.error('plane webhook dropped after repeated failures', { id, attempts, error: message })
      return
    }
    log.warn('plane webhook processing failed, will retry', { id, attempts, error: message })
  }
}

/**
 * Hand a kept delivery to this runtime's worker, to be read and processed after the answer (`entry`: what the route
 * wrote, kept while few wait). False when the worker has too many waiting: the delivery waits in the inbox for the
 * replay.
 */
export function processLater(
  services: EventServices,
  parts: InboxParts,
  id: string,
  entry: string
): boolean {
  return parts.webhookQueue.offer(
    id,
    (given) => processStoredWebhook(services, parts, id, given),
    entry
  )
}

/**
 * The worker that reads and processes kept deliveries after their answer. How many may wait before the next ones are
 * processed before theirs: their inbox entries are in the store, on Redis its own memory, on the local store
 * (memory, fs) and KV the heap that holds everything else, or KV's writes (15,000 waiting on fs, and the server
 * stopped answering). The entries the waiting keep in memory weigh 4 MB at most (a body can be 1 MB).
 */
export function createWebhookWorker(
  background: QueueWorkerOptions<string>['background'],
  driver: Store['driver']
): QueueWorker<string> {
  return createQueueWorker<string>({
    name: 'plane-webhook',
    background,
    capacity: driver === 'redis' || driver === 'redis-http' ? 50_000 : 1_000,
    weigh: (entry) => entry.length,
    keepGivenWeight: KEPT_ENTRIES_MAX_CHARS,
  })
}

/** Stored deliveries older than `minAgeMs` (their first processing died with a process, or failed). */
export async function replayInbox(
  services: EventServices,
  parts: InboxParts,
  minAgeMs: number
): Promise<number> {
  let replayed = 0
  const { sortedSet } = webhookInbox(services.store, services.now)
  // Ids only: each entry is read once, by its processing.
  for (const { member: id } of await services.store.sortedRange(sortedSet, {
    maxScore: services.now() - minAgeMs,
  })) {
    // Waiting in this runtime's worker behind a burst: processed there, not twice.
    if (parts.webhookQueue.holds(id)) continue
    await processStoredWebhook(services, parts, id)
    replayed++
  }
  return replayed
}

// --- Internal helpers ---

type Read =
  | { ok: true; event: PlaneWebhookEvent }
  | {
      ok: false
      unreadable: {
        reason: string
        message: string
        event: string | null
        deliveryId: string | null
        body: string
      }
    }

/** An entry's headers and body, parsed and checked: the event, or why it cannot be read. */
function _read(services: EventServices, entry: string): Read {
  const newline = entry.indexOf('\n')
  const [tag = '', event = '', delivery = ''] = entry.slice(0, Math.max(newline, 0)).split('\t')
  const body = newline < 0 ? '' : entry.slice(newline + 1)
  const headers = { 'x-plane-event': event || null, 'x-plane-delivery': delivery || null }
  if (tag !== ENTRY_TAG) {
    const unreadable = { reason: 'invalid_entry', message: 'not an inbox entry', body: entry }
    return { ok: false, unreadable: { ...unreadable, event: null, deliveryId: null } }
  }
  try {
    return { ok: true, event: parsePlaneWebhook(body, headers, textLimitsOf(services.config)) }
  } catch (error) {
    if (error instanceof PlaneWebhookParseError) return _unreadable(error, headers, body)
    throw error
  }
}

/** An entry of an earlier version: the bounded event it kept (or the body, before that). */
function _readEarlier(services: EventServices, entry: EarlierEntry): Read {
  const headers = { 'x-plane-event': entry.event ?? null, 'x-plane-delivery': null }
  try {
    const input = entry.delivery ?? entry.body
    return { ok: true, event: parsePlaneWebhook(input, headers, textLimitsOf(services.config)) }
  } catch (error) {
    if (!(error instanceof PlaneWebhookParseError)) throw error
    return _unreadable(error, headers, entry.body ?? JSON.stringify(entry.delivery ?? null))
  }
}

function _unreadable(
  error: PlaneWebhookParseError,
  headers: { 'x-plane-event': string | null; 'x-plane-delivery': string | null },
  body: string
): Read {
  const detail = error.issues.length > 0 ? ` (${error.issues.join('; ')})` : ''
  return {
    ok: false,
    unreadable: {
      reason: error.reason,
      message: `${error.message}${detail}`,
      event: headers['x-plane-event'],
      deliveryId: headers['x-plane-delivery'],
      body,
    },
  }
}

/** When a delivery arrived, from its id (`inboxId`). */
function _arrivedAt(id: string): number {
  return Number.parseInt(id.slice(0, 10), 36)
}

/** A header's value as an entry keeps it: tabs, newlines and anything unprintable dropped, cut. */
function _headerValue(value: string | null): string {
  if (!value) return ''
  let out = ''
  for (let i = 0; i < value.length && out.length < HEADER_VALUE_MAX; i++) {
    const code = value.charCodeAt(i)
    if (code > 0x20 && code < 0x7f) out += value[i]
  }
  return out
}
