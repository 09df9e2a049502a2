/**
 * @module GET /ready — readiness: the store answers (else 503 `unavailable`), plus what this instance knows
 * of integrations and the outbox, and the last run of each job wherever it ran (CLI, cron, any replica:
 * the store's records, each with the settings it ran with). `degraded` (still 200: restarting would not help) says
 * why, from this server's live state only (shared/check/readiness.ts): an integration failing, a cron job that failed its
 * last run, a bot token without a chat, dead letters.
 */

import { judgeReadiness } from '../../shared/check/readiness.ts'
import type { Config } from '../../shared/core/config.ts'
import { storedContacts } from '../../shared/core/contacts.ts'
import {
  defineHttpFunction,
  type FunctionInventory,
  type Services,
} from '../../shared/core/function.ts'
import { type JobExecutionRecord, lastJobExecutions } from '../../shared/core/job-executions.ts'
import type { Parts } from '../../shared/core/parts.ts'
import { settingsFingerprint } from '../../shared/core/settings-fingerprint.ts'
import type { ContactStatus } from '../../shared/observe/status.ts'
import { webhookTargetOf } from '../../shared/plane/release.ts'
import { WEBHOOK_INBOX_SET } from '../../shared/plane/webhook-guard.ts'
import {
  lastWebhookReceivedAt,
  signaturesRejectedSinceAccepted,
  unsignedRejectedSinceAccepted,
  webhookOffSince,
} from '../../shared/poll/webhook-health.ts'
import { webhookOffSteps, webhookSettingsUrl } from '../../shared/poll/webhook-off.ts'
import { unreadableSummary } from '../../shared/poll/webhook-unreadable.ts'
import { opsGuard } from './guard.ts'

/** Refusals of Plane-shaped deliveries (nothing accepted between) that say "wrong secret" rather than a stray one. */
const REFUSED_DEGRADE = 3
/** An unreadable delivery keeps the server `degraded` this long (they stay listed a week). */
const UNREADABLE_DEGRADE_MS = 24 * 60 * 60 * 1000
/** A readiness probe must answer within the orchestrator's timeout (compose: 10 s) even when Redis hangs. */
const STORE_PING_TIMEOUT_MS = 2500

export const readyFunction = defineHttpFunction({
  name: 'ready',
  description: 'Readiness probe with per-dependency status.',
  method: 'GET',
  path: '/ready',
  handler: async function ready(c) {
    const refused = await opsGuard(c)
    if (refused) return refused
    const { store, status, inventory, now } = c.get('services')
    const started = now()
    let storeOk = true
    let storeError: string | undefined
    try {
      await _withTimeout(store.ping(), STORE_PING_TIMEOUT_MS)
    } catch (error) {
      storeOk = false
      storeError = error instanceof Error ? error.message : 'unreachable'
    }
    const snapshot = status.read()
    // Contacts recorded in the store (this process, other replicas, `npm run job`), the latest of each.
    // Each read below falls back to nothing when slow or failing: /ready answers in time
    // (a failing store counts it in store_errors_total).
    const storedContactsNow = storeOk
      ? await _withTimeout(storedContacts(store), STORE_PING_TIMEOUT_MS).catch(
          (): Record<string, ContactStatus> => ({})
        )
      : {}
    const integrations = _latest(snapshot.integrations, storedContactsNow)
    // Runs recorded in the store (this process, other replicas, `npm run job`), the latest of each job.
    const recorded = storeOk
      ? await _withTimeout(
          lastJobExecutions(store, _functionNames(inventory)),
          STORE_PING_TIMEOUT_MS
        ).catch((): Record<string, JobExecutionRecord> => ({}))
      : {}
    const jobs = _latest(snapshot.jobs, recorded)
    // The parts /ready reads: the outbox's depth, the signatures refused.
    const parts: Pick<Parts, 'outbox' | 'webhookRejections'> = c.get('parts')
    // Dead letters are messages given up on: an operator should see them here, not only in logs.
    const outbox = storeOk
      ? await _withTimeout(parts.outbox.depth(), STORE_PING_TIMEOUT_MS).catch(() => null)
      : null
    const webhooks = storeOk
      ? await _withTimeout(
          _readWebhooks(c.get('services'), parts.webhookRejections),
          STORE_PING_TIMEOUT_MS
        ).catch(() => null)
      : null
    const { config } = c.get('services')
    // This server's live state: what other processes recorded counts only when it is its own kind of
    // work, made with its settings; the rest is shown with the settings it ran with (shared/check/readiness.ts).
    const judged = judgeReadiness({
      config,
      own: settingsFingerprint(config),
      integrations,
      jobs,
      dead: outbox?.dead ?? 0,
    })
    const reasons = storeOk ? judged.reasons : []
    if (webhooks) reasons.push(..._webhookReasons(webhooks, config, now))
    const body = {
      status: !storeOk ? 'unavailable' : reasons.length > 0 ? 'degraded' : 'ok',
      ...(reasons.length > 0 ? { reasons } : {}),
      store: {
        driver: store.driver,
        location: store.location,
        ok: storeOk,
        latencyMs: now() - started,
        ...(storeError ? { error: storeError } : {}),
      },
      functions: inventory,
      outbox,
      webhooks,
      integrations: judged.integrations,
      jobs: judged.jobs,
    }
    return c.json(body, storeOk ? 200 : 503)
  },
})

/** What /ready shows of Plane's webhook, from the store: deliveries received, refused, waiting, unreadable. */
async function _readWebhooks(
  services: Pick<Services, 'store' | 'now'>,
  rejections: Parts['webhookRejections']
) {
  // Six independent reads, asked together (one round trip on Redis with its auto-pipelining), not one after another.
  return _together({
    lastReceivedAt: lastWebhookReceivedAt(services),
    refusedSinceAccepted: signaturesRejectedSinceAccepted(services, rejections),
    // Junk on the public route: counted apart, never blamed on the secret.
    unsignedSinceAccepted: unsignedRejectedSinceAccepted(services, rejections),
    // Plane switched its webhook off (the poll found changes no delivery brought).
    offSince: webhookOffSince(services),
    // Deliveries kept and not yet read and processed (a backlog, or what a stopped process left).
    waiting: services.store.sortedSize(WEBHOOK_INBOX_SET),
    // Signed deliveries that could not be read, kept apart a week (npm run job -- dead-letters).
    unreadable: unreadableSummary(services.store, services.now),
  })
}

/** Named reads awaited together: each name its value. */
async function _together<T extends Record<string, Promise<unknown>>>(
  reads: T
): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const names = Object.keys(reads)
  const values = await Promise.all(Object.values(reads))
  return Object.fromEntries(names.map((name, i) => [name, values[i]])) as {
    [K in keyof T]: Awaited<T[K]>
  }
}

/** Why Plane's webhook makes the server `degraded`: a wrong secret, unreadable deliveries, a webhook switched off. */
function _webhookReasons(
  webhooks: Awaited<ReturnType<typeof _readWebhooks>>,
  config: Config,
  now: () => number
): string[] {
  const reasons: string[] = []
  if (webhooks.refusedSinceAccepted >= REFUSED_DEGRADE)
    reasons.push(
      `${webhooks.refusedSinceAccepted} Plane deliveries refused for a bad signature since the last accepted one: check PLANE_WEBHOOK_SECRET`
    )
  const unreadable = webhooks.unreadable
  if (unreadable.latestAt != null && now() - unreadable.latestAt < UNREADABLE_DEGRADE_MS)
    reasons.push(
      `${unreadable.kept} signed Plane deliveries could not be read in the last 7 days, the latest at ${new Date(unreadable.latestAt).toISOString()}: npm run job -- dead-letters lists them`
    )
  if (webhooks.offSince != null) {
    reasons.push(
      `Plane's webhook looks switched off since ${new Date(webhooks.offSince).toISOString()} (changes seen only by the poll): ${webhookOffSteps(
        {
          settingsUrl: webhookSettingsUrl(config.PLANE_BASE_URL, config.PLANE_WORKSPACE_SLUG),
          webhookUrl: webhookTargetOf(config),
        }
      )}`
    )
  }
  return reasons
}

function _functionNames(inventory: FunctionInventory): string[] {
  return [...inventory.enabled, ...Object.keys(inventory.disabled)]
}

/** Per job or integration, whichever is later: what this process saw, or what the store holds. */
function _latest<L extends { at: string }, R extends { at: string }>(
  local: Record<string, L>,
  recorded: Record<string, R>
): Record<string, L | R> {
  const out: Record<string, L | R> = { ...recorded }
  for (const [name, run] of Object.entries(local)) {
    const stored = out[name]
    if (!stored || Date.parse(run.at) > Date.parse(stored.at)) out[name] = run
  }
  return out
}

function _withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
