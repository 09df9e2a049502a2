/** @module `sim.fetch`: the shared in-process transport, restricted to the simulator's origin. */

import { createAppFetch } from '../shared/transport.ts'

type FetchApp = { fetch: (request: Request) => Response | Promise<Response> }

/**
 * Routes absolute URLs under `baseUrl` into the app (abort signals honoured by the shared
 * transport); any other origin fails the way undici reports an unresolvable host.
 */
export function createSimFetch(app: FetchApp, baseUrl: string): typeof fetch {
  const origin = new URL(baseUrl).origin
  return createAppFetch(app, {
    beforeRequest: function rejectForeignOrigin(request) {
      const url = new URL(request.url)
      if (url.origin === origin) return
      throw new TypeError('fetch failed', {
        cause: new Error(`getaddrinfo ENOTFOUND ${url.hostname}`),
      })
    },
  })
}
