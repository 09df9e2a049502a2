/**
 * @module Webhook ingest throughput of plane-bridge's `POST /webhooks/plane` (signed ~2 KB Plane issue deliveries,
 * real Redis store) against a bare Hono app that only checks the same HMAC, both on loopback in this process.
 *
 * Each plane-bridge request does the whole ingest path: rate-limit counter, signature, parse, sha256 dedupe claim,
 * inbox write, then processing into the notification pipeline in the background, on the same event loop, so
 * processing competes for the CPU with the requests as it does in production.
 */
import { type Case, defineBench } from './harness.ts'
import type { LoopbackServer } from './http-load.ts'
import { readBenchOptions } from './options.ts'
import { buildIssueDeliveries, type Delivery } from './plane-deliveries.ts'
import { type SharedFixture, sharedFixture } from './shared-fixture.ts'
import { memoryStoreFixture, redisStoreFixture } from './store-fixtures.ts'
import { type BridgeServer, bareWebhookServer, bridgeWebhookServer } from './webhook-servers.ts'

const CONCURRENCY = 50
/**
 * Deliveries plane-bridge may still be processing before the load waits (see BridgeServer.room): without a
 * bound, a run where processing is slower than ingest piles up work that grows with every round and spills
 * into the next case's time. With it, ops/s is the rate ingest and processing sustain together.
 */
const BACKLOG = CONCURRENCY
// Shaped like Plane's generated secrets (plane_wh_ + hex); only this process knows it.
const SECRET = 'plane_wh_bench0123456789abcdef0123456789ab'
// Work items the distinct deliveries rotate over: a bulk edit's worth, each updated again and again.
const ISSUES = 100
// Far from the distinct set's items, so the repeated body is never one of theirs.
const DUPLICATE_ISSUE = 900_000
/**
 * Sizes the pool of distinct deliveries: this rate for the whole warm-up and rounds. Each costs ~0.1 ms to build
 * and sign and 2 KB to keep; the rate is a few times the bare baseline's on a 2-core machine. A case that still
 * runs out fails with a message rather than re-sending bodies that the dedupe would cut short.
 */
const MAX_RATE_PER_SEC = 3000

const options = readBenchOptions()
const pool = sharedFixture(openDeliveryPool, async function dropDeliveryPool() {})
const duplicate = sharedFixture(openDuplicate, async function dropDuplicate() {})

const bare = bareWebhookServer(SECRET)
const onRedis = bridgeWebhookServer({
  label: 'plane-bridge on redis',
  store: redisStoreFixture(undefined, 'webhook'),
  secret: SECRET,
  backlog: BACKLOG,
})
const onMemory = bridgeWebhookServer({
  label: 'plane-bridge on memory',
  store: memoryStoreFixture(),
  secret: SECRET,
  backlog: BACKLOG,
})

export const webhookBench = defineBench({
  name: 'webhook',
  description:
    `signed 2 KB Plane issue deliveries POSTed to plane-bridge's /webhooks/plane, processing included, vs a ` +
    `bare Hono POST+HMAC (in-process fetch load, concurrency ${CONCURRENCY})`,
  concurrency: CONCURRENCY,
  baseline: postCase({ name: 'bare hono POST+HMAC', server: bare, deliveries: pool, reuse: true }),
  cases: [
    postCase({ name: 'plane-bridge distinct, redis', server: onRedis, deliveries: pool }),
    postCase({ name: 'plane-bridge distinct, memory', server: onMemory, deliveries: pool }),
    postCase({
      name: 'plane-bridge duplicate, redis',
      server: onRedis,
      deliveries: duplicate,
      reuse: true,
      expect: 'duplicate',
    }),
  ],
})

/**
 * One POST per op, the next delivery in the list each time, answer read and checked. With `reuse` the list
 * is cycled (the baseline has no dedupe; the duplicate case wants the same body); without, each body goes once.
 * On plane-bridge an op first waits for room in the backlog, and each segment ends once processing has.
 */
function postCase({
  name,
  server,
  deliveries,
  reuse = false,
  expect = 'accepted',
}: {
  name: string
  server: SharedFixture<LoopbackServer | BridgeServer>
  deliveries: SharedFixture<readonly Delivery[]>
  reuse?: boolean
  expect?: 'accepted' | 'duplicate'
}): Case {
  let url = ''
  let list: readonly Delivery[] = []
  let next = 0
  // A duplicate is answered without starting any processing: nothing to hold back or wait for.
  let bridge: BridgeServer | null = null
  const take = (): Delivery => {
    if (next >= list.length && !reuse) {
      throw new Error(
        `${name}: all ${list.length} distinct deliveries used; raise MAX_RATE_PER_SEC`
      )
    }
    const delivery = list[next++ % list.length]
    if (!delivery) throw new Error(`${name}: no deliveries`)
    return delivery
  }
  const post = async function postDelivery() {
    await bridge?.room()
    await postOnce(url, take(), expect)
  }
  return {
    name,
    async setup() {
      list = await deliveries.open()
      const opened = await server.open()
      url = new URL('/webhooks/plane', opened.origin).href
      bridge = 'settle' in opened && expect === 'accepted' ? opened : null
      // The duplicate case's first post is the one that gets stored; every later one is a duplicate.
      if (expect === 'duplicate') await postOnce(url, take(), 'accepted')
      // One request up front: a wrong route, secret or setting fails here, with a clear message.
      else await post()
    },
    run: post,
    async settle() {
      await bridge?.settle()
    },
    async teardown() {
      await Promise.all([server.close(), deliveries.close()])
      list = []
      bridge = null
    },
  }
}

async function postOnce(url: string, { body, headers }: Delivery, expect: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers, body })
  // Parsed in every case, the baseline too: the client's work per request is the same everywhere.
  const answer = (await res.json()) as { status?: unknown }
  if (res.status !== 200 || answer.status !== expect) {
    throw new Error(`POST ${url}: ${res.status} ${JSON.stringify(answer)}, expected 200 ${expect}`)
  }
}

async function openDeliveryPool(): Promise<Delivery[]> {
  const seconds = (options.warmupMs + options.rounds * options.roundMs) / 1000
  const count = Math.ceil(MAX_RATE_PER_SEC * seconds)
  const started = performance.now()
  const deliveries = await buildIssueDeliveries({ count, secret: SECRET, issues: ISSUES })
  const ms = Math.round(performance.now() - started)
  process.stderr.write(`[webhook] ${count} distinct deliveries built and signed in ${ms} ms\n`)
  return deliveries
}

function openDuplicate(): Promise<Delivery[]> {
  return buildIssueDeliveries({ count: 1, secret: SECRET, issues: 1, firstIssue: DUPLICATE_ISSUE })
}
