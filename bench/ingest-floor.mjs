/**
 * @module The ingest bench's floor of durable ingest, run with plain `node` in a process of its own: the bare
 * server of `ingest-bare.mjs` (Hono on @hono/node-server, the same HMAC check) plus the least any webhook receiver
 * must do before it answers 200 to Plane, which never retries a delivery it got a 2xx for (plane-api.md §7.5):
 * hash the body (the dedupe key), `JSON.parse` it (a body that is not JSON gets 400, not 200), and keep it in
 * Redis with one atomic command (a Lua script: claim the hash for a day, store the body under it) through ioredis
 * with auto-pipelining, as plane-bridge's Redis store does. No schema, no processing, no metrics, no log.
 *
 * It answers what issue 14's 0.5× goal leaves for everything plane-bridge does besides: its ratio to the bare
 * baseline, measured in the same rounds, is the ceiling of any design that keeps a delivery before answering.
 * Settings from the environment: PORT, HOST (default 127.0.0.1), PLANE_WEBHOOK_SECRET, REDIS_URL,
 * REDIS_KEY_PREFIX (every key it writes is under it and expires within the hour).
 */
import { createHash } from 'node:crypto'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { Redis } from 'ioredis'
import { createSignatureCheck } from './ingest-hmac.mjs'

const KEY_TTL_S = 3600
const INGEST_SCRIPT = `
if redis.call('SET', KEYS[1], '1', 'EX', ARGV[2], 'NX') then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0`

const secret = process.env.PLANE_WEBHOOK_SECRET
const prefix = process.env.REDIS_KEY_PREFIX
if (!secret) throw new Error('PLANE_WEBHOOK_SECRET is required')
if (!prefix) throw new Error('REDIS_KEY_PREFIX is required')
const signedBody = await createSignatureCheck(secret)
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', {
  enableAutoPipelining: true,
  lazyConnect: true,
})
await redis.connect()
redis.defineCommand('ingest', { numberOfKeys: 2, lua: INGEST_SCRIPT })
const utf8 = new TextDecoder()

const app = new Hono()
app.get('/health', (c) => c.json({ status: 'ok' }))
app.post('/webhooks/plane', async function floorWebhook(c) {
  const raw = await signedBody(c)
  if (!raw) return c.json({ error: 'invalid_signature' }, 401)
  const hash = createHash('sha256').update(raw).digest('hex')
  const text = utf8.decode(raw)
  try {
    JSON.parse(text)
  } catch {
    return c.json({ error: 'bad_request' }, 400)
  }
  const fresh = await redis.ingest(
    `${prefix}:seen:${hash}`,
    `${prefix}:body:${hash}`,
    text,
    KEY_TTL_S
  )
  return c.json({ status: fresh === 1 ? 'accepted' : 'duplicate' }, 200)
})

const server = serve({
  fetch: app.fetch,
  port: Number(process.env.PORT ?? 8787),
  hostname: process.env.HOST ?? '127.0.0.1',
})
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => server.close(() => redis.quit().catch(() => redis.disconnect())))
}
