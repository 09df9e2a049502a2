/** @module The webhook inbox: deliveries are stored before they are acknowledged, processed after, replayed if left. */
import type { Bridge } from '../../shared/bridge.ts'
import type { Services } from '../../shared/function.ts'
import { parsePlaneWebhook } from '../../shared/plane/webhook-parse.ts'
import type { Store } from '../../shared/store/store.ts'
import { processPlaneEvent } from './process-plane-event.ts'

export type StoredWebhook = { body: string; receivedAt: number; attempts: number }

const INBOX_PREFIX = 'webhook:inbox:'
/** A stored delivery that keeps failing is dropped after this many tries (the poll reconciles its change). */
const MAX_INBOX_ATTEMPTS = 10
const INBOX_TTL_S = 7 * 24 * 60 * 60

export async function storeWebhook(
  store: Store,
  hash: string,
  raw: Uint8Array,
  receivedAt: number
): Promise<string> {
  const id = `${receivedAt.toString(36).padStart(10, '0')}-${hash.slice(0, 16)}`
  const entry: StoredWebhook = { body: new TextDecoder().decode(raw), receivedAt, attempts: 0 }
  await store.set(`${INBOX_PREFIX}${id}`, entry, { ttlSeconds: INBOX_TTL_S })
  return id
}

/** Process one stored delivery; it leaves the inbox only once the pipeline has what it carries. */
export async function processStoredWebhook(
  services: Services,
  bridge: Bridge,
  id: string
): Promise<void> {
  const { store, log } = services
  const key = `${INBOX_PREFIX}${id}`
  const entry = await store.get<StoredWebhook>(key)
  if (!entry) return
  try {
    const outcome = await processPlaneEvent(
      parsePlaneWebhook(entry.body),
      entry.receivedAt,
      services,
      bridge
    )
    await store.delete(key)
    log.info('plane webhook processed', { id, outcome })
    bridge.kick()
  } catch (error) {
    const attempts = entry.attempts + 1
    const message = error instanceof Error ? error.message : String(error)
    if (attempts >= MAX_INBOX_ATTEMPTS) {
      await store.delete(key)
      log.error('plane webhook dropped after repeated failures', { id, attempts, error: message })
      return
    }
    await store.set(key, { ...entry, attempts }, { ttlSeconds: INBOX_TTL_S })
    log.warn('plane webhook processing failed, will retry', { id, attempts, error: message })
  }
}

/** Stored deliveries older than `minAgeMs` (their first processing died with a process, or failed). */
export async function replayInbox(
  services: Services,
  bridge: Bridge,
  minAgeMs: number
): Promise<number> {
  let replayed = 0
  for (const key of await services.store.keys(INBOX_PREFIX)) {
    const entry = await services.store.get<StoredWebhook>(key)
    if (!entry || services.now() - entry.receivedAt < minAgeMs) continue
    await processStoredWebhook(services, bridge, key.slice(INBOX_PREFIX.length))
    replayed++
  }
  return replayed
}
