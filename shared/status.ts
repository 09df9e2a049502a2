/** @module What this instance last saw of each integration and job, for GET /ready. */

export type ContactStatus = { ok: boolean; at: string; detail?: string }
export type JobStatus = { outcome: string; at: string; durationMs: number; error?: string }

export type StatusBoard = {
  /** Record the outcome of a call to Plane, Telegram, OpenClaw… (`detail` must hold no secret). */
  contact(integration: string, ok: boolean, detail?: string): void
  job(name: string, status: Omit<JobStatus, 'at'>): void
  snapshot(): { integrations: Record<string, ContactStatus>; jobs: Record<string, JobStatus> }
}

export function createStatusBoard(now: () => number = Date.now): StatusBoard {
  const integrations: Record<string, ContactStatus> = {}
  const jobs: Record<string, JobStatus> = {}
  const at = () => new Date(now()).toISOString()
  return {
    contact(integration, ok, detail) {
      integrations[integration] = detail ? { ok, at: at(), detail } : { ok, at: at() }
    },
    job(name, status) {
      jobs[name] = { ...status, at: at() }
    },
    snapshot: () => ({ integrations: { ...integrations }, jobs: { ...jobs } }),
  }
}
