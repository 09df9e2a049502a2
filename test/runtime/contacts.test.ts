/**
 * An integration's last contact is written to the store as background work: the runtime's `background.idle` (what
 * shutdown waits for, and what a Worker hands `ctx.waitUntil`) covers it. Outside it, nothing but a job's
 * `status.flush()` waited for the write: a Worker could end the request's I/O first, and other isolates' /ready
 * would not see the contact.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { createServices } from '../../runtime/services.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { storedContacts } from '../../shared/core/contacts.ts'
import { createLogger } from '../../shared/observe/log.ts'
import { createRedactor } from '../../shared/observe/redact.ts'
import { createMemoryStore, type Store } from '../../shared/store/store.ts'
import { createFaultyStore } from '../faults/faulty-store.ts'

/** A store whose writes take `ms` (a remote store's round trip), reads as the memory store's. */
function slowWrites(base: Store, ms: number): Store {
  return new Proxy(base, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver)
      if (key !== 'set' && key !== 'sortedAdd') return value
      return async (...args: unknown[]) => {
        await sleep(ms)
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
      }
    },
  })
}

function servicesOn(
  store: Store,
  {
    keepAlive,
    lines = [],
  }: { keepAlive?: (promise: Promise<unknown>) => void; lines?: string[] } = {}
) {
  return createServices({
    config: loadConfig({}),
    functions,
    store,
    log: createLogger({ level: 'info', redactor: createRedactor(), write: (l) => lines.push(l) }),
    ...(keepAlive ? { keepAlive } : {}),
  })
}

describe("an integration's last contact in the store", () => {
  it('should be written before the background is idle', async () => {
    const base = createMemoryStore()
    const services = servicesOn(slowWrites(base, 30))
    services.status.contact('plane', false, 'HTTP 502')
    expect(await services.background.idle(5_000)).toBe(true)
    expect(await storedContacts(base)).toMatchObject({ plane: { ok: false, detail: 'HTTP 502' } })
  })

  it("should be handed to the runtime's keep-alive (a Worker's waitUntil), and still be flushed by a job", async () => {
    const kept: Promise<unknown>[] = []
    const base = createMemoryStore()
    const services = servicesOn(slowWrites(base, 30), {
      keepAlive: (promise) => kept.push(promise),
    })
    services.status.contact('telegram', true)
    expect(kept).toHaveLength(1)
    await services.status.flush()
    expect(await storedContacts(base)).toMatchObject({ telegram: { ok: true } })
  })

  it('should forget a failed write, so that the next contact writes again, and log nothing for it', async () => {
    const lines: string[] = []
    const base = createMemoryStore()
    const store = createFaultyStore(base)
    store.arm({ mode: 'throw', match: (op) => op.name === 'set' })
    const services = servicesOn(store, { lines })
    services.status.contact('plane', true)
    expect(await services.background.idle(5_000)).toBe(true)
    expect(store.hit?.key).toBe('status:contact:plane')
    expect(await storedContacts(base)).toEqual({})
    services.status.contact('plane', true)
    expect(await services.background.idle(5_000)).toBe(true)
    expect(await storedContacts(base)).toMatchObject({ plane: { ok: true } })
    expect(lines.filter((l) => l.includes('background task failed'))).toEqual([])
  })
})
