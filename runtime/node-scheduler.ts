/** @module Schedules the registry's cron functions with croner: no overlap with itself, one run per slot across replicas. */
import { Cron } from 'croner'
import {
  type AppFunction,
  type CronFunction,
  type Root,
  scheduleOf,
} from '../shared/core/function.ts'
import { executeJob, slotOf } from '../shared/core/run-job.ts'

/** A cron's firing may come a little before its scheduled instant; look this far ahead when naming its slot. */
const SLOT_TOLERANCE_MS = 500

export type NodeScheduler = {
  /** Stop scheduling new runs (running ones go on). */
  stop(): void
  /** Resolves true when no run is in flight, false if `timeoutMs` passed first. */
  idle(timeoutMs: number): Promise<boolean>
  next(name: string): Date | null
}

export type StartSchedulerOptions = {
  functions: readonly AppFunction[]
  root: Root
  /** Aborted at shutdown; passed to every run. */
  signal: AbortSignal
}

export function startScheduler({ functions, root, signal }: StartSchedulerOptions): NodeScheduler {
  const { services } = root
  const inFlight = new Set<Promise<unknown>>()
  const jobs = new Map<string, Cron>()
  const crons = functions.filter(
    (fn): fn is CronFunction => fn.kind === 'cron' && services.inventory.enabled.includes(fn.name)
  )
  for (const fn of crons) {
    const timezone = fn.timezone === 'config' ? services.config.TIMEZONE : 'UTC'
    const job = new Cron(
      scheduleOf(fn, services.config),
      {
        timezone,
        // croner skips a firing while the previous run of this job is still going (style-anchors.md B5.12). The log
        // line keeps its words ("tick skipped"): operators' searches read it.
        protect: function overlapped() {
          services.metrics.jobRuns.inc({ job: fn.name, outcome: 'overlap' })
          services.log.warn('job still running, tick skipped', { job: fn.name })
        },
        catch: (error: unknown) =>
          services.log.error('scheduler error', { job: fn.name, error: String(error) }),
      },
      async function fire(self: Cron) {
        // The slot is the scheduled instant (not "now"), so replicas agree even when their firings come apart.
        const scheduledAt = self.previousRuns(1, new Date(services.now() + SLOT_TOLERANCE_MS))[0]
        const slot = slotOf(scheduledAt ?? services.now())
        const run = executeJob(fn, root, { trigger: 'cron', slot, signal })
        inFlight.add(run)
        try {
          await run
        } finally {
          inFlight.delete(run)
        }
      }
    )
    jobs.set(fn.name, job)
    services.log.info('scheduled', {
      job: fn.name,
      schedule: scheduleOf(fn, services.config),
      timezone,
      next: job.nextRun()?.toISOString(),
    })
  }

  return {
    stop() {
      for (const job of jobs.values()) job.stop()
    },
    async idle(timeoutMs) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs)
      })
      const drained = Promise.allSettled([...inFlight]).then(() => true as const)
      const result = await Promise.race([drained, timedOut])
      clearTimeout(timer)
      return result
    },
    next: (name) => jobs.get(name)?.nextRun() ?? null,
  }
}
