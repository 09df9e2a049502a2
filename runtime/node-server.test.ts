import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { defineHttpFunction } from '../shared/function.ts'
import { AnswerWithheld } from '../shared/http-errors.ts'
import { makeServices } from '../sim/e2e/services.ts'
import { createApp } from './app.ts'
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
})
