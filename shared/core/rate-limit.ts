/**
 * @module Rate limit of the public webhook routes (NOTIF-02): verified requests per minute and route, counted in
 * the store so replicas share the limit, through the runtime's pooled counters (a minute's first request waits for
 * the store, later ones are written together once a second: a round trip before every answer was its cost). It runs
 * after the signature or secret check: junk traffic is refused with 401 and never spends the limit of the real
 * sender (Plane never retries a 429: plane-api.md §7.5).
 */
import type { Context } from 'hono'
import type { AppEnv } from './function.ts'

/**
 * null when the request may go on; a 429 otherwise. When the store cannot count, a 503 (`uncounted: 'refuse'`, for
 * a sender that retries any error: Telegram), or the request goes on (`'pass'`, for Plane, which never retries an
 * HTTP answer: the route then tries to store it, and withholds the answer if it cannot). `0` turns it off.
 */
export async function rateLimit(
  c: Context<AppEnv>,
  perMinute: number,
  { uncounted = 'refuse' }: { uncounted?: 'refuse' | 'pass' } = {}
): Promise<Response | null> {
  if (perMinute === 0) return null
  const { now } = c.get('services')
  const { rateCounters } = c.get('parts')
  const minute = Math.floor(now() / 60_000)
  try {
    const count = await rateCounters.count(`webhook:rate:${c.get('functionName')}:${minute}`, 120)
    if (count <= perMinute) return null
  } catch {
    // Counted by the store (store_errors_total); the caller chose what an uncounted request gets. The counters keep
    // what they counted for the next write.
    if (uncounted === 'pass') return null
    return c.json({ error: 'unavailable', message: 'Storage unavailable; not accepted.' }, 503)
  }
  const retryAfterS = Math.max(1, Math.ceil(((minute + 1) * 60_000 - now()) / 1000))
  c.header('Retry-After', String(retryAfterS))
  return c.json(
    { error: 'rate_limited', message: `More than ${perMinute} requests a minute.` },
    429
  )
}
