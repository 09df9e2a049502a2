/**
 * @module The ingest bench's steady-rate load generator (issue 46: p99 at 1,000 deliveries a second), run with plain
 * `node` in a process of its own pinned to another core than the server. Same argument and output as
 * `ingest-load.mjs`, with `rate` required.
 *
 * Why not autocannon's `overallRate`: autocannon lets each connection send its share of a second's requests back to
 * back as soon as the second starts, so "1,000 a second" over 50 connections is a burst of 1,000 at full concurrency
 * at the top of every second and then silence; and its coordinated-omission correction at that rate counts a request
 * that took L ms as L samples (1 ms expected interval). Plane sends deliveries as things happen, spread out.
 *
 * Here request k is due at `start + k / rate` (open loop: the schedule does not wait for answers), goes out on the
 * first of `connections` keep-alive sockets free (or waits in the agent's queue for one), and its latency runs from
 * the moment it was due to the end of its answer: a server that falls behind is charged for the wait it causes, and
 * so is the generator if it falls behind its own schedule (reported as `sendLagP99Ms`). The first WARM_UP_S at the
 * same rate are sent and answered but not counted: the sockets are opened there (autocannon opens its own before
 * it starts), not in the measured seconds.
 */
import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { signedRequest } from './ingest-requests.mjs'

const config = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'))
if (!(config.rate > 0)) throw new Error('ingest-paced.mjs: a rate (requests a second) is required')
/** What an answer may take before it counts as a timeout (autocannon's default). */
const ANSWER_TIMEOUT_MS = 10_000
/** Seconds at the rate before the measured ones. */
const WARM_UP_S = 1

const url = new URL(config.url)
const agent = new Agent({ keepAlive: true, maxSockets: config.connections })
const warmUp = Math.round(WARM_UP_S * config.rate)
const total = warmUp + Math.round(config.durationSec * config.rate)
const intervalMs = 1000 / config.rate
const firstIndex = config.bodies.kind === 'templates' ? config.bodies.firstIndex : 0
const latencies = []
const sendLags = []
const statusCodes = {}
let non2xx = 0
let errors = 0
let timeouts = 0
let unexpected = 0
let settled = 0
let lastAnswerAt = 0

const cpuAtStart = process.cpuUsage()
const start = performance.now()
await new Promise((resolve) => {
  let sent = 0
  const settle = () => {
    settled++
    if (settled === total) resolve()
  }
  const tick = () => {
    const now = performance.now()
    while (sent < total && start + sent * intervalMs <= now) {
      _send(sent, start + sent * intervalMs, now, settle)
      sent++
    }
    if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()))
  }
  tick()
})
const cpu = process.cpuUsage(cpuAtStart)
agent.destroy()

const seconds = ((lastAnswerAt || performance.now()) - (start + warmUp * intervalMs)) / 1000
const sortedLatencies = Float64Array.from(latencies).sort()
process.stdout.write(
  `${JSON.stringify({
    requests: latencies.length,
    durationSec: seconds,
    reqPerSec: latencies.length / seconds,
    p50Ms: _percentile(sortedLatencies, 0.5),
    p99Ms: _percentile(sortedLatencies, 0.99),
    maxMs: _percentile(sortedLatencies, 1),
    non2xx,
    errors,
    timeouts,
    unexpected,
    statusCodes,
    built: total,
    loadCpuShare: (cpu.user + cpu.system) / 1e6 / (seconds + WARM_UP_S),
    sendLagP99Ms: _percentile(Float64Array.from(sendLags).sort(), 0.99),
    warmUpSec: WARM_UP_S,
  })}\n`
)

function _send(k, dueAt, now, settle) {
  const { body, headers } = signedRequest(config, firstIndex + k)
  const counted = k >= warmUp
  if (counted) sendLags.push(now - dueAt)
  let done = false
  const finish = (outcome) => {
    if (done) return
    done = true
    outcome()
    settle()
  }
  const req = request(
    {
      agent,
      method: 'POST',
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      timeout: ANSWER_TIMEOUT_MS,
    },
    (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        text += chunk
      })
      res.on('end', () =>
        finish(() => {
          const status = res.statusCode ?? 0
          statusCodes[status] = (statusCodes[status] ?? 0) + 1
          // Failures count in the warm-up too: none is expected anywhere.
          if (status < 200 || status >= 300) {
            non2xx++
            return
          }
          // A 2xx whose body is not the expected one (a `duplicate` where `accepted` was due) is counted, not trusted.
          if (text !== config.expectBody) unexpected++
          if (!counted) return
          lastAnswerAt = performance.now()
          latencies.push(lastAnswerAt - dueAt)
        })
      )
      res.on('error', () => finish(() => errors++))
    }
  )
  req.on('timeout', () => {
    finish(() => timeouts++)
    req.destroy()
  })
  req.on('error', () => finish(() => errors++))
  req.end(body)
}

/** The value at quantile `q` of `sorted` (ascending; nearest rank), in ms to 0.1; 0 when there is none. */
function _percentile(sorted, q) {
  if (sorted.length === 0) return 0
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return Math.round(sorted[rank - 1] * 10) / 10
}
