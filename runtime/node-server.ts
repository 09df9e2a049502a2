/**
 * @module Serves the Hono app on Node and closes it gracefully: stop accepting, let in-flight requests finish. A
 * route that withholds its answer has its connection dropped; an answer given before the body has all arrived (a
 * refusal) is read by the caller (node-early-answer.ts).
 */
import { IncomingMessage, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { serve } from '@hono/node-server'
import type { Hono } from 'hono'
import type { AppEnv } from '../shared/core/function.ts'
import { AnswerWithheld } from '../shared/net/http-errors.ts'
import { answerBeforeBody, type LingerOptions } from './node-early-answer.ts'

export type NodeServer = {
  port: number
  /** Stop accepting; resolves true when every in-flight request has finished, false after `timeoutMs`. */
  close(timeoutMs: number): Promise<boolean>
}

export type ListenOptions = {
  port: number
  hostname?: string
  /** The bounds of reading a refused body to its end (default: node-early-answer.ts). */
  linger?: LingerOptions
}

export function listen(app: Hono<AppEnv>, { port, hostname = '0.0.0.0', linger }: ListenOptions) {
  return new Promise<NodeServer>((resolve, reject) => {
    const server = serve({
      fetch: (request, env) => _serve(app, request, env, linger),
      port,
      hostname,
    }) as Server
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

/**
 * The app's answer; none at all when a route withheld it (AnswerWithheld): the socket is destroyed, which the
 * caller sees as a reset connection (Plane's worker: a `requests.ConnectionError`, retried). @hono/node-server
 * passes the request's `incoming` message as the app's env.
 */
async function _serve(
  app: Hono<AppEnv>,
  request: Request,
  env: { incoming?: { socket: Socket | null } } | undefined,
  linger: LingerOptions | undefined
): Promise<Response> {
  try {
    const response = await app.fetch(request, env)
    const incoming = env?.incoming
    return incoming instanceof IncomingMessage
      ? await answerBeforeBody(response, incoming, linger)
      : response
  } catch (error) {
    if (!(error instanceof AnswerWithheld)) throw error
    env?.incoming?.socket?.destroy()
    // Never written: the socket is gone.
    return new Response(null, { status: 500 })
  }
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
