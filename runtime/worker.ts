/**
 * @module Cloudflare Workers entry: `fetch` serves the registry's HTTP functions, `scheduled` runs its cron
 * functions, from the same registry, config and services as the Node runtime (runtime/node.ts).
 */
import { AgentRegistryError } from '../shared/agents/registry.ts'
import { ConfigError } from '../shared/core/config.ts'
import { scheduleOf } from '../shared/core/function.ts'
import { executeJob, slotOf } from '../shared/core/run-job.ts'
import { AnswerWithheld } from '../shared/net/http-errors.ts'
import { errorMessage } from '../shared/observe/errors.ts'
import { createRedactor } from '../shared/observe/redact.ts'
import { dueCronFunctions } from './worker-crons.ts'
import { getWorkerRuntime, type WorkerEnv, type WorkerRuntime } from './worker-runtime.ts'
import { outlastCaller } from './worker-withheld.ts'

/** The parts of the Workers `ExecutionContext` and `ScheduledController` used here. */
export type WorkerExecutionContext = { waitUntil(promise: Promise<unknown>): void }
export type WorkerScheduledController = { cron: string; scheduledTime: number }

/**
 * Workers keep an event alive 30 s after its response for `waitUntil` work; background work still going
 * after this is left to the stores' queues (the `notify` cron replays the inbox and drains the outbox).
 */
const BACKGROUND_GRACE_MS = 25_000

/**
 * Why no per-request `keepAlive`: background work is shared by the isolate (a drain started by one request
 * re-arms timers that serve the next), and a task often starts from another task, outside any request. So
 * every event waits, through its own `waitUntil`, until the isolate's background is idle: each request's
 * work is covered by its own event, whatever other events run beside it.
 */
function keepAliveUntilIdle(runtime: WorkerRuntime, ctx: WorkerExecutionContext): void {
  ctx.waitUntil(runtime.services.background.idle(BACKGROUND_GRACE_MS))
}

async function fetch(
  request: Request,
  env: WorkerEnv,
  ctx: WorkerExecutionContext
): Promise<Response> {
  let runtime: WorkerRuntime
  try {
    runtime = getWorkerRuntime(env)
  } catch (error) {
    return misconfigured(error)
  }
  const started = Date.now()
  try {
    return await runtime.app.fetch(request)
  } catch (error) {
    if (!(error instanceof AnswerWithheld)) throw error
    return outlastCaller(started)
  } finally {
    keepAliveUntilIdle(runtime, ctx)
  }
}

async function scheduled(
  controller: WorkerScheduledController,
  env: WorkerEnv,
  ctx: WorkerExecutionContext
): Promise<void> {
  const runtime = getWorkerRuntime(env)
  const { services, root, functions } = runtime
  const due = dueCronFunctions(functions, {
    cron: controller.cron,
    scheduledTime: controller.scheduledTime,
    timezone: services.config.TIMEZONE,
    enabled: services.inventory.enabled,
    scheduleOf: (fn) => scheduleOf(fn, services.config),
  })
  // The slot is the scheduled instant, so a trigger delivered twice runs each function once (executeJob's claim).
  const slot = slotOf(controller.scheduledTime)
  const runs = Promise.all(
    due.map((fn) => executeJob(fn, root, { trigger: 'scheduled', slot }))
  ).then(() => services.background.idle(BACKGROUND_GRACE_MS))
  ctx.waitUntil(runs)
}

/** Bad settings: Node refuses to start; a Worker answers 500 and logs why (never a secret's value). */
function misconfigured(error: unknown): Response {
  const known = error instanceof ConfigError || error instanceof AgentRegistryError
  const message = errorMessage(error)
  console.error(
    JSON.stringify({
      level: 'error',
      msg: 'plane-bridge is misconfigured',
      error: known ? message : createRedactor().text(message),
    })
  )
  return Response.json(
    { error: 'misconfigured', message: 'Invalid settings; see the Worker logs.' },
    { status: 500 }
  )
}

export default { fetch, scheduled }
