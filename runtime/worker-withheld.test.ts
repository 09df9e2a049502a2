import { describe, expect, it } from 'vitest'
import { CALLER_TIMEOUT_MS, outlastCaller } from './worker-withheld.ts'

describe('a withheld answer on Workers', () => {
  it("should answer only after Plane's 30 s timeout has passed, counted from the request's arrival", async () => {
    const started = 1_000_000
    const waited: number[] = []
    const response = await outlastCaller(started, {
      now: () => started + 20_000,
      wait: async (ms) => {
        waited.push(ms)
      },
    })
    expect(waited).toEqual([CALLER_TIMEOUT_MS - 20_000])
    expect(CALLER_TIMEOUT_MS).toBeGreaterThan(30_000)
    expect(response.status).toBe(503)
    // Already past it (a slow store): no wait at all.
    const late: number[] = []
    await outlastCaller(started, {
      now: () => started + 40_000,
      wait: async (ms) => {
        late.push(ms)
      },
    })
    expect(late).toEqual([])
  })
})
