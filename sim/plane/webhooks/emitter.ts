/** @module Webhook delivery: `webhook_activity` fan-out and `webhook_send_task` with Celery retries (§7.2–§7.5). */

import { createHmac } from 'node:crypto'
import type { SimClock } from '../clock.ts'
import { pyDumps } from '../py-json.ts'
import type { PlaneStore } from '../store.ts'
import type { Webhook } from '../types.ts'
import type { ActivityJob } from './model-activity.ts'
import { activityValue, actorData, buildEventData } from './payloads.ts'

/** `max_retries=5`: six attempts in all, then the webhook is deactivated. */
export const MAX_ATTEMPTS = 6
export const WEBHOOK_TIMEOUT_MS = 30_000
/** `retry_backoff=600` with `retry_backoff_max=600` and full jitter: uniform 0–600 s for every retry. */
export const MAX_RETRY_DELAY_MS = 600_000

export type Delivery = {
  deliveryId: string
  webhookId: string
  url: string
  event: string
  action: string
  body: string
  headers: Record<string, string>
  attempt: number
  status?: number
  error?: string
  responseBody?: string
}

export type WebhookEmitterOptions = {
  store: PlaneStore
  clock: SimClock
  fetch: typeof fetch
  /** Delay before retry `n` (1-based) in ms; default uniform 0–600 s. Tests pass `() => 0`. */
  retryDelayMs?: (retry: number) => number
  timeoutMs?: number
  /** Shuffle each batch of queued jobs: Celery workers deliver concurrently, in no fixed order. */
  reorder?: boolean
  random?: () => number
  /**
   * v1.3.1 validates the URL again at each delivery (DNS rebinding): a refused one is dropped, with no log, no retry
   * and no deactivation (`webhook_task.py`: `except Exception: log_exception; return`).
   */
  deliverable?: (url: string) => boolean
}

export type RegisterWebhookInput = {
  url: string
  secret?: string
  project?: boolean
  issue?: boolean
  cycle?: boolean
  module?: boolean
  issue_comment?: boolean
  is_active?: boolean
}

type SendTask = { webhook: Webhook; event: string; action: string; body: string }

export function createWebhookEmitter(options: WebhookEmitterOptions) {
  const {
    store,
    clock,
    timeoutMs = WEBHOOK_TIMEOUT_MS,
    reorder = false,
    random = Math.random,
  } = options
  const retryDelayMs = options.retryDelayMs ?? (() => Math.floor(random() * MAX_RETRY_DELAY_MS))
  const deliveries: Delivery[] = []
  /** Deliveries v1.3.1 dropped because their URL failed its check at send time. */
  const refusedAtDelivery: Array<{ url: string; event: string }> = []
  const jobs: ActivityJob[] = []
  const inflight = new Set<Promise<void>>()
  const retries = new Set<{
    dueAt: number
    timer: ReturnType<typeof setTimeout>
    run: () => void
  }>()
  let drainTimer: ReturnType<typeof setTimeout> | undefined

  function enqueue(job: ActivityJob) {
    jobs.push(job)
    drainTimer ??= setTimeout(drain, 0)
  }

  /** `webhook_activity`: picks active webhooks with the event's toggle and reads `data` now. */
  function drain() {
    if (drainTimer) clearTimeout(drainTimer)
    drainTimer = undefined
    const batch = jobs.splice(0)
    if (reorder) shuffle(batch, random)
    for (const job of batch) {
      const toggle = job.event as keyof Webhook
      const targets = [...store.webhooks.values()].filter(
        (hook) => hook.is_active && hook[toggle] === true
      )
      if (!targets.length) continue
      const data =
        job.verb === 'deleted'
          ? { id: job.objectId }
          : buildEventData(store, job.event, job.objectId)
      if (data === undefined) continue
      for (const webhook of targets) {
        const payload = {
          event: job.event,
          action: job.verb,
          webhook_id: webhook.id,
          workspace_id: webhook.workspace,
          data,
          activity: {
            field: job.field,
            new_value: job.newValue,
            old_value: activityValue(job.field, job.oldValue),
            actor: actorData(store, job.actorId),
            old_identifier: null,
            new_identifier: null,
          },
        }
        // The body is built once per task, so every retry re-sends identical bytes (§7.5).
        track(attempt({ webhook, event: job.event, action: job.verb, body: pyDumps(payload) }, 1))
      }
    }
  }

  function track(promise: Promise<void>) {
    inflight.add(promise)
    promise.finally(() => inflight.delete(promise))
  }

  async function attempt(task: SendTask, number: number): Promise<void> {
    if (options.deliverable && !options.deliverable(task.webhook.url)) {
      refusedAtDelivery.push({ url: task.webhook.url, event: task.event })
      return
    }
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'Autopilot',
      // A fresh uuid4 on every attempt: it cannot be used to dedupe retries (§0.3).
      'X-Plane-Delivery': crypto.randomUUID(),
      'X-Plane-Event': task.event,
      'X-Plane-Signature': createHmac('sha256', task.webhook.secret_key)
        .update(task.body)
        .digest('hex'),
      Accept: '*/*',
      'Accept-Encoding': 'gzip, deflate',
    }
    const delivery: Delivery = {
      deliveryId: headers['X-Plane-Delivery'] ?? '',
      webhookId: task.webhook.id,
      url: task.webhook.url,
      event: task.event,
      action: task.action,
      body: task.body,
      headers,
      attempt: number,
    }
    deliveries.push(delivery)
    const controller = new AbortController()
    const timer = setTimeout(
      () => controller.abort(new Error('Read timed out. (read timeout=30)')),
      timeoutMs
    )
    try {
      const response = await options.fetch(task.webhook.url, {
        method: 'POST',
        headers,
        body: task.body,
        signal: controller.signal,
      })
      delivery.status = response.status
      // Any status, 5xx included, counts as delivered: logged, never retried.
      delivery.responseBody = await response.text().catch(() => '')
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error)
      onTransportError(task, number)
    } finally {
      clearTimeout(timer)
    }
  }

  function onTransportError(task: SendTask, number: number) {
    if (number >= MAX_ATTEMPTS) {
      task.webhook.is_active = false
      task.webhook.updated_at = clock.stamp()
      return
    }
    const delay = Math.max(0, retryDelayMs(number))
    const entry = {
      dueAt: clock.nowMs() + delay,
      timer: setTimeout(() => entry.run(), delay),
      run: () => {
        if (!retries.delete(entry)) return
        clearTimeout(entry.timer)
        track(attempt(task, number + 1))
      },
    }
    retries.add(entry)
  }

  /** Drain the queue and wait for every attempt, including retries that are due by the sim clock. */
  async function settle() {
    for (;;) {
      if (jobs.length) drain()
      for (const entry of [...retries]) if (entry.dueAt <= clock.nowMs()) entry.run()
      if (!inflight.size) break
      await Promise.allSettled([...inflight])
    }
  }

  function register(input: RegisterWebhookInput): Webhook {
    const at = clock.stamp()
    const webhook: Webhook = {
      id: crypto.randomUUID(),
      url: input.url,
      is_active: input.is_active ?? true,
      secret_key: input.secret ?? `plane_wh_${crypto.randomUUID().replaceAll('-', '')}`,
      // Every toggle defaults to false in the model (§7.1).
      project: input.project ?? false,
      issue: input.issue ?? false,
      module: input.module ?? false,
      cycle: input.cycle ?? false,
      issue_comment: input.issue_comment ?? false,
      is_internal: false,
      version: 'v1',
      created_at: at,
      updated_at: at,
      workspace: store.workspace.id,
    }
    store.webhooks.set(webhook.id, webhook)
    return webhook
  }

  /** Retries scheduled for later (by the sim clock). */
  function pendingRetries(): number {
    return retries.size
  }

  return { enqueue, register, deliveries, refusedAtDelivery, settle, pendingRetries }
}

export type WebhookEmitter = ReturnType<typeof createWebhookEmitter>

function shuffle<T>(items: T[], random: () => number) {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1))
    const item = items[index] as T
    items[index] = items[other] as T
    items[other] = item
  }
}
