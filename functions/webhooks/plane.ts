/**
 * @module POST /webhooks/plane — verify the signature over the raw body, dedupe, limit, keep the body as it came (the
 * dedupe claim and the inbox entry in one write), and only then answer 200; a delivery the store does not take gets
 * no answer at all, so that Plane sends it again. Every delivery is read and processed after its answer by the
 * runtime's worker (parts.webhookQueue), a few at a time (before it, behind a full worker); the `notify` cron replays
 * what a stopped process left.
 */

import type { Context } from 'hono'
import { type AppEnv, defineHttpFunction, type Services } from '../../shared/core/function.ts'
import type { Parts } from '../../shared/core/parts.ts'
import { rateLimit } from '../../shared/core/rate-limit.ts'
import { clientAddress } from '../../shared/net/client-address.ts'
import { AnswerWithheld } from '../../shared/net/http-errors.ts'
import { bestEffort, errorMessage } from '../../shared/observe/errors.ts'
import { type PlaneWebhookGuard, WEBHOOK_DEDUPE_TTL_S } from '../../shared/plane/webhook-guard.ts'
import { isPlaneSignatureShaped } from '../../shared/plane/webhook-signature.ts'
import { noteWebhookReceived } from '../../shared/poll/webhook-health.ts'
import {
  type InboxParts,
  inboxId,
  inboxText,
  processLater,
  processStoredWebhook,
  webhookInbox,
} from './inbox.ts'

const _utf8 = new TextDecoder()

/** The parts the route reads: the verifier and its notes, and what processing a delivery reads (inbox.ts). */
type WebhookParts = InboxParts &
  Pick<Parts, 'planeWebhookGuard' | 'webhookRejections' | 'webhookNotes'>

export const planeWebhookFunction = defineHttpFunction({
  name: 'plane-webhook',
  description: 'Receives Plane webhooks (issues, comments, projects, cycles).',
  method: 'POST',
  path: '/webhooks/plane',
  requires: ['PLANE_WEBHOOK_SECRET'],
  handler: async function planeWebhook(c) {
    const services = c.get('services')
    const parts: WebhookParts = c.get('parts')
    const { config } = services
    const receivedAt = services.now()
    const guard = _guard(parts)
    // Fail closed, before any parsing, and before the body is even read when there is no signature to check:
    // junk without one costs neither memory nor a store write.
    const signature = c.req.header('x-plane-signature')
    const raw = isPlaneSignatureShaped(signature) ? new Uint8Array(await c.req.arrayBuffer()) : null
    if (!raw || !(await guard.verify(raw, signature))) {
      await _signatureRejected(
        services,
        parts,
        guard,
        clientAddress(c, config.TRUSTED_PROXIES ?? []),
        // Plane's shape: only such a refusal says the secret may be wrong; the rest is junk.
        raw !== null && Boolean(c.req.header('x-plane-delivery') && c.req.header('x-plane-event'))
      )
      return c.json(
        { error: 'invalid_signature', message: 'X-Plane-Signature is missing or wrong.' },
        401
      )
    }
    // A signed delivery: the worker goes slow until it is answered (answers first).
    const answered = parts.webhookQueue.answering()
    try {
      return await _receive(c, parts, guard, raw, receivedAt)
    } finally {
      answered()
    }
  },
})

/**
 * A verified delivery: a recent twin answered from memory; else the rate limit, then kept as it came (or no answer).
 * Nothing is parsed before the answer: Plane resends neither a 4xx nor a 2xx, so a body that cannot be read gains
 * nothing from a 400; it is read after the answer, once, and kept apart when unreadable (inbox.ts).
 */
async function _receive(
  c: Context<AppEnv>,
  parts: WebhookParts,
  { recent }: PlaneWebhookGuard,
  raw: Uint8Array,
  receivedAt: number
): Promise<Response> {
  const services = c.get('services')
  const { config } = services
  const hash = await services.hashing.sha256Hex(raw)
  // A retry of a body this runtime kept lately is answered from memory, before the rate limit (it makes no work).
  // Any other is found by the claim that keeps a delivery: one store operation for a new delivery.
  if (recent.has(hash)) return c.json({ status: 'duplicate' }, 200)
  // A store that cannot count lets a signed delivery through: a 503 would be final (Plane never retries one).
  const limited = await rateLimit(c, config.WEBHOOK_RATE_LIMIT_PER_MIN, { uncounted: 'pass' })
  if (limited) return limited
  parts.webhookRejections.clear()
  const headers = c.req.raw.headers
  const entry = inboxText(
    { event: headers.get('x-plane-event'), delivery: headers.get('x-plane-delivery') },
    _utf8.decode(raw)
  )

  // A delivery the bridge cannot keep is one Plane must send again, and Plane resends only after a transport
  // error: the store is tried again for a while, then the answer is withheld (the connection dropped). A try
  // after a failed one reads the dedupe mark again (the failed one may have set it).
  let tries = 0
  const kept = await _keepTrying(services, parts, receivedAt, () =>
    _keep(services, parts, hash, entry, receivedAt, tries++ > 0)
  )
  // Claimed in the store either way (kept now, or a twin's).
  recent.add(hash)
  return c.json({ status: kept }, 200)
}

const RECEIPT_NOTE = 'plane webhook receipt note'

/**
 * How long a delivery waits for the store before it is given no answer: well within Plane's 30 s timeout
 * (`requests.post(…, timeout=30)`, plane-api.md §7.3), a Redis command's own 3 s timeout included.
 */
export const WEBHOOK_KEEP_TRYING_MS = 20_000
/** The waits between two tries (the last one repeated): a blip costs a quarter of a second, an outage 20 s. */
const KEEP_TRYING_WAITS_MS = [250, 500, 1000, 2000, 4000, 8000] as const

/**
 * The delivery is a duplicate, or kept and marked seen in one write; throws when the store fails. Each try starts
 * over: the claim and the entry go together or not at all (StoreQueue.claimAndPut), the entry's id is the arrival
 * time and the body's hash. `recheck`: a try after a failed one reads the dedupe mark first (the failed write may
 * have been made, its answer lost).
 */
async function _keep(
  services: Services,
  parts: WebhookParts,
  hash: string,
  entry: string,
  receivedAt: number,
  recheck: boolean
): Promise<'accepted' | 'duplicate'> {
  const { store, log } = services
  if (recheck && (await store.has(`webhook:seen:${hash}`))) return 'duplicate'
  const id = inboxId(hash, receivedAt)
  const claim = { key: `webhook:seen:${hash}`, ttlSeconds: WEBHOOK_DEDUPE_TTL_S }
  if (!(await webhookInbox(store, services.now).claimAndPutText(claim, id, entry, receivedAt)))
    return 'duplicate'
  // After the answer too (a write every 5 s). Unnoted, the poll may take a quiet hour for a switched-off webhook:
  // logged, never a refusal.
  const note = noteWebhookReceived({
    metrics: services.metrics,
    now: services.now,
    webhookNotes: parts.webhookNotes,
  })
  if (note) services.background.run(RECEIPT_NOTE, () => bestEffort(log, RECEIPT_NOTE, note))
  // Read and processed after the answer, from the entry just kept. Behind as many waiting deliveries as the worker
  // holds, it is processed before its answer instead: the sender waits (backpressure), and the backlog stays bounded.
  if (!processLater(services, parts, id, entry))
    await processStoredWebhook(services, parts, id, entry)
  else if (log.enabled('debug')) log.debug('plane webhook kept', { id })
  return 'accepted'
}

/** `keep` until it succeeds, for up to WEBHOOK_KEEP_TRYING_MS since the delivery arrived; then no answer. */
async function _keepTrying<T>(
  services: Services,
  parts: Pick<Parts, 'webhookNotes'>,
  receivedAt: number,
  keep: () => Promise<T>
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await keep()
    } catch (error) {
      const wait = KEEP_TRYING_WAITS_MS[Math.min(attempt, KEEP_TRYING_WAITS_MS.length - 1)] ?? 0
      if (services.now() + wait - receivedAt > WEBHOOK_KEEP_TRYING_MS)
        _withhold(services, parts, error, attempt + 1)
      services.log.warn('plane webhook not stored yet; trying again', {
        attempt: attempt + 1,
        error: errorMessage(error),
      })
      await services.sleep(wait)
    }
  }
}

/**
 * The store did not take the delivery in time: no answer at all. Any HTTP status is final for Plane (plane-api.md
 * §7.5), a 503 included, so a 503 lost the delivery (a comment, which the poll does not list, for good); a dropped
 * connection is a `requests.RequestException`, retried up to 5 times, 0–600 s apart.
 */
function _withhold(
  services: Services,
  parts: Pick<Parts, 'webhookNotes'>,
  error: unknown,
  attempts: number
): never {
  services.metrics.registry
    .counter(
      'plane_bridge_webhook_withheld_total',
      'Plane deliveries given no answer because the store did not take them (Plane sends them again).'
    )
    .inc({})
  // Plane retries it for up to an hour: until then the poll's webhook check does not call the webhook off.
  parts.webhookNotes.withheld()
  services.log.error('plane webhook not stored: no answer, so that Plane sends it again', {
    attempts,
    error: errorMessage(error),
  })
  throw new AnswerWithheld('plane webhook not stored; the answer is withheld so that Plane retries')
}

/** The verifier the root built from PLANE_WEBHOOK_SECRET (the route `requires` it: it runs only when set). */
function _guard(parts: Pick<Parts, 'planeWebhookGuard'>): PlaneWebhookGuard {
  const guard = parts.planeWebhookGuard
  // A secret of spaces only: refused as the verifier refuses it, at the first delivery.
  if (!guard) throw new Error('Plane webhook secret is empty: refusing to accept unsigned webhooks')
  return guard
}

/** Counted (metric at once; the store at most once a minute, for /ready and provision) and logged, paced. */
async function _signatureRejected(
  services: Services,
  parts: Pick<Parts, 'webhookRejections'>,
  guard: PlaneWebhookGuard,
  from: string | null,
  planeShaped: boolean
): Promise<void> {
  services.metrics.registry
    .counter(
      'plane_bridge_webhook_signature_rejected_total',
      'Plane webhook deliveries refused for a missing or wrong X-Plane-Signature.'
    )
    .inc({})
  // Kept in memory, written with the next note (webhook-rejections.ts); counted above already.
  await parts.webhookRejections.note(planeShaped ? 'signed' : 'unsigned').catch(() => undefined)
  // At most one warning a minute per runtime: junk traffic must not flood the log.
  const refused = guard.refused()
  if (refused === null) return
  // Only a delivery of Plane's shape points at the secret; the rest is someone else's request.
  if (!planeShaped) {
    services.log.warn('plane webhook refused: not a signed Plane delivery', {
      refused,
      from: from ?? 'unknown',
    })
    return
  }
  services.log.warn('plane webhook refused: bad signature', {
    refused,
    from: from ?? 'unknown',
    hint: 'check that PLANE_WEBHOOK_SECRET is the secret Plane shows for this webhook',
  })
}
