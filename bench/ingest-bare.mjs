/**
 * @module The ingest bench's floor, run with plain `node` in a process of its own: a bare Hono app on
 * @hono/node-server whose one POST route reads the raw body, checks the hex HMAC-SHA256 as plane-bridge does
 * (WebCrypto `crypto.subtle.verify`, key imported once, constant time) and answers 200. `GET /health` says it is up.
 * Settings from the environment: PORT, HOST (default 127.0.0.1), PLANE_WEBHOOK_SECRET.
 */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/

const secret = process.env.PLANE_WEBHOOK_SECRET
if (!secret) throw new Error('PLANE_WEBHOOK_SECRET is required')
const key = await crypto.subtle.importKey(
  'raw',
  new TextEncoder().encode(secret),
  { name: 'HMAC', hash: 'SHA-256' },
  false,
  ['verify']
)

const app = new Hono()
app.get('/health', (c) => c.json({ status: 'ok' }))
app.post('/webhooks/plane', async function bareWebhook(c) {
  const raw = new Uint8Array(await c.req.arrayBuffer())
  const hex = c.req.header('x-plane-signature')
  if (
    !hex ||
    !SIGNATURE_PATTERN.test(hex) ||
    !(await crypto.subtle.verify('HMAC', key, bytes(hex), raw))
  ) {
    return c.json({ error: 'invalid_signature' }, 401)
  }
  return c.json({ status: 'accepted' }, 200)
})

const server = serve({
  fetch: app.fetch,
  port: Number(process.env.PORT ?? 8787),
  hostname: process.env.HOST ?? '127.0.0.1',
})
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close())

function bytes(hex) {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}
