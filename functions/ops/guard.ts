/** @module Who may read /ready and /metrics: anyone, or only a bearer of OPS_TOKEN (OPS_PUBLIC, OPS_TOKEN). */
import type { Context } from 'hono'
import type { AppEnv } from '../../shared/core/function.ts'
import { secretEquals } from '../../shared/hash.ts'

/** Null when the request may go on; else the 401 to answer (never saying what the token is). */
export async function opsGuard(c: Context<AppEnv>): Promise<Response | null> {
  const { OPS_TOKEN, OPS_PUBLIC } = c.get('services').config
  if (!OPS_TOKEN) {
    if (OPS_PUBLIC) return null
    return c.json(
      {
        error: 'unauthorized',
        message: `${c.req.path} is closed here: set OPS_TOKEN and send it as Authorization: Bearer <OPS_TOKEN> (or OPS_PUBLIC=true).`,
      },
      401
    )
  }
  const header = c.req.header('authorization') ?? ''
  const token = header.startsWith('Bearer ') ? header.slice(7).trim() : ''
  if (await secretEquals(token, OPS_TOKEN)) return null
  return c.json(
    { error: 'unauthorized', message: `${c.req.path} needs Authorization: Bearer <OPS_TOKEN>.` },
    401,
    { 'WWW-Authenticate': 'Bearer' }
  )
}
