/** @module GET /metrics — Prometheus text exposition of every counter, gauge and histogram. */
import { defineHttpFunction } from '../../shared/core/function.ts'
import { PROMETHEUS_CONTENT_TYPE } from '../../shared/observe/metrics.ts'
import { opsGuard } from './guard.ts'

/** Within Prometheus's default 10 s scrape timeout even when Redis hangs (as /ready's ping). */
const STORE_PING_TIMEOUT_MS = 2500

export const metricsFunction = defineHttpFunction({
  name: 'metrics',
  description: 'Prometheus metrics.',
  method: 'GET',
  path: '/metrics',
  handler: async function metrics(c) {
    const refused = await opsGuard(c)
    if (refused) return refused
    const { store, metrics } = c.get('services')
    // MONITOR-04: the store's reachability, as /ready sees it, for the "store unreachable" alert.
    metrics.storeUp.set({}, (await _pings(store.ping(), STORE_PING_TIMEOUT_MS)) ? 1 : 0)
    return c.body(metrics.registry.render(), 200, {
      'Content-Type': PROMETHEUS_CONTENT_TYPE,
    })
  },
})

// --- Internal helpers ---

async function _pings(ping: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  try {
    return await Promise.race([ping.then(() => true), timeout])
  } catch {
    // The answer is the gauge (store_up 0); the store counts its failure (store_errors_total).
    return false
  } finally {
    clearTimeout(timer)
  }
}
