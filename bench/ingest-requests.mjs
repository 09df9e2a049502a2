/**
 * @module The ingest bench's requests, built and signed in the load child (plain JavaScript, run by `node`): shared by
 * `ingest-load.mjs` (autocannon, as fast as the server answers) and `ingest-paced.mjs` (a steady rate). `bodies` is
 * either `{ kind: 'fixed', body }` (the same delivery every time: duplicates) or
 * `{ kind: 'templates', templates, issues, placeholder, firstUpdateMs, firstIssue }` (delivery i built from its
 * template as bench/plane-deliveries.ts describes, a new one for every index).
 */
import { createHmac, randomUUID } from 'node:crypto'

/**
 * The body and headers of request `index`: a delivery id of its own, its HMAC, and an `X-Forwarded-For` spread over
 * `sources` addresses (the rate limit's keys).
 * @example signedRequest(config, 0).headers['x-plane-signature']
 */
export function signedRequest({ bodies, secret, sources }, index) {
  const body = _bodyAt(bodies, index)
  return { body, headers: deliveryHeaders(body, { secret, index, sources }) }
}

/**
 * The headers Plane sends with an `issue` delivery of `body` (bench/plane-deliveries.ts builds its deliveries with
 * them too): a new `X-Plane-Delivery` every time, as Plane makes one per attempt (the body, not this, is what
 * plane-bridge dedupes on), the body's HMAC, and request `index`'s `X-Forwarded-For` among `sources` addresses.
 * @example deliveryHeaders('{}', { secret: 's', index: 0, sources: 16 })['x-forwarded-for'] // '10.0.0.1'
 */
export function deliveryHeaders(body, { secret, index, sources }) {
  return {
    'content-type': 'application/json',
    'user-agent': 'Autopilot',
    'x-plane-delivery': randomUUID(),
    'x-plane-event': 'issue',
    'x-plane-signature': createHmac('sha256', secret).update(body).digest('hex'),
    'x-forwarded-for': `10.0.0.${(index % sources) + 1}`,
  }
}

function _bodyAt(bodies, index) {
  if (bodies.kind === 'fixed') return bodies.body
  const phase = Math.floor(index / bodies.issues) % 2
  const template = bodies.templates[(index % bodies.issues) + bodies.issues * phase]
  const ms = bodies.firstUpdateMs + (bodies.firstIssue + index) * 1000
  return template.replace(bodies.placeholder, new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'))
}
