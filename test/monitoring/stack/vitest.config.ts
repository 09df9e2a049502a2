/**
 * The stack test's own run, apart from `npm test`: it starts a real Prometheus and six exporters and waits on
 * scaled-down alert durations (about a minute and a half), so .ci/run gives it a step of its own:
 *   npx vitest run -c test/monitoring/stack/vitest.config.ts
 */
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/monitoring/stack/*.real.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 90_000,
  },
})
