/** @module Runs one cron or job function: once per schedule slot across replicas, never overlapping itself, never throwing. */

import { errorMessage } from '../observe/errors.ts'
import { diagnosePlaneFailure } from '../plane/diagnose.ts'
import { keepLease, LOCK_LEASE } from '../store/lease.ts'
import type {
  JobContext,
  JobOutcome,
  PartName,
  Root,
  RunnableFunction,
  Services,
} from './function.ts'
import { recordJobExecution } from './job-executions.ts'
import type { Parts } from './parts.ts'

export type JobExecutionResult = {
  outcome: 'ok' | 'error' | 'skipped' | 'overlap'
  durationMs: number
  summary?: string
  /** For the terminal only; never logged. */
  terminal?: string[]
  error?: string
  /** The run found nothing to do. */
  idle?: boolean
  /** For `npm run job`: 2 when the run succeeded but a person must still act. */
  exitCode?: 0 | 2
}

export type ExecuteJobOptions = {
  trigger: JobContext['trigger']
  /** Schedule slot for cron runs (every replica computes the same one); null runs unconditionally. */
  slot?: string | null
  signal?: AbortSignal
  /** Words after the job's name on the command line. */
  args?: readonly string[]
  /** Progress lines of a long step, for the terminal (`npm run job`). */
  progress?: (line: string) => void
}

/** A slot claim outlives any clock skew between replicas; slots are unique, so it only bounds storage. */
const SLOT_CLAIM_TTL_S = 6 * 60 * 60
export const DEFAULT_MAX_DURATION_S = 10 * 60

/**
 * @example const result = await executeJob(pollFunction, root, { trigger: 'cron', slot: slotOf(scheduledTime) })
 */
export async function executeJob(
  fn: RunnableFunction,
  root: Root,
  {
    trigger,
    slot = null,
    signal = new AbortController().signal,
    args = [],
    progress,
  }: ExecuteJobOptions
): Promise<JobExecutionResult> {
  const { services } = root
  const { log, metrics, store, status, now } = services
  const started = now()
  // Written at the end of a run that ran (ok or error), awaited before executeJob returns.
  let recording: Promise<void> | null = null
  const finish = (result: Omit<JobExecutionResult, 'durationMs'>): JobExecutionResult => {
    const done: JobExecutionResult = { ...result, durationMs: now() - started }
    metrics.jobRuns.inc({ job: fn.name, outcome: done.outcome })
    if (done.outcome === 'ok') metrics.jobLastSuccess.set({ job: fn.name }, now() / 1000)
    if (done.outcome === 'ok' || done.outcome === 'error') {
      metrics.jobDuration.observe({ job: fn.name }, done.durationMs / 1000)
      status.job(fn.name, {
        outcome: done.outcome,
        durationMs: done.durationMs,
        ...(done.error ? { error: done.error } : {}),
      })
      // In the store too: a run from `npm run job` or another replica shows in every /ready.
      recording = recordJobExecution(services, fn.name, {
        outcome: done.outcome,
        trigger,
        kind: fn.kind,
        startedMs: started,
        endedMs: started + done.durationMs,
        ...(done.error ? { error: done.error } : {}),
      }).catch((error: unknown) =>
        log.warn('job run not recorded', {
          job: fn.name,
          error: errorMessage(error),
        })
      )
    }
    const line = { job: fn.name, trigger, slot, outcome: done.outcome, durationMs: done.durationMs }
    // Run by hand (`npm run job`), the CLI's own summary line says how it ended: the same in JSON would say it twice.
    if (trigger === 'cli') log.debug(done.outcome === 'error' ? 'job failed' : 'job run', line)
    else if (done.outcome === 'error') log.error('job failed', { ...line, error: done.error })
    // A run that did nothing (notify, every minute) is not worth 1,440 info lines a day.
    else if (done.outcome === 'ok' && done.idle)
      log.debug('job run', { ...line, summary: done.summary })
    else if (done.outcome === 'ok') log.info('job run', { ...line, summary: done.summary })
    else log.debug('job not run', line)
    return done
  }

  // In-process guard per runtime: the store lock also covers this, but a second tick must not even reach the store.
  if (!services.runningJobs.start(fn.name)) return finish({ outcome: 'overlap' })
  try {
    // Two replicas sharing one store: exactly one takes each slot.
    if (slot && !(await store.claim(`cron:slot:${fn.name}:${_slotKey(slot)}`, SLOT_CLAIM_TTL_S))) {
      return finish({ outcome: 'skipped' })
    }
    const maxDurationS = fn.maxDurationSeconds ?? DEFAULT_MAX_DURATION_S
    const context = () => ({
      ...services,
      ..._declaredParts(fn, root),
      log: log.child({ job: fn.name }),
      trigger,
      slot,
      signal,
      args,
      ...(progress ? { progress } : {}),
    })
    if (fn.kind === 'job' && fn.needsStore === false)
      return finish(_outcome(await fn.run(context())))
    // A lease renewed while the run goes on, up to its longest: a process that dies running the job keeps the
    // next run (its own, once restarted) out for one lease, not for the job's whole maximum.
    const lock = await store.lock(
      `cron:running:${fn.name}`,
      Math.min(LOCK_LEASE.seconds, maxDurationS)
    )
    if (!lock) return finish({ outcome: 'overlap' })
    const lease = keepLease(lock, LOCK_LEASE, {
      untilMs: started + maxDurationS * 1000,
      now,
      onLost: () =>
        log.warn('job lock lost', {
          job: fn.name,
          effect: 'another process may run this job at the same time',
        }),
    })
    try {
      return finish(_outcome(await fn.run(context())))
    } finally {
      lease.stop()
      await lock.release().catch(() => false)
    }
  } catch (error) {
    return finish({ outcome: 'error', error: _failureText(error, services) })
  } finally {
    services.runningJobs.end(fn.name)
    await recording
  }
}

/** The slot of a scheduled instant, as every replica computes it: `2026-11-21T06:05:00Z`. */
export function slotOf(scheduledAt: Date | number): string {
  return `${new Date(scheduledAt).toISOString().slice(0, 19)}Z`
}

// --- Internal helpers ---

/**
 * The parts a function declares, from the runtime's, built now if nothing built them yet: a run that declares none
 * (`check` with the store down, `agent-token`) builds no client and no pipeline. The registry's type forgets which
 * parts a function declared; defineCronFunction and defineJobFunction checked that its run reads only those.
 */
function _declaredParts(fn: RunnableFunction, root: Root): Pick<Parts, PartName> {
  const names = fn.parts ?? []
  if (names.length === 0) return {} as Pick<Parts, PartName>
  const parts = root.parts()
  return Object.fromEntries(names.map((name) => [name, parts[name]])) as Pick<Parts, PartName>
}

/**
 * What failed, and for a Plane failure that a setting explains, which one and the fix: the job CLI,
 * the log and /ready then say "PLANE_API_KEY refused …: regenerate PLANE_API_KEY", not only Plane's 403.
 */
function _failureText(error: unknown, services: Services): string {
  const message = errorMessage(error)
  const diagnosis = diagnosePlaneFailure(error, { slug: services.config.PLANE_WORKSPACE_SLUG })
  return diagnosis.setting && !message.includes(diagnosis.setting)
    ? `${message} — ${diagnosis.detail}`
    : message
}

/** What a run returned, as the result `finish` records: a `failure` is a failed run that still shows its lines. */
function _outcome(outcome: JobOutcome | undefined): Omit<JobExecutionResult, 'durationMs'> {
  if (outcome?.failure)
    return {
      outcome: 'error',
      error: outcome.failure,
      ...(outcome.summary ? { summary: outcome.summary } : {}),
      ...(outcome.terminal ? { terminal: outcome.terminal } : {}),
    }
  return {
    outcome: 'ok',
    ...(outcome?.summary ? { summary: outcome.summary } : {}),
    ...(outcome?.terminal ? { terminal: outcome.terminal } : {}),
    ...(outcome?.idle ? { idle: true } : {}),
    ...(outcome?.exitCode ? { exitCode: outcome.exitCode } : {}),
  }
}

/** Store keys allow no `:` inside a segment: 2026-11-21T06:05:00Z → 2026-11-21T06-05-00Z. */
function _slotKey(slot: string): string {
  return slot.replace(/[^A-Za-z0-9_.-]/g, '-')
}
