/**
 * @module The last execution of each job, kept in the store: `npm run job -- <name>` and cron executions of
 * every replica show in /ready, not only those of the process that answers it. One write per execution, no secrets.
 */

import { createRedactor } from '../observe/redact.ts'
import type { JobStatus } from '../observe/status.ts'
import { readByName, type Store } from '../store/store.ts'
import { capText } from '../text/cap.ts'
import { type Config, secretValues } from './config.ts'
import type { JobContext } from './function.ts'
import { type SettingsFingerprint, settingsFingerprint } from './settings-fingerprint.ts'

/** What /ready shows of a job's last execution, wherever it ran. */
export type JobExecutionRecord = JobStatus & {
  outcome: 'ok' | 'error'
  /** When the execution began (`at` is when it ended). */
  startedAt: string
  trigger: JobContext['trigger']
  /** A cron function (the server's own work) or a one-off job (a person's command); absent in older records. */
  kind?: 'cron' | 'job'
  /** The settings it ran with: /ready shows an execution made with others as such, not as its own state. */
  settings?: SettingsFingerprint
}

/** Long enough for a monthly job to show its last execution; a job never run again fades out. */
const JOB_EXECUTION_TTL_S = 45 * 24 * 60 * 60
/** An error summary, not a stack: enough to know where to look. */
const MAX_ERROR_CHARS = 300

/** The key keeps its older word (`last-run`): it is the stored format every replica reads. */
const keyOf = (job: string) => `job:last-run:${job}`

/** Record a finished execution (one store write): its outcome, times and the error's first words, redacted. */
export async function recordJobExecution(
  { store, config }: { store: Store; config: Config },
  job: string,
  execution: {
    outcome: 'ok' | 'error'
    trigger: JobContext['trigger']
    kind: 'cron' | 'job'
    startedMs: number
    endedMs: number
    error?: string
  }
): Promise<void> {
  const record: JobExecutionRecord = {
    outcome: execution.outcome,
    trigger: execution.trigger,
    kind: execution.kind,
    settings: settingsFingerprint(config),
    startedAt: new Date(execution.startedMs).toISOString(),
    at: new Date(execution.endedMs).toISOString(),
    durationMs: execution.endedMs - execution.startedMs,
    ...(execution.error ? { error: _summary(execution.error, config) } : {}),
  }
  await store.set(keyOf(job), record, { ttlSeconds: JOB_EXECUTION_TTL_S })
}

/** The recorded last execution of each named job that has one (one read for them all, no key scan). */
export async function lastJobExecutions(
  store: Store,
  jobs: readonly string[]
): Promise<Record<string, JobExecutionRecord>> {
  return readByName<JobExecutionRecord>(store, jobs, keyOf)
}

// --- Internal helpers ---

function _summary(error: string, config: Config): string {
  const text = createRedactor(secretValues(config)).text(error.split('\n')[0] ?? '')
  return capText(text, MAX_ERROR_CHARS)
}
