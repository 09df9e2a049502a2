/**
 * @module The last run of each job, kept in the store: `npm run job -- <name>` and cron runs of every
 * replica show in /ready, not only those of the process that answers it. One write per run, no secrets.
 */

import { createRedactor } from '../observe/redact.ts'
import type { JobStatus } from '../observe/status.ts'
import { readByName, type Store } from '../store/store.ts'
import { capText } from '../text/cap.ts'
import { type Config, secretValues } from './config.ts'
import type { JobContext } from './function.ts'
import { type SettingsFingerprint, settingsFingerprint } from './settings-fingerprint.ts'

/** What /ready shows of a job's last run, wherever it ran. */
export type JobRunRecord = JobStatus & {
  outcome: 'ok' | 'error'
  /** When the run began (`at` is when it ended). */
  startedAt: string
  trigger: JobContext['trigger']
  /** A cron function (the server's own work) or a one-off job (a person's command); absent in older records. */
  kind?: 'cron' | 'job'
  /** The settings it ran with: /ready shows a run made with others as such, not as its own state. */
  settings?: SettingsFingerprint
}

/** Long enough for a monthly job to show its last run; a job never run again fades out. */
const JOB_RUN_TTL_S = 45 * 24 * 60 * 60
/** An error summary, not a stack: enough to know where to look. */
const MAX_ERROR_CHARS = 300

const keyOf = (job: string) => `job:last-run:${job}`

/** Record a finished run (one store write): its outcome, times and the error's first words, redacted. */
export async function recordJobRun(
  { store, config }: { store: Store; config: Config },
  job: string,
  run: {
    outcome: 'ok' | 'error'
    trigger: JobContext['trigger']
    kind: 'cron' | 'job'
    startedMs: number
    endedMs: number
    error?: string
  }
): Promise<void> {
  const record: JobRunRecord = {
    outcome: run.outcome,
    trigger: run.trigger,
    kind: run.kind,
    settings: settingsFingerprint(config),
    startedAt: new Date(run.startedMs).toISOString(),
    at: new Date(run.endedMs).toISOString(),
    durationMs: run.endedMs - run.startedMs,
    ...(run.error ? { error: _summary(run.error, config) } : {}),
  }
  await store.set(keyOf(job), record, { ttlSeconds: JOB_RUN_TTL_S })
}

/** The recorded last run of each named job that has one (one read for them all, no key scan). */
export async function lastJobRuns(
  store: Store,
  jobs: readonly string[]
): Promise<Record<string, JobRunRecord>> {
  return readByName<JobRunRecord>(store, jobs, keyOf)
}

// --- Internal helpers ---

function _summary(error: string, config: Config): string {
  const text = createRedactor(secretValues(config)).text(error.split('\n')[0] ?? '')
  return capText(text, MAX_ERROR_CHARS)
}
