import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createScriptedFetch, makeApiKey } from '../../test/fixtures/plane.ts'
import { createPlaneClient } from './client.ts'
import { createKeyThrottle, fingerprintApiKey, resetKeyThrottles } from './throttle.ts'

const START = new Date('2026-03-01T12:00:00Z').getTime()

beforeEach(() => {
  resetKeyThrottles()
  vi.useFakeTimers()
  vi.setSystemTime(START)
})

afterEach(() => {
  vi.useRealTimers()
})

/** Queue `count` acquisitions and record when each was granted, relative to START. */
function queue(acquire: () => Promise<void>, label: string, count: number, log: string[]) {
  return Array.from({ length: count }, (_, i) =>
    acquire().then(() => log.push(`${label}${i}@${Date.now() - START}`))
  )
}

describe('createKeyThrottle (OPENCLAW-20)', () => {
  it('should space starts at least minIntervalMs apart, in call order', async () => {
    const log: string[] = []
    const acquire = createKeyThrottle({ apiKey: makeApiKey('1') })
    const done = Promise.all(queue(acquire, 'a', 4, log))
    await vi.advanceTimersByTimeAsync(2_999)
    expect(log).toEqual(['a0@0', 'a1@1000', 'a2@2000'])
    await vi.advanceTimersByTimeAsync(1)
    await done
    expect(log).toEqual(['a0@0', 'a1@1000', 'a2@2000', 'a3@3000'])
  })

  it('should share one lane between throttles built from the same key', async () => {
    const log: string[] = []
    const first = createKeyThrottle({ apiKey: makeApiKey('2') })
    const second = createKeyThrottle({ apiKey: makeApiKey('2') })
    const done = Promise.all([
      ...queue(first, 'x', 1, log),
      ...queue(second, 'y', 1, log),
      ...queue(first, 'z', 1, log),
    ])
    await vi.advanceTimersByTimeAsync(2_000)
    await done
    expect(log).toEqual(['x0@0', 'y0@1000', 'z0@2000'])
  })

  it('should not make different keys wait for each other', async () => {
    const log: string[] = []
    const done = Promise.all([
      ...queue(createKeyThrottle({ apiKey: makeApiKey('3') }), 'p', 2, log),
      ...queue(createKeyThrottle({ apiKey: makeApiKey('4') }), 'q', 2, log),
    ])
    await vi.advanceTimersByTimeAsync(1_000)
    await done
    expect(log).toEqual(['p0@0', 'q0@0', 'p1@1000', 'q1@1000'])
  })

  it('should not wait when the previous request started long enough ago', async () => {
    const log: string[] = []
    const acquire = createKeyThrottle({ apiKey: makeApiKey('5') })
    await Promise.all(queue(acquire, 'a', 1, log))
    await vi.advanceTimersByTimeAsync(5_000)
    await Promise.all(queue(acquire, 'b', 1, log))
    expect(log).toEqual(['a0@0', 'b0@5000'])
  })

  it('should key lanes by a fingerprint, never by the key itself', () => {
    const key = makeApiKey('6')
    expect(fingerprintApiKey(key)).toMatch(/^[0-9a-f]{16}$/)
    expect(fingerprintApiKey(key)).not.toContain(key)
    expect(fingerprintApiKey(key)).toBe(fingerprintApiKey(`${key}`))
    expect(fingerprintApiKey(key)).not.toBe(fingerprintApiKey(makeApiKey('7')))
  })
})

describe('client throttling', () => {
  it('should space concurrent requests of two clients sharing a key by 1 s', async () => {
    const scripted = createScriptedFetch(() => ({ body: { id: 'u1' } }))
    const options = {
      baseUrl: 'https://w.example',
      apiKey: makeApiKey('8'),
      workspaceSlug: 'acme',
      fetch: scripted.fetch,
    }
    const poller = createPlaneClient(options)
    const bot = createPlaneClient(options)
    const done = Promise.all([poller.users.me(), bot.users.me(), poller.users.me()])
    await vi.advanceTimersByTimeAsync(2_000)
    await done
    expect(scripted.calls.map((c) => c.at - START)).toEqual([0, 1_000, 2_000])
  })

  it('should honour a custom minIntervalMs', async () => {
    const scripted = createScriptedFetch(() => ({ body: { id: 'u1' } }))
    const client = createPlaneClient({
      baseUrl: 'https://w.example',
      apiKey: makeApiKey('9'),
      workspaceSlug: 'acme',
      fetch: scripted.fetch,
      minIntervalMs: 250,
    })
    const done = Promise.all([client.users.me(), client.users.me(), client.users.me()])
    await vi.advanceTimersByTimeAsync(500)
    await done
    expect(scripted.calls.map((c) => c.at - START)).toEqual([0, 250, 500])
  })
})
