/**
 * @module The two servers of the webhook bench, both on loopback through the runtime's `listen()`: a bare Hono
 * app that only checks the HMAC (the floor), and plane-bridge's real app on a given store, whose background
 * processing is drained before its store closes.
 */
import { Hono } from 'hono'
import { functions } from '../functions/index.ts'
import { createApp } from '../runtime/app.ts'
import { createRoot } from '../runtime/root.ts'
import { createServices } from '../runtime/services.ts'
import { loadConfig } from '../shared/core/config.ts'
import type { AppEnv } from '../shared/core/function.ts'
import { createLogger } from '../shared/observe/log.ts'
import type { Store } from '../shared/store/store.ts'
import { type BackgroundGate, gateBackground } from './background-gate.ts'
import { type LoopbackServer, serveOnLoopback } from './http-load.ts'
import { createSignatureCheck } from './ingest-hmac.mjs'
import { type SharedFixture, sharedFixture } from './shared-fixture.ts'
import { median } from './stats.ts'

/** The setting's ceiling (100,000 a minute a source): the bench measures throughput, not the limiter saying no. */
const RATE_LIMIT_PER_MIN = '100000'
// What the runtime's SIGTERM handling allows in-flight work by default (SHUTDOWN_TIMEOUT_MS).
const DRAIN_TIMEOUT_MS = 8000

/** The floor: read the raw body, verify the hex HMAC-SHA256 (WebCrypto, constant time), answer 200. */
export function bareWebhookServer(secret: string): SharedFixture<LoopbackServer> {
  return sharedFixture(
    async function openBareServer() {
      return serveOnLoopback(await _createBareApp(secret))
    },
    function closeBareServer(server) {
      return server.close()
    }
  )
}

/** A served plane-bridge app, with a handle on the processing its accepted deliveries started. */
export type BridgeServer = LoopbackServer & {
  /** Resolves when fewer than the server's `backlog` deliveries (and notify passes) are being processed. */
  room(): Promise<void>
  /** Waits until every accepted delivery is processed; throws if that takes over DRAIN_TIMEOUT_MS. */
  settle(): Promise<void>
}

export type BridgeServerOptions = {
  /** Names the server in progress lines. */
  label: string
  store: SharedFixture<Store>
  secret: string
  /** Background tasks allowed to run before `room()` holds the load back. */
  backlog: number
}

/**
 * plane-bridge's real app and registry with only the webhook settings: no Plane, Telegram or OpenClaw, so a
 * delivery's background processing ends in the notification pipeline and nothing leaves the machine.
 */
export function bridgeWebhookServer({
  label,
  store: storeFixture,
  secret,
  backlog,
}: BridgeServerOptions): SharedFixture<BridgeServer> {
  let gate: BackgroundGate | null = null
  // How long processing ran on after each segment's last answer: how far it lagged behind ingest.
  const lags: number[] = []
  return sharedFixture(
    async function openBridgeServer() {
      try {
        const store = await storeFixture.open()
        const config = loadConfig({
          PLANE_WEBHOOK_SECRET: secret,
          WEBHOOK_RATE_LIMIT_PER_MIN: RATE_LIMIT_PER_MIN,
        })
        // Level info: every access line is still built, redacted and serialized; only the write is dropped.
        const log = createLogger({ level: 'info', write: function discard() {} })
        const services = createServices({ config, functions, log, store })
        // Swapped in before the app or the bridge exists, so every task they start is counted.
        const opened = gateBackground(services.background)
        services.background = opened.background
        gate = opened
        const server = await serveOnLoopback(createApp({ functions, root: createRoot(services) }))
        return {
          ...server,
          room: () => opened.room(backlog),
          settle: () => _settle(label, opened, lags),
        }
      } catch (error) {
        // close() is never called after a failed open: release what did open.
        await storeFixture.close()
        throw error
      }
    },
    async function closeBridgeServer(opened) {
      // No new deliveries, then let the accepted ones finish processing, then close their store.
      await opened.close()
      if (gate) {
        const left = await gate.drain(DRAIN_TIMEOUT_MS)
        _report(label, lags, gate.waits(), left)
      }
      gate = null
      lags.length = 0
      await storeFixture.close()
    }
  )
}

// --- Internal helpers ---

async function _createBareApp(secret: string): Promise<Hono<AppEnv>> {
  // The ingest bench's check (key imported once, constant-time verify): per-request cost is the HMAC itself.
  const signedBody = await createSignatureCheck(secret)
  // Typed AppEnv only so the runtime's listen() accepts it; no middleware sets or reads those variables.
  const app = new Hono<AppEnv>()
  app.post('/webhooks/plane', async function bareWebhook(c) {
    if (!(await signedBody(c))) return c.json({ error: 'invalid_signature' }, 401)
    return c.json({ status: 'accepted' }, 200)
  })
  return app
}

async function _settle(label: string, gate: BackgroundGate, lags: number[]): Promise<void> {
  const { drained, ms } = await gate.drain(DRAIN_TIMEOUT_MS)
  if (!drained) {
    throw new Error(`${label}: background work still running ${Math.round(ms)} ms after a segment`)
  }
  lags.push(ms)
}

function _report(
  label: string,
  lags: readonly number[],
  waits: { count: number; ms: number },
  left: { drained: boolean; ms: number }
) {
  // Lag after each segment and waits for room both say processing, not HTTP, set the pace.
  const lag = `${Math.round(median(lags))} ms (max ${Math.round(Math.max(...lags, 0))})`
  const held = `${waits.count} waits for room, ${Math.round(waits.ms)} ms in all`
  const end = left.drained ? 'drained' : 'NOT drained, its store closes under it'
  process.stderr.write(
    `[webhook] ${label}: processing ran on a median ${lag} after a segment; ${held}; teardown: ${end}\n`
  )
}
