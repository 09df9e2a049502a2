/** @module In-process fetch into a simulator's Hono app (honours AbortSignal), and listening on a loopback port. */

import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'

type FetchApp = { fetch: (request: Request) => Response | Promise<Response> }

export type Listening = { url: string; close: () => Promise<void> }

export type AppFetchOptions = {
  /** Runs first; throw to simulate a connection failure (the request never reaches the app). */
  beforeRequest?: (request: Request) => void
}

/**
 * A `fetch` that routes absolute URLs into `app` without a socket. It honours `init.signal` like a real
 * fetch (rejects with the abort reason), so client timeouts can be tested against a hanging handler.
 */
export function createAppFetch(app: FetchApp, { beforeRequest }: AppFetchOptions = {}) {
  return async function appFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init)
    const signal = init?.signal ?? undefined
    if (signal?.aborted) throw signal.reason
    beforeRequest?.(request)
    const response = Promise.resolve(app.fetch(request))
    if (!signal) return response
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      response.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  } satisfies typeof fetch
}

/**
 * Serve `app` on 127.0.0.1 (port 0 picks a free one). `close()` also drops open connections: a fault that
 * never answers (`hangNext`) would otherwise keep `server.close()` waiting forever.
 */
export function listenApp(app: FetchApp, port = 0): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            if ('closeAllConnections' in server) server.closeAllConnections()
            server.close((error) => (error ? fail(error) : done()))
          }),
      })
    })
    server.once('error', reject)
  })
}
