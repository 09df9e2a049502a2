/**
 * @module HTTP cases: serve a Hono app on a random loopback port with the runtime's own `listen()`, and GET it with
 * Node's fetch (undici: keep-alive, one socket per request in flight, so concurrency N holds N sockets).
 */
import type { Hono } from 'hono'
import { listen } from '../runtime/node-server.ts'
import type { AppEnv } from '../shared/core/function.ts'
import type { Case } from './harness.ts'
import type { SharedFixture } from './shared-fixture.ts'

export type LoopbackServer = { origin: string; close(): Promise<void> }

// Idle keep-alive sockets are closed at once; only a request stuck in flight could make close wait this long.
const CLOSE_TIMEOUT_MS = 2000

export async function serveOnLoopback(app: Hono<AppEnv>): Promise<LoopbackServer> {
  // Port 0: the OS picks a free port, so the bench never collides with a running plane-bridge.
  const server = await listen(app, { port: 0, hostname: '127.0.0.1' })
  return {
    origin: `http://127.0.0.1:${server.port}`,
    close: async () => {
      await server.close(CLOSE_TIMEOUT_MS)
    },
  }
}

/** A case that GETs `path` once per op, reads the whole body, and fails the bench on any other status. */
export function httpGetCase({
  name,
  server,
  path,
  status = 200,
}: {
  name: string
  server: SharedFixture<LoopbackServer>
  path: string
  status?: number
}): Case {
  let url = ''
  return {
    name,
    async setup() {
      url = new URL(path, (await server.open()).origin).href
      // One request up front: a wrong route fails here, with a clear message, not mid-round.
      await getOnce(url, status)
    },
    run: () => getOnce(url, status),
    teardown: () => server.close(),
  }
}

async function getOnce(url: string, status: number): Promise<void> {
  const res = await fetch(url)
  // Read the body: an unread body keeps its socket busy, and the client's parsing is part of a real request.
  await res.arrayBuffer()
  if (res.status !== status) throw new Error(`GET ${url}: ${res.status}, expected ${status}`)
}
