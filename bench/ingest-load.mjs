/**
 * @module The ingest bench's load generator, run with plain `node` in a process of its own (pinned to another core
 * than the server): autocannon POSTs signed Plane deliveries for a while, then one JSON line of results goes to
 * stdout. Argument: the path of a JSON file with `url`, `connections`, `durationSec`, `secret`, `expectBody`,
 * `sources` and `bodies` (see `ingest-requests.mjs`; with `firstIndex`, the first delivery's index, for templates).
 * As fast as the server answers: a steady rate is `ingest-paced.mjs`'s.
 *
 * Every request is built and signed here when autocannon asks for it (`setupRequest`), whatever the case, so the
 * generator's cost per request is the same for the baseline and for plane-bridge.
 */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { signedRequest } from './ingest-requests.mjs'

const config = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'))
const { bodies } = config
let next = bodies.kind === 'templates' ? bodies.firstIndex : 0
let built = 0
// autocannon refuses `expectBody` with `requests`: the answers are checked here instead.
let unexpected = 0

function setupRequest(request) {
  const index = next++
  built++
  return { ...request, ...signedRequest(config, index) }
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
