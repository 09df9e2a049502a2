/**
 * Issue 46: a refusal given before the body is read (401 unsigned, 503 busy upload budget) is read by its caller,
 * over a real socket, never replaced by a reset. Junk at scale with Node's fetch (undici, keep-alive) and callers that
 * send their whole body before they read (Python's requests, curl) on a slow link; four 5 MiB uploads at once.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { createApp } from '../../runtime/app.ts'
import { listen, type NodeServer } from '../../runtime/node-server.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { SIM_PLANE_VERSION, startE2E } from '../../sim/e2e/harness.ts'
import { makeServices } from '../../sim/e2e/services.ts'
import { type RawSendResult, sendThenRead } from '../helpers/raw-sender.ts'

const MIB = 1024 * 1024
const SECRET = 'plane_wh_0123456789abcdef0123456789abcdef'

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

async function serve(app: Parameters<typeof listen>[0]): Promise<NodeServer> {
  const server = await listen(app, { port: 0, hostname: '127.0.0.1' })
  stops.push(async () => {
    await server.close(2000)
  })
  return server
}

/** Statuses counted; a caller that got no answer (a reset, a broken pipe) counts as `reset`. */
function tally(answers: ReadonlyArray<{ status: number | null }>): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const { status } of answers) {
    const key = status === null ? 'reset' : String(status)
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

describe('early refusals reach their caller (issue 46)', () => {
  it('should answer 2,200 unsigned deliveries with 401 over real sockets, slow senders included, with no reset', async () => {
    const services = makeServices({
      functions,
      env: { PLANE_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'error' },
    })
    const server = await serve(createApp({ functions, root: services.root }))
    const url = `http://127.0.0.1:${server.port}/webhooks/plane`
    const body = new Uint8Array(64 * 1024).fill(120)
    // Twenty callers on slow links (1 MiB over ~1 s, read only once sent), beside the flood.
    const slow = Promise.all(
      Array.from({ length: 20 }, () =>
        sendThenRead({
          port: server.port,
          path: '/webhooks/plane',
          headers: { 'content-type': 'application/json' },
          bodyBytes: MIB,
          pauseMs: 60,
        })
      )
    )
    const fast: Array<{ status: number | null }> = []
    for (let round = 0; round < 109; round++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => {
          try {
            const res = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
            })
            await res.arrayBuffer()
            return { status: res.status }
          } catch {
            return { status: null }
          }
        })
      )
      fast.push(...answers)
    }
    const slowAnswers: RawSendResult[] = await slow
    expect(tally([...fast, ...slowAnswers])).toEqual({ '401': 2200 })
    for (const answer of slowAnswers) {
      expect(answer.error).toBeNull()
      expect(answer.headers.connection).toBe('close')
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_signature' })
    }
  })

  it('should let four agents uploading 5 MiB as JSON at once read their answers: stored, or 503 with Retry-After', async () => {
    const t = await startE2E({
      concierge: true,
      plane: { version: SIM_PLANE_VERSION, fileSizeLimitBytes: 8 * MIB },
      // Room for two of the four bodies (~6.7 MB each as base64 in JSON).
      env: {
        PLANE_UPLOAD_MAX_BYTES: String(8 * MIB),
        UPLOAD_MEMORY_BUDGET_BYTES: String(16 * MIB),
      },
    })
    stops.push(() => t.stop())
    for (const assignee of ['imhotep', 'thot'])
      await callHttp(t.app, 'create_task', t.bridgeTokens.ra as string, {
        project: 'ONB',
        title: `Rapport ${assignee}`,
        assignee,
      })
    const server = await serve(t.app)
    const uploads = [
      ['imhotep', 'ONB-1'],
      ['thot', 'ONB-2'],
      ['imhotep', 'ONB-1'],
      ['thot', 'ONB-2'],
    ] as const
    const answers = await Promise.all(
      uploads.map(([agent, task], i) => {
        const json = JSON.stringify({
          task,
          filename: `rapport-${i}.pdf`,
          content_base64: randomBytes(5 * MIB - 1024).toString('base64'),
        })
        // Sent whole before the answer is read, on a link that takes about a second for it.
        return sendThenRead({
          port: server.port,
          path: '/bridge/v1/upload_deliverable',
          headers: {
            authorization: `Bearer ${t.bridgeTokens[agent]}`,
            'content-type': 'application/json',
          },
          body: json,
          chunkBytes: 256 * 1024,
          pauseMs: 40,
        })
      })
    )
    expect(tally(answers)).toEqual({ '200': 2, '503': 2 })
    for (const answer of answers.filter((a) => a.status === 503)) {
      expect(answer.error).toBeNull()
      expect(answer.headers['retry-after']).toBe('5')
      expect(JSON.parse(answer.body)).toMatchObject({
        error: 'busy',
        message: expect.stringContaining('multipart/form-data'),
      })
    }
    expect(t.services.uploadAllowance.inFlight()).toBe(0)
  })

  it('should let a caller still sending read the refusal of every route that refuses before reading', async () => {
    const t = await startE2E({
      concierge: true,
      plane: { version: SIM_PLANE_VERSION, fileSizeLimitBytes: 8 * MIB },
      env: { PLANE_UPLOAD_MAX_BYTES: String(8 * MIB) },
    })
    stops.push(() => t.stop())
    const server = await serve(t.app)
    const json = { 'content-type': 'application/json' }
    const refusals = [
      { path: '/webhooks/plane', headers: json, bodyBytes: MIB, status: 401 },
      { path: '/webhooks/telegram', headers: json, bodyBytes: MIB, status: 401 },
      { path: '/bridge/v1/create_task', headers: json, bodyBytes: MIB, status: 401 },
      {
        path: '/mcp',
        headers: { ...json, accept: 'application/json, text/event-stream' },
        bodyBytes: MIB,
        status: 401,
      },
      // Over the route's limit, declared: refused from the head (BODY_LIMIT_BYTES, the tools' upload limit).
      {
        path: '/webhooks/plane',
        headers: { ...json, 'x-plane-signature': 'a'.repeat(64) },
        bodyBytes: 2 * MIB,
        status: 413,
      },
      {
        path: '/bridge/v1/upload_deliverable',
        headers: { ...json, authorization: `Bearer ${t.bridgeTokens.imhotep}` },
        bodyBytes: 12 * MIB,
        status: 413,
      },
    ]
    const answers = await Promise.all(
      refusals.map(({ path, headers, bodyBytes }) =>
        // About a second on the wire for each, read only once sent.
        sendThenRead({
          port: server.port,
          path,
          headers,
          bodyBytes,
          chunkBytes: bodyBytes / 16,
          pauseMs: 60,
        })
      )
    )
    expect(answers.map((a) => [a.status, a.error])).toEqual(refusals.map((r) => [r.status, null]))
  })
})
