import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../store/store.ts'
import { RequestNotStarted } from './errors.ts'
import {
  createKeyWindows,
  createRequestWindow,
  lateness,
  type RequestPriority,
  type SharedWindow,
  sharedWindowKey,
  UNLIMITED_RATE,
  windowCeiling,
} from './request-window.ts'

const sharedWindowKeyOf = (apiKey: string) => sharedWindowKey(apiKey)

/** A virtual clock: `sleep` moves it, so a minute's window passes in no time. */
function clock() {
  let t = 1_000_000
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms
    },
    advance: (ms: number) => {
      t += ms
    },
  }
}

/** A virtual clock whose sleeps wait until `run()`, which then lets every sleep pass in order. */
function heldClock() {
  const start = 1_000_000
  let t = start
  const sleeping: Array<{ ms: number; wake: () => void }> = []
  return {
    start,
    now: () => t,
    sleep: (ms: number) => new Promise<void>((wake) => sleeping.push({ ms, wake })),
    async run() {
      for (let turns = 0; turns < 1_000; turns++) {
        await new Promise((resolve) => setImmediate(resolve))
        const next = sleeping.shift()
        if (!next) return
        t += next.ms
        next.wake()
      }
    },
  }
}

let keys = 0
const key = () => `plane_api_window_test_${process.pid}_${++keys}_0123456789abcdef`

/** A window of 2 requests a second on a held clock, both started: what comes next waits. */
async function fullTinyWindow() {
  const c = heldClock()
  const keyWindow = createRequestWindow({
    apiKey: key(),
    limit: { requests: 2, windowMs: 1_000 },
    ...c,
  })
  await keyWindow.acquire('human')
  await keyWindow.acquire('human')
  return { c, keyWindow }
}

describe('createRequestWindow: Plane’s sliding window per key (issue 32)', () => {
  it('should start the first 60 requests at once, then one each time the oldest leaves the window', async () => {
    const c = clock()
    const keyWindow = createRequestWindow({ apiKey: key(), ...c })
    const start = c.now()
    await Promise.all(Array.from({ length: 60 }, () => keyWindow.acquire('human')))
    expect(c.now()).toBe(start)
    expect(keyWindow.state().inWindow).toBe(60)
    // The 61st waits for the first to be more than 60 s old, as DRF's history check counts, and a second more:
    // Plane stamps a request a little after we start it.
    await keyWindow.acquire('human')
    expect(c.now() - start).toBeGreaterThan(60_000 + lateness(60_000))
    expect(c.now() - start).toBeLessThanOrEqual(61_002)
    expect(keyWindow.state().inWindow).toBe(1)
  })

  it('should serve a person, then an agent, then background work when the window frees up', async () => {
    const { c, keyWindow } = await fullTinyWindow()
    const order: RequestPriority[] = []
    const wait = (p: RequestPriority) => keyWindow.acquire(p).then(() => void order.push(p))
    const all = Promise.all([wait('background'), wait('agent'), wait('human'), wait('background')])
    await c.run()
    await all
    expect(order).toEqual(['human', 'agent', 'background', 'background'])
  })

  it('should keep a third of the window from background work, and a press for people alone', async () => {
    const c = heldClock()
    const keyWindow = createRequestWindow({ apiKey: key(), ...c })
    const order: string[] = []
    const background = Array.from({ length: 50 }, (_, i) =>
      keyWindow.acquire('background').then(() => void order.push(`background ${i + 1}`))
    )
    await Promise.resolve()
    expect(keyWindow.state()).toEqual({ inWindow: 40, waiting: 10 })
    // An agent's tool call starts at once although background work waits: it never waits for the window to empty.
    const agents = Array.from({ length: 16 }, () => keyWindow.acquire('agent'))
    expect(keyWindow.state()).toEqual({ inWindow: 56, waiting: 10 })
    // The next agent request waits: the rest is people's, a press of four requests at once.
    const next = keyWindow.acquire('agent').then(() => void order.push('agent'))
    expect(keyWindow.state()).toEqual({ inWindow: 56, waiting: 11 })
    const people = Array.from({ length: 4 }, () => keyWindow.acquire('human'))
    expect(keyWindow.state()).toEqual({ inWindow: 60, waiting: 11 })
    await Promise.all([...agents, ...people])
    expect(c.now()).toBe(c.start)
    // Full: the waiting agent goes when the window slides, before the background work still waiting.
    await c.run()
    await Promise.all([...background, next])
    expect(order.slice(40)).toEqual([
      'agent',
      ...Array.from({ length: 10 }, (_, i) => `background ${i + 41}`),
    ])
    expect(c.now() - c.start).toBeGreaterThan(60_000)
    expect(keyWindow.state().waiting).toBe(0)
  })

  it("should keep nothing from an agent on its own key: no person's request spends it", async () => {
    const c = heldClock()
    const own = createRequestWindow({ apiKey: key(), peopleShare: false, ...c })
    const calls = Array.from({ length: 60 }, () => own.acquire('agent'))
    expect(own.state()).toEqual({ inWindow: 60, waiting: 0 })
    await Promise.all(calls)
    expect(c.now()).toBe(c.start)
    expect(windowCeiling('agent', 60, { peopleShare: false })).toBe(60)
    expect(windowCeiling('background', 60, { peopleShare: false })).toBe(40)
  })

  it('should let every priority send on a tiny limit, and put no ceiling on an unlimited key', async () => {
    // 1/second: no share to keep; a ceiling of 0 would leave background work waiting for ever.
    expect(
      ['human', 'agent', 'background'].map((p) => windowCeiling(p as RequestPriority, 1))
    ).toEqual([1, 1, 1])
    expect(windowCeiling('background', 60)).toBe(40)
    expect(windowCeiling('agent', 60)).toBe(56)
    expect(windowCeiling('background', Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY)
    const c = clock()
    const start = c.now()
    const tiny = createRequestWindow({
      apiKey: key(),
      limit: { requests: 1, windowMs: 1_000 },
      ...c,
    })
    for (let i = 0; i < 3; i++) await tiny.acquire('background')
    expect(c.now() - start).toBeGreaterThanOrEqual(2_000)
    const unlimited = createRequestWindow({ apiKey: key(), limit: UNLIMITED_RATE, ...c })
    const at = c.now()
    await Promise.all(Array.from({ length: 500 }, () => unlimited.acquire('background')))
    expect(c.now()).toBe(at)
  })

  it('should share one window between clients built with the same key and key windows, and not with another key', async () => {
    const c = clock()
    const apiKey = key()
    const limit = { requests: 3, windowMs: 60_000 }
    // One runtime's key windows (the composition root builds them once).
    const keyWindows = createKeyWindows()
    const a = createRequestWindow({ apiKey, limit, keyWindows, ...c })
    const b = createRequestWindow({ apiKey, limit, keyWindows, ...c })
    const other = createRequestWindow({ apiKey: key(), limit, keyWindows, ...c })
    // Another runtime in the same process: its own key windows, its own window.
    const elsewhere = createRequestWindow({ apiKey, limit, ...c })
    await a.acquire('agent')
    await b.acquire('agent')
    await other.acquire('agent')
    expect(a.state().inWindow).toBe(2)
    expect(other.state().inWindow).toBe(1)
    expect(elsewhere.state().inWindow).toBe(0)
  })

  it('should count what another client spent, from X-RateLimit-Remaining', async () => {
    const c = clock()
    const keyWindow = createRequestWindow({
      apiKey: key(),
      limit: { requests: 10, windowMs: 60_000 },
      ...c,
    })
    await keyWindow.acquire('background')
    // Plane says 2 left after ours: 7 came from elsewhere (a poll job on the same key).
    keyWindow.observe(2)
    expect(keyWindow.state().inWindow).toBe(8)
    // An answer that lags ours (requests in flight) adds nothing.
    keyWindow.observe(9)
    expect(keyWindow.state().inWindow).toBe(8)
  })

  it('should count every process on one store in one window: together they never pass the limit', async () => {
    const c = clock()
    const store = createMemoryStore({ now: c.now })
    // Two processes on one store: two views of it (each its own key windows), one window in the store.
    const process = (): SharedWindow => ({ windowTake: (k, o) => store.windowTake(k, o) })
    const apiKey = key()
    const server = createRequestWindow({ apiKey, shared: process(), ...c })
    const job = createRequestWindow({ apiKey, shared: process(), ...c })
    const start = c.now()
    await Promise.all(Array.from({ length: 30 }, () => server.acquire('agent')))
    // The job's poll sees the server's 30: background work stops at its 40, not at 40 of its own.
    await Promise.all(Array.from({ length: 10 }, () => job.acquire('background')))
    expect(c.now()).toBe(start)
    const late = job.acquire('background')
    // A person's action still starts at once: the rest of the window is kept for it.
    await server.acquire('human')
    expect(c.now()).toBe(start)
    await late
    expect(c.now() - start).toBeGreaterThan(60_000)
    expect(job.state().inWindow).toBe(1)
    // Without the store, the job would have counted only its own 10 and started at once.
    const alone = createRequestWindow({ apiKey, ...c })
    const before = c.now()
    await alone.acquire('background')
    expect(c.now()).toBe(before)
  })

  it('should not take Plane’s count for starts of its own when the window is shared', async () => {
    const c = clock()
    const store = createMemoryStore({ now: c.now })
    const apiKey = key()
    const job = createRequestWindow({
      apiKey,
      shared: { windowTake: (k, o) => store.windowTake(k, o) },
      ...c,
    })
    const server = createRequestWindow({
      apiKey,
      shared: { windowTake: (k, o) => store.windowTake(k, o) },
      ...c,
    })
    const start = c.now()
    await Promise.all(Array.from({ length: 40 }, () => job.acquire('background')))
    // 50 s later an answer to the server says Plane holds 40: the job's, which the store has at their times.
    c.advance(50_000)
    server.observe(20)
    expect(server.state().inWindow).toBe(0)
    // Once they have left the window, the server's agents start at once: Plane's 40 were not taken for starts
    // made 50 s later (they would have held the window until a minute after the answer).
    c.advance(12_000)
    const before = c.now()
    await Promise.all(Array.from({ length: 30 }, () => server.acquire('agent')))
    expect(c.now()).toBe(before)
    expect(c.now() - start).toBeLessThan(70_000)
  })

  it('should go on with its own window when the shared one cannot be reached', async () => {
    const c = clock()
    let calls = 0
    const broken: SharedWindow = {
      windowTake: async () => {
        calls++
        throw new Error('store down')
      },
    }
    const keyWindow = createRequestWindow({
      apiKey: key(),
      limit: { requests: 3, windowMs: 60_000 },
      shared: broken,
      ...c,
    })
    const start = c.now()
    await Promise.all(Array.from({ length: 3 }, () => keyWindow.acquire('human')))
    expect(c.now()).toBe(start)
    expect(calls).toBe(3)
    // This process's window still holds: the fourth waits for the first to leave it.
    await keyWindow.acquire('human')
    expect(c.now() - start).toBeGreaterThan(60_000)
  })

  it('should give up a wait whose signal aborts, count nothing for it, and serve the others in order', async () => {
    const { c, keyWindow } = await fullTinyWindow()
    const order: string[] = []
    const giveUp = new AbortController()
    const given = keyWindow.acquire('background', giveUp.signal).then(
      () => 'started',
      (error: unknown) => (error instanceof RequestNotStarted ? 'given up' : String(error))
    )
    const other = keyWindow.acquire('background').then(() => void order.push('background'))
    const agent = keyWindow.acquire('agent', new AbortController().signal)
    void agent.then(() => void order.push('agent'))
    expect(keyWindow.state()).toEqual({ inWindow: 2, waiting: 3 })
    giveUp.abort()
    expect(await given).toBe('given up')
    expect(keyWindow.state()).toEqual({ inWindow: 2, waiting: 2 })
    await c.run()
    await Promise.all([other, agent])
    expect(order).toEqual(['agent', 'background'])
    expect(keyWindow.state().waiting).toBe(0)
    // Aborted before it asks: given up at once, even with room; a start granted before the abort stands.
    await expect(keyWindow.acquire('human', AbortSignal.abort())).rejects.toBeInstanceOf(
      RequestNotStarted
    )
    const late = new AbortController()
    const roomy = createRequestWindow({ apiKey: key(), ...c })
    await roomy.acquire('background', late.signal)
    late.abort()
    expect(roomy.state()).toEqual({ inWindow: 1, waiting: 0 })
  })

  it('should give up a wait for the shared window, with the other process’s starts untouched', async () => {
    const c = heldClock()
    const store = createMemoryStore({ now: c.now })
    const apiKey = key()
    const shared = (): SharedWindow => ({ windowTake: (k, o) => store.windowTake(k, o) })
    const server = createRequestWindow({ apiKey, shared: shared(), ...c })
    const job = createRequestWindow({ apiKey, shared: shared(), ...c })
    await Promise.all(Array.from({ length: 40 }, () => server.acquire('background')))
    // The job's card write: the server holds background work's whole share, so it waits (in the store's window).
    const giveUp = new AbortController()
    const card = job.acquire('background', giveUp.signal)
    await new Promise((resolve) => setImmediate(resolve))
    expect(job.state()).toEqual({ inWindow: 0, waiting: 1 })
    giveUp.abort()
    await expect(card).rejects.toBeInstanceOf(RequestNotStarted)
    expect(job.state()).toEqual({ inWindow: 0, waiting: 0 })
    const held = await store.windowTake(sharedWindowKeyOf(apiKey), {
      nowMs: c.now(),
      windowMs: 60_000 + lateness(60_000),
      ceiling: 1,
    })
    expect(held).toMatchObject({ taken: false, count: 40 })
    // Its pump wakes when the window slides, finds nobody, and starts nothing.
    await c.run()
    expect(job.state()).toEqual({ inWindow: 0, waiting: 0 })
  })

  it('should start nothing until a 429’s Retry-After has passed', async () => {
    const c = clock()
    const keyWindow = createRequestWindow({ apiKey: key(), ...c })
    keyWindow.refused(30_000)
    const before = c.now()
    await keyWindow.acquire('human')
    expect(c.now() - before).toBeGreaterThanOrEqual(30_000)
  })
})
