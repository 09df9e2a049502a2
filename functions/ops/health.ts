/** @module GET /health — liveness: answers at once and touches nothing (no store, no network). */
import { defineHttpFunction } from '../../shared/core/function.ts'

export const healthFunction = defineHttpFunction({
  name: 'health',
  description: 'Liveness probe.',
  method: 'GET',
  path: '/health',
  handler: function health(c) {
    return c.json({ status: 'ok' })
  },
})
