/**
 * @module The session API's calls on a workspace's webhooks that `bootstrap` makes (plane-session-api.md): list,
 * create, update; Plane CE's API keys cannot reach them. Read as calls.ts reads any answer (`ok`).
 */

import { ok } from './calls.ts'
import type { JsonAnswer, PlaneSession } from './client.ts'

export type WebhookEvents = {
  project: boolean
  issue: boolean
  module: boolean
  cycle: boolean
  issue_comment: boolean
}
export type WebhookRow = WebhookEvents & {
  id: string
  url: string
  active: boolean
  secret: string
}

export async function listWebhooks(s: PlaneSession, slug: string): Promise<WebhookRow[]> {
  const rows = ok(
    await s.json<Array<Record<string, unknown>>>('GET', `/api/workspaces/${slug}/webhooks/`),
    `list the webhooks of ${slug}`
  )
  return rows.map(_webhook)
}

/** The answer as it came: 201 with the webhook (its secret), 400 for a URL Plane refuses, 409 for a URL it has. */
export async function createWebhook(
  s: PlaneSession,
  slug: string,
  url: string,
  events: WebhookEvents
): Promise<JsonAnswer<Record<string, unknown>> & { webhook: WebhookRow | null }> {
  const answer = await s.json<Record<string, unknown>>(
    'POST',
    `/api/workspaces/${slug}/webhooks/`,
    {
      url,
      ...events,
    }
  )
  if (answer.status === 401) ok(answer, 'create the webhook')
  return { ...answer, webhook: answer.status === 201 ? _webhook(answer.body) : null }
}

export async function updateWebhook(
  s: PlaneSession,
  slug: string,
  id: string,
  patch: Partial<WebhookEvents> & { is_active?: boolean }
): Promise<WebhookRow> {
  return _webhook(
    ok(
      await s.json<Record<string, unknown>>(
        'PATCH',
        `/api/workspaces/${slug}/webhooks/${id}/`,
        patch
      ),
      'update the webhook'
    )
  )
}

// --- Internal helpers ---

function _webhook(row: Record<string, unknown>): WebhookRow {
  return {
    id: String(row.id),
    url: String(row.url ?? ''),
    active: row.is_active !== false,
    secret: String(row.secret_key ?? ''),
    project: row.project === true,
    issue: row.issue === true,
    module: row.module === true,
    cycle: row.cycle === true,
    issue_comment: row.issue_comment === true,
  }
}
