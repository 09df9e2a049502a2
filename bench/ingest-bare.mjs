/**
 * @module The ingest bench's baseline, run with plain `node` in a process of its own: a bare Hono app on
 * @hono/node-server whose one POST route reads the raw body, checks the hex HMAC-SHA256 as plane-bridge does
 * (`ingest-hmac.mjs`: WebCrypto `crypto.subtle.verify`, key imported once, constant time) and answers 200.
 * `GET /health` says it is up.
 * Settings from the environment: PORT, HOST (default 127.0.0.1), PLANE_WEBHOOK_SECRET.
 */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createSignatureCheck } from './ingest-hmac.mjs'

const secret = process.env.PLANE_WEBHOOK_SECRET
if (!secret) throw new Error('PLANE_WEBHOOK_SECRET is required')
const signedBody = await createSignatureCheck(secret)

const app = new Hono()
app.get('/health', (c) => c.json({ status: 'ok' }))
app.post('/webhooks/plane', async function bareWebhook(c) {
  if (!(await signedBody(c))) return c.json({ error: 'invalid_signature' }, 401)
  return c.json({ status: 'accepted' }, 200)
})

const server = serve({
  fetch: app.fetch,
  port: Number(process.env.PORT ?? 8787),
  hostname: process.env.HOST ?? '127.0.0.1',
})
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close())
