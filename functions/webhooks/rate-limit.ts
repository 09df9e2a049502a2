/** @module Per-source rate limit of the public webhook routes (NOTIF-02), counted in the store so replicas share it. */
import type { Context } from 'hono'
import type { AppEnv } from '../../shared/function.ts'

/** NOTIF-02: at most N requests a minute from one source; the store counts, so replicas share the budget. */
export async function rateLimit(c: Context<AppEnv>, perMinute: number): Promise<Response | null> {
  const { store, now } = c.var.services
  // Behind Caddy the client is the first X-Forwarded-For hop (Caddy 2.6 does not trust incoming XFF).
  const source = (c.req.header('x-forwarded-for')?.split(',')[0]?.trim() || 'direct').replace(
    /[^A-Za-z0-9_.@+=-]/g,
    '_'
  )
  const minute = Math.floor(now() / 60_000)
  try {
    const count = await store.increment(`webhook:rate:${source}:${minute}`, 120)
    if (count <= perMinute) return null
  } catch {
    return c.json({ error: 'unavailable', message: 'Storage unavailable; not accepted.' }, 503)
  }
  const retryAfterS = Math.max(1, Math.ceil(((minute + 1) * 60_000 - now()) / 1000))
  c.header('Retry-After', String(retryAfterS))
  return c.json(
    { error: 'rate_limited', message: `More than ${perMinute} requests a minute.` },
    429
  )
}
