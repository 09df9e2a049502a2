/** @module GET /metrics — Prometheus text exposition of every counter, gauge and histogram. */
import { defineHttpFunction } from '../../shared/function.ts'
import { PROMETHEUS_CONTENT_TYPE } from '../../shared/metrics.ts'
import { opsGuard } from './guard.ts'

export const metricsFunction = defineHttpFunction({
  name: 'metrics',
  description: 'Prometheus metrics.',
  method: 'GET',
  path: '/metrics',
  handler: async function metrics(c) {
    const refused = await opsGuard(c)
    if (refused) return refused
    return c.body(c.var.services.metrics.registry.render(), 200, {
      'Content-Type': PROMETHEUS_CONTENT_TYPE,
    })
  },
})
