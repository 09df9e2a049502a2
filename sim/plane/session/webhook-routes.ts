/**
 * @module Workspace settings → Webhooks (`app/views/webhook/base.py`, `app/serializers/webhook.py`, `db/models/
 * webhook.py`): workspace Admins only; the URL checked by the release's rules (webhooks/url-rules.ts); one webhook
 * per URL (409); every read returns the whole row, secret included (`DynamicBaseSerializer` drops the `fields=` the
 * views pass); PATCH checks a new URL without the request's host (the view passes `context={request: request}`,
 * keyed by the object, so the serializer finds no request). The same views at v1.2.2 and v1.3.1.
 */

import { errorBody, PlaneHttpError } from '../http-errors.ts'
import { readObjectBody } from '../request-body.ts'
import type { SimApp, SimContext } from '../routes/context.ts'
import type { Webhook } from '../types.ts'
import type { RegisterWebhookInput } from '../webhooks/emitter.ts'
import type { WebhookUrlVerdict } from '../webhooks/url-rules.ts'
import { requireSession, type SessionDeps } from './sessions.ts'

const TOGGLES = ['project', 'issue', 'module', 'cycle', 'issue_comment', 'is_active'] as const

export type WebhookRouteDeps = SessionDeps & {
  stamp: () => string
  webhookUrl(url: string, requestHost: string): WebhookUrlVerdict
  register(input: RegisterWebhookInput): Webhook
}

export function registerWebhookRoutes(app: SimApp, deps: WebhookRouteDeps) {
  const { store } = deps
  const signedIn = requireSession(deps)
  const base = '/api/workspaces/:slug/webhooks/'
  const isAdmin = (c: SimContext) =>
    store.workspace.exists &&
    c.req.param('slug') === store.workspace.slug &&
    store.workspaceMembers.some(
      (row) => row.member === c.get('user').id && row.is_active && row.role === 20
    )
  const admin = async (c: SimContext, next: () => Promise<void>) => {
    if (!isAdmin(c)) return c.json({ error: "You don't have the required permissions." }, 403)
    await next()
  }
  const find = (c: SimContext) => {
    const webhook = store.webhooks.get(c.req.param('pk') ?? '')
    if (!webhook) throw errorBody(404, 'The required object does not exist.')
    return webhook
  }

  app.get(base, signedIn, admin, (c) => c.json([...store.webhooks.values()].reverse()))

  app.post(base, signedIn, admin, async function createWebhook(c) {
    const data = await readObjectBody(c)
    const url = typeof data.url === 'string' ? data.url : ''
    if (!url) throw new PlaneHttpError(400, { url: ['This field is required.'] })
    const verdict = deps.webhookUrl(url, new URL(c.req.url).hostname)
    if (!verdict.ok) throw new PlaneHttpError(400, verdict.body)
    if ([...store.webhooks.values()].some((w) => w.url === url))
      return c.json({ error: 'URL already exists for the workspace' }, 409)
    const toggles = Object.fromEntries(
      TOGGLES.filter((key) => key in data).map((key) => [key, _bool(data[key])])
    )
    return c.json(deps.register({ url, ...toggles }), 201)
  })

  app.get(`${base}:pk/`, signedIn, admin, (c) => c.json(find(c)))

  app.patch(`${base}:pk/`, signedIn, admin, async function patchWebhook(c) {
    const webhook = find(c)
    const data = await readObjectBody(c)
    if (typeof data.url === 'string' && data.url !== webhook.url) {
      const verdict = deps.webhookUrl(data.url, '')
      if (!verdict.ok) throw new PlaneHttpError(400, verdict.body)
      if ([...store.webhooks.values()].some((w) => w.url === data.url))
        throw errorBody(400, 'The payload is not valid')
      webhook.url = data.url
    }
    for (const key of TOGGLES) if (key in data) webhook[key] = _bool(data[key])
    webhook.updated_at = deps.stamp()
    return c.json(webhook)
  })

  app.delete(`${base}:pk/`, signedIn, admin, function deleteWebhook(c) {
    store.webhooks.delete(find(c).id)
    return c.body(null, 204)
  })

  app.post(`${base}:pk/regenerate/`, signedIn, admin, function regenerate(c) {
    const webhook = find(c)
    webhook.secret_key = `plane_wh_${crypto.randomUUID().replaceAll('-', '')}`
    webhook.updated_at = deps.stamp()
    return c.json(webhook)
  })
}

/** DRF's BooleanField: true, "true", "True", 1, "1", "on"… */
function _bool(value: unknown): boolean {
  return value === true || value === 1 || ['true', 'True', '1', 'on', 'yes'].includes(String(value))
}
