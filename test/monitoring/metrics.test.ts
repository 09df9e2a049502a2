import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { createApp } from '../../runtime/app.ts'
import { nodeBuildInfo, nodeMetricsOptions } from '../../runtime/node-metrics.ts'
import { createRoot } from '../../runtime/root.ts'
import { createServices } from '../../runtime/services.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { defineCronFunction } from '../../shared/core/function.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { createLogger } from '../../shared/observe/log.ts'
import { createRedactor } from '../../shared/observe/redact.ts'
import { checkWebhookHealth, noteWebhookReceived } from '../../shared/poll/webhook-health.ts'
import { createMemoryStore, type Store } from '../../shared/store/store.ts'
import { makeServices } from '../../sim/e2e/services.ts'

const NOW = Date.UTC(2026, 10, 21, 6, 0, 0)
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version

/** The app as runtime/node.ts builds it (its metrics options included), on a memory store. */
function nodeApp(store: Store = createMemoryStore()) {
  const config = loadConfig({})
  const services = createServices({
    config,
    functions,
    store,
    log: createLogger({ level: 'error', redactor: createRedactor(), write: () => undefined }),
    agents: [],
    now: () => NOW,
    ...nodeMetricsOptions(),
  })
  return { app: createApp({ functions, root: createRoot(services) }), services }
}

async function scrape(app: ReturnType<typeof nodeApp>['app']): Promise<string> {
  const res = await app.request('/metrics')
  expect(res.status).toBe(200)
  return res.text()
}

describe('node metrics', () => {
  it('should show the process, the build and the store on a fresh Node app', async () => {
    const text = await scrape(nodeApp().app)
    const rss = Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1])
    expect(rss).toBeGreaterThan(1024 * 1024)
    expect(Number(/^process_cpu_seconds_total (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0)
    const start = Number(/^process_start_time_seconds (\S+)$/m.exec(text)?.[1])
    expect(start).toBeGreaterThan(Date.UTC(2020, 0, 1) / 1000)
    expect(start).toBeLessThanOrEqual(Date.now() / 1000)
    expect(text).toContain(
      `plane_bridge_build_info{version="${VERSION}",node="${process.versions.node}"} 1`
    )
    expect(text).toContain('plane_bridge_store_up 1')
    expect(text).toContain('# TYPE process_cpu_seconds_total counter')
  })

  it('should show the event loop’s delays and the heap under prom-client’s names', async () => {
    const text = await scrape(nodeApp().app)
    for (const stat of ['min', 'max', 'mean', 'p50', 'p90', 'p99'])
      expect(text).toContain(`# TYPE nodejs_eventloop_lag_${stat}_seconds gauge`)
    const used = Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1])
    const total = Number(/^nodejs_heap_size_total_bytes (\S+)$/m.exec(text)?.[1])
    expect(used).toBeGreaterThan(1024 * 1024)
    expect(total).toBeGreaterThanOrEqual(used)
    expect(Number(/^nodejs_external_memory_bytes (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0)
  })

  it('should show a loop held 400 ms in the next scrape, and only in that one', async () => {
    const { app } = nodeApp()
    const lag = (text: string, stat: string) =>
      Number(new RegExp(`^nodejs_eventloop_lag_${stat}_seconds (\\S+)$`, 'm').exec(text)?.[1])
    await scrape(app)
    await sleep(50)
    const held = Date.now() + 400
    while (Date.now() < held) {
      // the loop is held: no sample can be taken until this ends
    }
    // The monitor samples every 10 ms: the interval that spans the hold is recorded at the next sample.
    await sleep(50)
    const after = await scrape(app)
    expect(lag(after, 'max')).toBeGreaterThanOrEqual(0.4)
    expect(lag(after, 'min')).toBeGreaterThan(0)
    expect(lag(after, 'min')).toBeLessThan(0.4)
    // The scrape started a new count: the next one no longer holds the 400 ms.
    await sleep(50)
    expect(lag(await scrape(app), 'max')).toBeLessThan(0.4)
  })

  it('should find the version from dist/runtime as from runtime/, and say unknown elsewhere', () => {
    expect(nodeBuildInfo('dist/runtime').version).toBe(VERSION)
    expect(nodeBuildInfo('runtime').version).toBe(VERSION)
    expect(nodeBuildInfo('/').version).toBe('unknown')
  })

  it('should have no process metrics where the runtime gives none (Workers)', async () => {
    const services = makeServices({ functions })
    const text = await createApp({ functions, root: services.root }).request('/metrics')
    const body = await text.text()
    expect(body).not.toContain('process_resident_memory_bytes')
    expect(body).not.toContain('nodejs_eventloop_lag')
  })

  it('should say the store is down when its ping fails', async () => {
    const store = createMemoryStore()
    const { app } = nodeApp({ ...store, ping: () => Promise.reject(new Error('ECONNREFUSED')) })
    expect(await scrape(app)).toContain('plane_bridge_store_up 0')
  })

  it('should show the last contact with each integration as 1 or 0', async () => {
    const { app, services } = nodeApp()
    services.status.contact('plane', false, 'HTTP 502')
    services.status.contact('telegram', true)
    const text = await scrape(app)
    expect(text).toContain('plane_bridge_integration_up{integration="plane"} 0')
    expect(text).toContain('plane_bridge_integration_up{integration="telegram"} 1')
    services.status.contact('plane', true)
    expect(await scrape(app)).toContain('plane_bridge_integration_up{integration="plane"} 1')
  })

  it("should record a job's last success, not its failures, and count failures from 0", async () => {
    let fail = false
    const tick = defineCronFunction({
      name: 'tick',
      description: 'tick',
      schedule: '* * * * *',
      run: async () => {
        if (fail) throw new Error('no')
        return { summary: 'ok' }
      },
    })
    let now = NOW
    const services = makeServices({ functions: [tick], now: () => now })
    expect(services.metrics.registry.render()).toContain(
      'plane_bridge_job_runs_total{job="tick",outcome="error"} 0'
    )
    await executeJob(tick, services.root, { trigger: 'cron', slot: null })
    fail = true
    now += 60_000
    await executeJob(tick, services.root, { trigger: 'cron', slot: null })
    const text = services.metrics.registry.render()
    expect(text).toContain(
      `plane_bridge_job_last_success_timestamp_seconds{job="tick"} ${NOW / 1000}`
    )
    expect(text).toContain('plane_bridge_job_runs_total{job="tick",outcome="error"} 1')
  })

  it('should time the last webhook, from the route and from the store, and count missed edits', async () => {
    let now = NOW
    const services = makeServices({ env: { PLANE_WEBHOOK_SECRET: 'whsec' }, now: () => now })
    const render = () => services.metrics.registry.render()
    expect(render()).toContain('plane_bridge_webhook_missed_edits_total 0')
    expect(render()).not.toMatch(/^plane_bridge_last_webhook_timestamp_seconds /m)
    await noteWebhookReceived({ ...services, ...services.root.parts() })?.()
    expect(render()).toContain(`plane_bridge_last_webhook_timestamp_seconds ${NOW / 1000}`)

    // Another replica (same store, fresh metrics) learns it at its next poll.
    now += 60_000
    const replica = makeServices({
      env: { PLANE_WEBHOOK_SECRET: 'whsec' },
      store: services.store,
      now: () => now,
    })
    await checkWebhookHealth(
      { ...replica, ...replica.root.parts() },
      { edits: 2, comments: 0, oldestAt: NOW - 5 * 60_000 }
    )
    const text = replica.metrics.registry.render()
    expect(text).toContain(`plane_bridge_last_webhook_timestamp_seconds ${NOW / 1000}`)
    expect(text).toContain('plane_bridge_webhook_missed_edits_total 2')
    // Edits older than the last delivery were only lost among others: the webhook is on.
    expect(text).toContain('plane_bridge_webhook_off 0')
  })
})
