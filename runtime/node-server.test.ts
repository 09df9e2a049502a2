import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { defineHttpFunction } from '../shared/core/function.ts'
import { AnswerWithheld } from '../shared/net/http-errors.ts'
import { makeServices } from '../sim/e2e/services.ts'
import { sendThenRead } from '../test/helpers/raw-sender.ts'
import { createApp } from './app.ts'
import type { LingerOptions } from './node-early-answer.ts'
import { listen, type NodeServer } from './node-server.ts'

const silent = defineHttpFunction({
  name: 'silent',
  description: 'withholds its answer',
  method: 'POST',
  path: '/silent',
  handler: async (c) => {
    await c.req.arrayBuffer()
    throw new AnswerWithheld('not kept')
  },
})
const ok = defineHttpFunction({
  name: 'ok',
  description: 'answers',
  method: 'POST',
  path: '/ok',
  handler: (c) => c.json({ ok: true }),
})

/** Refuses before it reads the body, as the webhook route does without a signature. */
const refuses = defineHttpFunction({
  name: 'refuses',
  description: 'refuses unread',
  method: 'POST',
  path: '/refuses',
  handler: (c) => c.json({ error: 'invalid_signature' }, 401),
})

let server: NodeServer | null = null
afterEach(async () => {
  await server?.close(1000)
  server = null
})

/** POST as Python's requests does: the outcome is a status, or the transport error the caller would see. */
function post(port: number, path: string): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST' }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }))
    })
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message })
    )
    req.end('{"event":"issue"}')
  })
}

describe('node server', () => {
  it('should drop the connection, with no HTTP answer, when a route withholds its answer', async () => {
    const functions = [silent, ok]
    const services = makeServices({ functions })
    server = await listen(createApp({ functions, root: services.root }), {
      port: 0,
      hostname: '127.0.0.1',
    })
    // A reset connection is a requests.ConnectionError for Plane's worker: a transport error it retries.
    expect(await post(server.port, '/silent')).toEqual({ error: 'ECONNRESET' })
    // The server goes on serving.
    expect(await post(server.port, '/ok')).toEqual({ status: 200 })
  })

  async function serveRefusals(linger?: LingerOptions) {
    const functions = [refuses, ok]
    const services = makeServices({ functions })
    server = await listen(createApp({ functions, root: services.root }), {
      port: 0,
      hostname: '127.0.0.1',
      ...(linger ? { linger } : {}),
    })
    return server.port
  }

  it('should let a caller that sends its whole body before reading read an early refusal', async () => {
    const port = await serveRefusals()
    // 1 MiB over ~1 s (a slow link): the server has answered long before, and must not close under the body.
    const answer = await sendThenRead({
      port,
      path: '/refuses',
      bodyBytes: 1024 * 1024,
      pauseMs: 60,
    })
    expect(answer).toMatchObject({ status: 401, error: null, sent: 1024 * 1024 })
    expect(answer.headers.connection).toBe('close')
    expect(JSON.parse(answer.body)).toEqual({ error: 'invalid_signature' })
    // The server goes on serving.
    expect(await post(port, '/ok')).toEqual({ status: 200 })
  })

  it('should answer a body that arrived whole without closing the connection', async () => {
    const port = await serveRefusals()
    // Node's client sends a small body with its head: the whole request is there when the route answers.
    const connection = await new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/refuses', method: 'POST' }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.headers.connection))
      })
      req.end('{"event":"issue"}')
    })
    expect(connection).toBe('keep-alive')
  })

  it('should cut a refused body off past its bound in bytes, after the answer', async () => {
    const port = await serveRefusals({ maxBytes: 64 * 1024 })
    const answer = await sendThenRead({
      port,
      path: '/refuses',
      bodyBytes: 1000 * 1024,
      pauseMs: 5,
      readWhileSending: true,
    })
    expect(answer.status).toBe(401)
    // Read and thrown away up to the bound, then the connection is closed: far from the 1000 KiB offered.
    expect(answer.sent).toBeLessThan(512 * 1024)
  })

  it('should cut a caller that is still sending a refused body off after its bound in time', async () => {
    const port = await serveRefusals({ maxMs: 300 })
    // 64 KiB at 1 KiB every 100 ms: 6.4 s, ignoring the answer (it reads nothing until it has sent everything).
    const answer = await sendThenRead({
      port,
      path: '/refuses',
      bodyBytes: 64 * 1024,
      chunkBytes: 1024,
      pauseMs: 100,
    })
    expect(answer.sent).toBeLessThan(32 * 1024)
    expect(answer.error).not.toBeNull()
  })
})
