import { describe, expect, it } from 'vitest'
import { defineCronFunction, type JobContext } from '../../shared/core/function.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { makeServices } from '../../sim/e2e/services.ts'

describe('one bridge per runtime', () => {
  it('should hand every cron run the bridge the HTTP handlers use: one Plane client, one throttle', async () => {
    const seen: JobContext<'plane' | 'outbox'>[] = []
    const tick = defineCronFunction({
      name: 'tick',
      description: 'Remembers its context.',
      schedule: '* * * * *',
      parts: ['plane', 'outbox'],
      run: async function tick(ctx) {
        seen.push(ctx)
        return { summary: 'ok' }
      },
    })
    const services = makeServices({
      functions: [tick],
      env: {
        PLANE_BASE_URL: 'https://plane.example',
        PLANE_API_KEY: 'plane_api_0123456789abcdef0123456789abcdef',
        PLANE_WORKSPACE_SLUG: 'acme',
      },
    })
    const httpBridge = services.root.parts()
    await executeJob(tick, services.root, { trigger: 'cron', slot: '2026-11-23T10:00' })
    await executeJob(tick, services.root, { trigger: 'cron', slot: '2026-11-23T10:01' })
    expect(seen).toHaveLength(2)
    // Each run gets its own context (its logger, slot, signal)…
    expect(seen[0]).not.toBe(seen[1])
    // …and the runtime's one set of parts, with its one Plane client (and so one 1 req/s lane on the key)…
    for (const ctx of seen) {
      expect(ctx.plane).toBe(httpBridge.plane)
      expect(ctx.outbox).toBe(httpBridge.outbox)
      // …and only the parts its function declared.
      expect('pipeline' in ctx).toBe(false)
    }
    expect(httpBridge.plane).not.toBeNull()
  })
})
