/**
 * @module monitoring/stack-alerts.yml in a real Prometheus, fed by Debian's real exporters reading this machine's
 * real PostgreSQL, Redis and RabbitMQ: each condition is provoked, its alert fires, the cause is removed, the alert
 * resolves. Own CI step (.ci/run, "stack alerts"): `npx vitest run -c test/monitoring/stack/vitest.config.ts`.
 * The shared services are only read; what fills up is the test's own (a cluster, a redis-server, a queue, a cgroup).
 */
import { connect } from 'amqplib'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { needMachine, onPath } from '../../helpers/machine.ts'
import {
  alertRules,
  dashboardExpressions,
  metricNames,
  STACK_ALERTS_FILE,
  STACK_METRIC,
} from '../promql.ts'
import { staysQuiet, untilFiring, untilGone } from './alerts.ts'
import { scaledRules } from './prometheus.ts'
import { SHARED, type Stack, startStack } from './stack.ts'
import {
  holdConnections,
  memoryCgroupRoot,
  provokeOomKill,
  THROWAWAY_MAX_CONNECTIONS,
} from './throwaway.ts'

const TOOLS = [
  'prometheus',
  'prometheus-postgres-exporter',
  'prometheus-redis-exporter',
  'prometheus-blackbox-exporter',
  'prometheus-node-exporter',
  'redis-server',
  'psql',
  'caddy',
]
const INSTALL =
  'apt-get install prometheus prometheus-postgres-exporter prometheus-redis-exporter prometheus-blackbox-exporter ' +
  'prometheus-node-exporter redis-server postgresql caddy; rabbitmq-plugins enable rabbitmq_prometheus (as .ci/run does)'
/** cAdvisor is not in Debian and no Docker engine runs here: its names are checked by promtool only. */
const NOT_SCRAPED_HERE = /^container_/

/** What each alert took, for the run's report. */
const timings: string[] = []
const note = (line: string) => timings.push(line)

let stack: Stack
let unavailable: string | null = null

async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => r.ok,
    () => false
  )
}

beforeAll(async () => {
  const missing = TOOLS.filter((t) => !onPath(t))
  if (missing.length > 0) unavailable = `${missing.join(', ')} not installed`
  else if (!(await answers(`http://127.0.0.1:${SHARED.rabbitmqMetrics}/metrics`)))
    unavailable = `RabbitMQ's Prometheus plugin does not answer on 127.0.0.1:${SHARED.rabbitmqMetrics}`
  else if (!memoryCgroupRoot()) unavailable = 'no memory cgroup to provoke an OOM kill in'
  if (unavailable === null) stack = await startStack()
}, 90_000)

afterAll(async () => {
  await stack?.stop()
  if (timings.length > 0)
    console.log(`stack alerts against the real services:\n  ${timings.join('\n  ')}`)
}, 60_000)

beforeEach((ctx) =>
  needMachine(ctx, { what: unavailable ?? '', install: INSTALL }, unavailable !== null)
)

describe('monitoring/stack-alerts.yml in a real Prometheus (time scaled 60×)', () => {
  it("should run the project's rules with only their durations scaled", () => {
    const original = alertRules(STACK_ALERTS_FILE)
    const scaled = (
      parse(scaledRules(STACK_ALERTS_FILE)) as { groups: Array<{ rules: typeof original }> }
    ).groups.flatMap((g) => g.rules)
    const durationless = (expr: string) => expr.replace(/\[\d+[smh]\]/g, '[d]')
    expect(scaled.map((r) => r.alert)).toEqual(original.map((r) => r.alert))
    for (const [i, rule] of original.entries()) {
      expect(durationless(scaled[i]?.expr ?? '')).toBe(durationless(rule.expr))
      expect(scaled[i]?.for ?? null).toBe(rule.for ? `${Number.parseInt(rule.for, 10)}s` : null)
    }
  })

  it('should find in the real scrape every metric the rules and the stack panels read (cAdvisor aside)', async () => {
    // A queue must exist for the per-queue family to be served at all.
    const amqp = await connect('amqp://guest:guest@127.0.0.1:5672')
    const queue = `plane-bridge-stack-names-${stack.suffix}`
    try {
      const channel = await amqp.createChannel()
      await channel.assertQueue(queue, { durable: false })
      channel.sendToQueue(queue, Buffer.from('x'))
      const wanted = new Set(
        [
          ...alertRules(STACK_ALERTS_FILE).map((r) => r.expr),
          ...dashboardExpressions().map((d) => d.expr),
        ]
          .flatMap(metricNames)
          .filter((name) => STACK_METRIC.test(name) || name === 'up')
      )
      let missing: string[] = []
      // RabbitMQ refreshes its statistics every 5 s; the rest is there from the first scrapes.
      for (let i = 0; i < 60; i++) {
        const names = await stack.prom.metricNames()
        missing = [...wanted].filter((n) => !names.has(n) && !NOT_SCRAPED_HERE.test(n)).sort()
        if (missing.length === 0) break
        await new Promise((r) => setTimeout(r, 250))
      }
      expect(missing).toEqual([])
      expect([...wanted].filter((n) => NOT_SCRAPED_HERE.test(n)).length).toBeGreaterThan(0)
      await channel.deleteQueue(queue)
    } finally {
      await amqp.close()
    }
  }, 30_000)

  it.concurrent("should fire PlaneStackApiDown when Plane's api stops answering, and resolve", async () => {
    const match = {
      alertname: 'PlaneStackApiDown',
      job: 'plane-api',
      instance: stack.instances.api,
    }
    await staysQuiet(stack.prom, match, 3)
    await stack.api.down()
    const fired = await untilFiring(stack.prom, match, 30)
    await stack.api.up()
    const resolved = await untilGone(stack.prom, match, 30)
    note(
      `PlaneStackApiDown: fired ${fired.toFixed(1)} s after the api stopped (for: 2m → 2 s), resolved ${resolved.toFixed(1)} s after it answered again`
    )
  }, 90_000)

  it.concurrent('should fire PlaneStackPostgresConnectionsHigh past 80 % of max_connections, and resolve', async () => {
    const match = {
      alertname: 'PlaneStackPostgresConnectionsHigh',
      instance: stack.instances.pgThrowaway,
    }
    await staysQuiet(stack.prom, match, 3)
    // The exporter's own connection and 8 more: 9 of 10.
    const held = await holdConnections(stack.pgThrowaway.port, THROWAWAY_MAX_CONNECTIONS - 2)
    let fired: number
    try {
      fired = await untilFiring(stack.prom, match, 40)
    } finally {
      await held.release()
    }
    const resolved = await untilGone(stack.prom, match, 30)
    note(
      `PlaneStackPostgresConnectionsHigh: fired ${fired.toFixed(1)} s after 8 connections were held (9 of max_connections 10, for: 5m → 5 s), resolved ${resolved.toFixed(1)} s after they closed`
    )
    // The shared server, read through the pg_monitor role plane-init.sql made, is scraped too.
    const up = await stack.prom.query(`pg_up{instance="${stack.instances.pgShared}"}`)
    expect(up[0]?.value[1]).toBe('1')
  }, 120_000)

  it.concurrent('should say when Redis has no maxmemory, then fire PlaneStackRedisMemoryHigh past 80 % of it, and resolve', async () => {
    const instance = stack.instances.redisThrowaway
    const noMax = { alertname: 'PlaneStackRedisNoMaxmemory', instance }
    const high = { alertname: 'PlaneStackRedisMemoryHigh', instance }
    const redis = new Redis({
      host: '127.0.0.1',
      port: stack.redisPort,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    })
    await redis.connect()
    try {
      const noMaxFired = await untilFiring(stack.prom, noMax, 60)
      await redis.config('SET', 'maxmemory', String(8 * 1024 * 1024))
      await redis.config('SET', 'maxmemory-policy', 'noeviction')
      const noMaxResolved = await untilGone(stack.prom, noMax, 30)
      await staysQuiet(stack.prom, high, 3)
      // 64 KiB values until used memory passes 90 % of maxmemory (or Redis refuses: noeviction).
      const value = 'x'.repeat(64 * 1024)
      for (let i = 0; i < 200; i++) {
        const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1])
        if (used > 0.9 * 8 * 1024 * 1024) break
        await redis.set(`fill:${i}`, value).catch(() => undefined)
      }
      const fired = await untilFiring(stack.prom, high, 40)
      await redis.flushall()
      const resolved = await untilGone(stack.prom, high, 30)
      note(
        `PlaneStackRedisNoMaxmemory: fired ${noMaxFired.toFixed(1)} s after start with maxmemory 0 (for: 15m → 15 s), resolved ${noMaxResolved.toFixed(1)} s after CONFIG SET maxmemory 8mb`
      )
      note(
        `PlaneStackRedisMemoryHigh: fired ${fired.toFixed(1)} s after filling past 90 % of 8 MiB (for: 5m → 5 s), resolved ${resolved.toFixed(1)} s after FLUSHALL`
      )
    } finally {
      redis.disconnect()
    }
  }, 180_000)

  it.concurrent('should fire PlaneStackQueueBacklog at 101 ready messages, not at 100, and resolve', async () => {
    const amqp = await connect('amqp://guest:guest@127.0.0.1:5672')
    const queue = `plane-bridge-stack-backlog-${stack.suffix}`
    const match = { alertname: 'PlaneStackQueueBacklog', queue }
    try {
      const channel = await amqp.createConfirmChannel()
      await channel.assertQueue(queue, { durable: false })
      for (let i = 0; i < 100; i++) channel.sendToQueue(queue, Buffer.from(`task ${i}`))
      await channel.waitForConfirms()
      // 100 is not a backlog: past RabbitMQ's 5 s statistics refresh and the scaled 5 s `for`.
      await staysQuiet(stack.prom, match, 12)
      channel.sendToQueue(queue, Buffer.from('task 100'))
      await channel.waitForConfirms()
      const fired = await untilFiring(stack.prom, match, 40)
      await channel.purgeQueue(queue)
      const resolved = await untilGone(stack.prom, match, 30)
      await channel.deleteQueue(queue)
      note(
        `PlaneStackQueueBacklog: quiet 12 s at 100 ready, fired ${fired.toFixed(1)} s after the 101st (for: 5m → 5 s; RabbitMQ refreshes every 5 s), resolved ${resolved.toFixed(1)} s after the purge`
      )
    } finally {
      await amqp.close()
    }
  }, 120_000)

  it.concurrent('should fire PlaneStackHostOomKill when the kernel kills a process at its memory limit, and resolve', async () => {
    const match = { alertname: 'PlaneStackHostOomKill', instance: stack.instances.node }
    const signal = await provokeOomKill(`plane-bridge-stack-oom-${stack.suffix}`)
    expect(signal).toBe('SIGKILL')
    const fired = await untilFiring(stack.prom, match, 30)
    const resolved = await untilGone(stack.prom, match, 60)
    note(
      `PlaneStackHostOomKill: fired ${fired.toFixed(1)} s after a 64 MiB cgroup's process was OOM-killed, resolved ${resolved.toFixed(1)} s later (its window: 15m → 15 s)`
    )
  }, 120_000)
})
