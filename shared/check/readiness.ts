/**
 * @module What GET /ready calls this server's state: the live state of the server that answers.
 * Contacts and job runs recorded in the store by other processes are shown with the settings they ran with, and count
 * only when they are the server's own kind of work made with its settings: a one-off `npm run job -- check` (stale as
 * soon as `provision` fixed something) or a run with one setting overridden is shown, never taken for the server's
 * state. Pure.
 */

import type { Config } from '../core/config.ts'
import type { JobExecutionRecord } from '../core/job-executions.ts'
import { ranWith, type SettingsFingerprint } from '../core/settings-fingerprint.ts'
import type { ContactStatus, JobStatus } from '../observe/status.ts'
import { checkTelegramChat } from './telegram.ts'

/** A job's last run: this process's (JobStatus), or as recorded in the store (JobExecutionRecord). */
type JobEntry = JobStatus & Partial<Pick<JobExecutionRecord, 'kind' | 'settings' | 'trigger'>>

/** A contact or a run as /ready shows it: without the fingerprint, with the settings it ran with said in words. */
export type Shown<T> = Omit<T, 'settings'> & { ranWith?: string }

export type ReadinessInput = {
  config: Pick<Config, 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_CHAT_ID' | 'TELEGRAM_ALLOWED_CHAT_IDS'>
  /** This server's settings (settings-fingerprint.ts). */
  own: SettingsFingerprint
  integrations: Record<string, ContactStatus>
  jobs: Record<string, JobEntry>
  dead: number
}

export type Readiness = {
  reasons: string[]
  integrations: Record<string, Shown<ContactStatus>>
  jobs: Record<string, Shown<JobEntry>>
}

export function judgeReadiness({
  config,
  own,
  integrations,
  jobs,
  dead,
}: ReadinessInput): Readiness {
  const reasons: string[] = []
  const shownIntegrations: Record<string, Shown<ContactStatus>> = {}
  for (const [name, contact] of Object.entries(integrations)) {
    const { shown, ours } = _show(contact, own)
    shownIntegrations[name] = shown
    if (ours && !contact.ok) reasons.push(`${name}: ${contact.detail ?? 'failing'}`)
  }
  const shownJobs: Record<string, Shown<JobEntry>> = {}
  for (const [name, job] of Object.entries(jobs)) {
    const { shown, ours } = _show(job, own)
    shownJobs[name] = shown
    // A one-off job (check, provision…) is a person's command, not the server's work: its last run is shown only.
    const oneOff = job.kind === 'job'
    if (ours && !oneOff && job.outcome === 'error')
      reasons.push(`job ${name} failed: ${job.error ?? 'error'}`)
  }
  // A bot token without a chat reaches nobody: /ready says so, as check does.
  if (config.TELEGRAM_BOT_TOKEN) {
    const chat = checkTelegramChat(config)
    if (chat.status === 'fail') reasons.push(`${chat.name}: ${chat.detail}`)
  }
  if (dead > 0) reasons.push(`${dead} dead letter${dead > 1 ? 's' : ''} in the outbox`)
  return { reasons, integrations: shownIntegrations, jobs: shownJobs }
}

/** Whether a recorded entry is this server's (no fingerprint: this process's own, or an older record). */
function _show<T extends { settings?: SettingsFingerprint }>(
  entry: T,
  own: SettingsFingerprint
): { shown: Shown<T>; ours: boolean } {
  const { settings, ...rest } = entry
  if (!settings) return { shown: rest, ours: true }
  const said = ranWith(own, settings)
  return { shown: { ...rest, ranWith: said }, ours: said === ranWith(own, own) }
}
