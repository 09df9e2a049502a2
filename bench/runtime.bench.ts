/**
 * @module What plane-bridge's HTTP stack costs: its app (request id, access log, metrics, routing from the registry)
 * against a bare Hono app, both served by @hono/node-server through the runtime's `listen()`.
 *
 * Load comes from this same process (fetch, concurrency 50): client and server share one JS thread, so every
 * number includes the client's own cost per request and the ratios understate the server-side difference.
 */
import { Hono } from 'hono'
import { functions } from '../functions/index.ts'
import { createApp } from '../runtime/app.ts'
import { createRoot } from '../runtime/root.ts'
import { createServices } from '../runtime/services.ts'
import { loadConfig } from '../shared/core/config.ts'
import type { AppEnv } from '../shared/core/function.ts'
import { createLogger } from '../shared/observe/log.ts'
import { createMemoryStore } from '../shared/store/store.ts'
import { defineBench } from './harness.ts'
import { httpGetCase, type LoopbackServer, serveOnLoopback } from './http-load.ts'
import { sharedFixture } from './shared-fixture.ts'

const CONCURRENCY = 50

const bareServer = sharedFixture(() => serveOnLoopback(createBareApp()), closeServer)
const bridgeServer = sharedFixture(openBridgeServer, closeServer)

export const runtimeBench = defineBench({
  name: 'runtime',
  description: `HTTP GET through plane-bridge's app vs a bare Hono app (in-process fetch load, concurrency ${CONCURRENCY})`,
  concurrency: CONCURRENCY,
  baseline: httpGetCase({ name: 'bare hono GET /health', server: bareServer, path: '/health' }),
  cases: [
    httpGetCase({ name: 'plane-bridge GET /health', server: bridgeServer, path: '/health' }),
    httpGetCase({ name: 'plane-bridge GET /metrics', server: bridgeServer, path: '/metrics' }),
    httpGetCase({ name: 'plane-bridge GET /ready (memory)', server: bridgeServer, path: '/ready' }),
  ],
})

/** The floor: the same route and body as plane-bridge's /health, with no middleware at all. */
function createBareApp(): Hono<AppEnv> {
  // Typed AppEnv only so the runtime's listen() accepts it; no middleware sets or reads those variables.
  const app = new Hono<AppEnv>()
  app.get('/health', (c) => c.json({ status: 'ok' }))
  return app
}

/** plane-bridge's real app and registry; only the log sink (a no-op) and the store (memory) differ from production. */
async function openBridgeServer(): Promise<LoopbackServer> {
  const config = loadConfig({ STORE_DRIVER: 'memory' })
  // Level info: every access line is still built, redacted and serialized; only the write is dropped.
  const log = createLogger({ level: 'info', write: function discard() {} })
  const store = createMemoryStore()
  const services = createServices({ config, functions, log, store })
  const server = await serveOnLoopback(createApp({ functions, root: createRoot(services) }))
  return {
    origin: server.origin,
    close: async () => {
      await server.close()
      await store.dispose()
    },
  }
}

function closeServer(server: LoopbackServer): Promise<void> {
  return server.close()
}
