/**
 * @module The ingest bench's load generator, run with plain `node` in a process of its own (pinned to another core
 * than the server): autocannon POSTs signed Plane deliveries for a while, then one JSON line of results goes to
 * stdout. Argument: the path of a JSON file with `url`, `connections`, `durationSec`, `secret`, `expectBody`,
 * `sources`, an optional `rate` (requests a second over all connections) and `bodies` — either `{ kind: 'fixed', body }` (the same delivery every time: duplicates) or
 * `{ kind: 'templates', templates, issues, placeholder, firstUpdateMs, firstIssue, firstIndex }` (delivery i built
 * from its template as bench/plane-deliveries.ts describes, a new one for every request).
 *
 * Every request is built and signed here when autocannon asks for it (`setupRequest`), whatever the case, so the
 * generator's cost per request is the same for the baseline and for plane-bridge.
 */
import { createHmac, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

const config = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'))
const { bodies } = config
let next = bodies.kind === 'templates' ? bodies.firstIndex : 0
let built = 0
// autocannon refuses `expectBody` with `requests`: the answers are checked here instead.
let unexpected = 0

function bodyAt(index) {
  if (bodies.kind === 'fixed') return bodies.body
  const phase = Math.floor(index / bodies.issues) % 2
  const template = bodies.templates[(index % bodies.issues) + bodies.issues * phase]
  const ms = bodies.firstUpdateMs + (bodies.firstIssue + index) * 1000
  return template.replace(bodies.placeholder, new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'))
}

function setupRequest(request) {
  const index = next++
  built++
  const body = bodyAt(index)
  return {
    ...request,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Autopilot',
      'x-plane-delivery': randomUUID(),
      'x-plane-event': 'issue',
      'x-plane-signature': createHmac('sha256', config.secret).update(body).digest('hex'),
      'x-forwarded-for': `10.0.0.${(index % config.sources) + 1}`,
    },
  }
}

/** A 2xx whose body is not the expected one (a `duplicate` where `accepted` was due) is counted, not trusted. */
function onResponse(status, body) {
  if (status >= 200 && status < 300 && body !== config.expectBody) unexpected++
}

const cpuAtStart = process.cpuUsage()
const result = await autocannon({
  url: config.url,
  connections: config.connections,
  duration: config.durationSec,
  // A fixed rate over all connections (issue 46: p99 at 1,000 req/s); none: as fast as the server answers.
  ...(config.rate ? { overallRate: config.rate } : {}),
  requests: [{ method: 'POST', setupRequest, onResponse }],
})

const seconds = result.duration
const cpu = process.cpuUsage(cpuAtStart)
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    durationSec: seconds,
    reqPerSec: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    unexpected,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])
    ),
    // Bodies built: requests sent plus one per connection made ready but never sent when the time ran out.
    built,
    // Near 1 (a whole core): the generator, not the server, may be what limits the rate.
    loadCpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
  })}\n`
)
