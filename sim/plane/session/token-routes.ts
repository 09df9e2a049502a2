/**
 * @module Profile settings → API tokens (`app/views/api.py` ApiTokenEndpoint, `app/serializers/api.py`, `db/models/
 * api.py`): a token is shown once, in the 201 that creates it; the list leaves it out (and service tokens); a
 * deleted token no longer opens `/api/v1/`. The same at v1.2.2 and v1.3.1 (v1.2.2 also had a workspace "service
 * token" route, gone in v1.3.0, which the web app's settings never call).
 */

import { newApiToken } from '../factories.ts'
import { errorBody } from '../http-errors.ts'
import { readObjectBody } from '../request-body.ts'
import type { SimApp } from '../routes/context.ts'
import type { ApiTokenRecord } from '../store.ts'
import { requireSession, type SessionDeps } from './sessions.ts'
import type { SimTokenMeta } from './state.ts'

export function registerTokenRoutes(app: SimApp, deps: SessionDeps & { stamp: () => string }) {
  const { store, state } = deps
  const signedIn = requireSession(deps)
  const metaOf = (token: ApiTokenRecord): SimTokenMeta => {
    let meta = state.tokenMeta.get(token.token)
    if (!meta) {
      const at = deps.stamp()
      meta = {
        id: crypto.randomUUID(),
        label: crypto.randomUUID().replaceAll('-', ''),
        description: '',
        created_at: at,
        updated_at: at,
        last_used: null,
      }
      state.tokenMeta.set(token.token, meta)
    }
    return meta
  }
  const view = (token: ApiTokenRecord) => {
    const meta = metaOf(token)
    return {
      id: meta.id,
      created_at: meta.created_at,
      updated_at: meta.updated_at,
      deleted_at: null,
      label: meta.label,
      description: meta.description,
      // APITokenReadSerializer.get_is_active: only the expiry counts.
      is_active: token.expired_at === null || token.expired_at > deps.now(),
      last_used: meta.last_used,
      user_type: 0,
      expired_at: token.expired_at === null ? null : new Date(token.expired_at).toISOString(),
      is_service: token.is_service,
      allowed_rate_limit: '60/min',
      user: token.user,
      workspace: null,
    }
  }
  const own = (userId: string) =>
    [...store.tokens.values()].filter((t) => t.user === userId).reverse()
  const find = (userId: string, id: string) => own(userId).find((t) => metaOf(t).id === id)

  app.post('/api/users/api-tokens/', signedIn, async function createToken(c) {
    const data = await readObjectBody(c)
    const token: ApiTokenRecord = {
      token: newApiToken(),
      user: c.get('user').id,
      is_active: true,
      expired_at: typeof data.expired_at === 'string' ? Date.parse(data.expired_at) : null,
      is_service: false,
    }
    store.tokens.set(token.token, token)
    const meta = metaOf(token)
    if (typeof data.label === 'string') meta.label = data.label
    if (typeof data.description === 'string') meta.description = data.description
    // "Token will be only visible while creating".
    return c.json({ ...view(token), token: token.token }, 201)
  })

  app.get('/api/users/api-tokens/', signedIn, function listTokens(c) {
    return c.json(
      own(c.get('user').id)
        .filter((t) => !t.is_service)
        .map(view)
    )
  })

  app.get('/api/users/api-tokens/:pk/', signedIn, function getToken(c) {
    const token = find(c.get('user').id, c.req.param('pk'))
    if (!token) throw errorBody(404, 'The required object does not exist.')
    return c.json(view(token))
  })

  app.delete('/api/users/api-tokens/:pk/', signedIn, function deleteToken(c) {
    const token = find(c.get('user').id, c.req.param('pk'))
    if (!token || token.is_service) throw errorBody(404, 'The required object does not exist.')
    // A soft delete: the key's lookup (`APIToken.objects`) no longer finds it.
    store.tokens.delete(token.token)
    state.tokenMeta.delete(token.token)
    return c.body(null, 204)
  })
}
