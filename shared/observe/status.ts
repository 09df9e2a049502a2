/**
 * @module What this instance last saw of each integration and job, for GET /ready; contacts are also written
 * through `persist` (the store, contacts.ts) so that every process's /ready sees them.
 */

export type ContactStatus = {
  ok: boolean
  at: string
  detail?: string
  /** In the store: the settings of the process that made the contact (settings-fingerprint.ts). */
  settings?: Record<string, string>
}
export type JobStatus = { outcome: string; at: string; durationMs: number; error?: string }

export type StatusLedger = {
  /** Record the outcome of a call to Plane, Telegram, OpenClaw… (`detail` must hold no secret). */
  contact(integration: string, ok: boolean, detail?: string): void
  job(name: string, status: Omit<JobStatus, 'at'>): void
  read(): { integrations: Record<string, ContactStatus>; jobs: Record<string, JobStatus> }
  /** Wait for contacts being written to the store (a one-off job before it exits). */
  flush(): Promise<void>
}

export type StatusLedgerOptions = {
  now?: () => number
  /** Write a contact where other processes read it; failures are the caller's to log. */
  persist?: (integration: string, status: ContactStatus) => Promise<void>
}

/** A contact that keeps its outcome is written again at most this often (every Plane call is a contact). */
const PERSIST_EVERY_MS = 60_000

export function createStatusLedger({
  now = Date.now,
  persist,
}: StatusLedgerOptions = {}): StatusLedger {
  const integrations: Record<string, ContactStatus> = {}
  const jobs: Record<string, JobStatus> = {}
  const written = new Map<string, { ok: boolean; detail: string | undefined; atMs: number }>()
  const writing = new Set<Promise<void>>()
  const at = () => new Date(now()).toISOString()
  return {
    contact(integration, ok, detail) {
      const status = detail ? { ok, at: at(), detail } : { ok, at: at() }
      integrations[integration] = status
      if (!persist) return
      const last = written.get(integration)
      if (last && last.ok === ok && last.detail === detail && now() - last.atMs < PERSIST_EVERY_MS)
        return
      written.set(integration, { ok, detail, atMs: now() })
      const write = persist(integration, status)
        .catch(() => written.delete(integration))
        .then(() => undefined)
        .finally(() => writing.delete(write))
      writing.add(write)
    },
    job(name, status) {
      jobs[name] = { ...status, at: at() }
    },
    read: () => ({ integrations: { ...integrations }, jobs: { ...jobs } }),
    flush: async () => {
      await Promise.all([...writing])
    },
  }
}
