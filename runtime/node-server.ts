/** @module Serves the Hono app on Node and closes it gracefully: stop accepting, let in-flight requests finish. */
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import type { Hono } from 'hono'
import type { AppEnv } from '../shared/function.ts'

export type NodeServer = {
  port: number
  /** Stop accepting; resolves true when every in-flight request has finished, false after `timeoutMs`. */
  close(timeoutMs: number): Promise<boolean>
}

export function listen(
  app: Hono<AppEnv>,
  { port, hostname = '0.0.0.0' }: { port: number; hostname?: string }
) {
  return new Promise<NodeServer>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }) as Server
    server.once('error', reject)
    server.once('listening', () => {
      server.off('error', reject)
      const address = server.address()
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: (timeoutMs) => _close(server, timeoutMs),
      })
    })
  })
}

function _close(server: Server, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections()
      resolve(false)
    }, timeoutMs)
    server.close(() => {
      clearTimeout(timer)
      resolve(true)
    })
    // Keep-alive connections with no request in flight would hold close() open.
    server.closeIdleConnections()
  })
}
