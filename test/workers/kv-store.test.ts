/** The store on a real (local) KV namespace: TTLs under KV's 60 s minimum, best-effort claims, per-isolate locks and counters. */
import { env } from 'cloudflare:test'
import kvBindingDriver from 'unstorage/drivers/cloudflare-kv-binding'
import { afterEach, describe, expect, it } from 'vitest'
import { createWorkerStore } from '../../runtime/worker-store.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { createStore, type Store } from '../../shared/store/store.ts'

const PREFIX = 'kvtest'

/** A KV store whose clock the test moves (KV's own expiry is ≥ 60 s: only the envelope can expire sooner). */
function makeKvStore(clock: { ms: number }): Store {
  return createStore({
    driver: kvBindingDriver({ binding: env.STORE, base: PREFIX }),
    name: 'cloudflare-kv',
    location: 'kv:STORE',
    atomics: 'kv',
    now: () => clock.ms,
  })
}

async function kvExpirations(prefix: string): Promise<Record<string, number | undefined>> {
  const { keys } = await env.STORE.list({ prefix: `${PREFIX}:${prefix}` })
  return Object.fromEntries(keys.map((k) => [k.name, k.expiration]))
}

afterEach(async () => {
  const { keys } = await env.STORE.list({ prefix: `${PREFIX}:` })
  for (const key of keys) await env.STORE.delete(key.name)
})

describe('store on Cloudflare KV', () => {
  it('should expire a 5 s value after 5 s although KV keeps it for at least 60 s', async () => {
    const clock = { ms: Date.now() }
    const store = makeKvStore(clock)
    await store.set('ttl:short', { a: 1 }, { ttlSeconds: 5 })
    expect(await store.get('ttl:short')).toEqual({ a: 1 })
    const expiration = (await kvExpirations('ttl:'))[`${PREFIX}:ttl:short`]
    expect(expiration).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 59)
    clock.ms += 5_001
    expect(await store.get('ttl:short')).toBeNull()
    expect(await store.has('ttl:short')).toBe(false)
    expect(await store.keys('ttl:')).toEqual([])
  })

  it('should give a claim once until it expires, then again', async () => {
    const clock = { ms: Date.now() }
    const store = makeKvStore(clock)
    const results = await Promise.all(Array.from({ length: 20 }, () => store.claim('c:one', 10)))
    expect(results.filter(Boolean)).toHaveLength(1)
    // The claim is in KV (best effort across isolates), with KV's own expiry raised to its minimum.
    const expiration = (await kvExpirations('c:'))[`${PREFIX}:c:one`]
    expect(expiration).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 59)
    expect(await store.claim('c:one', 10)).toBe(false)
    clock.ms += 10_001
    expect(await store.claim('c:one', 10)).toBe(true)
  })

  it('should claim and enqueue once among twins, the losers taking their items back', async () => {
    const store = makeKvStore({ ms: Date.now() })
    const item = (n: number) => ({
      sortedSet: 'index:q',
      member: `m${n}`,
      score: n,
      key: `q:item:m${n}`,
      value: { n },
      ttlSeconds: 600,
    })
    const won = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        store.claimAndEnqueue({ key: 'seen:one', ttlSeconds: 60 }, item(n))
      )
    )
    expect(won.filter(Boolean)).toHaveLength(1)
    const winner = won.indexOf(true)
    expect(await store.sortedRange('index:q')).toEqual([{ member: `m${winner}`, score: winner }])
    expect(await store.keys('q:item:')).toEqual([`q:item:m${winner}`])
    expect(await store.get(`q:item:m${winner}`)).toEqual({ n: winner })
  })

  it('should keep a queued text in KV as it is, with the expiry of KV itself, and read it back', async () => {
    const store = makeKvStore({ ms: Date.now() })
    const text = 'plane-delivery/1\tissue\td-1\n{"event": "issue", "x": "é\\n"}'
    const item = {
      sortedSet: 'index:t',
      member: 'm1',
      score: 1,
      key: 't:item:m1',
      text,
      ttlSeconds: 600,
    }
    expect(await store.claimAndEnqueue({ key: 'seen:text', ttlSeconds: 60 }, item)).toBe(true)
    expect(await env.STORE.get(`${PREFIX}:t:item:m1`)).toBe(text)
    expect(await store.getText('t:item:m1')).toBe(text)
    const expiration = (await kvExpirations('t:'))[`${PREFIX}:t:item:m1`]
    expect(expiration).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 599)
    await store.dequeue(item)
    expect(await store.getText('t:item:m1')).toBeNull()
    expect(await store.sortedSize('index:t')).toBe(0)
  })

  it('should keep locks and counters in the isolate, writing nothing to KV', async () => {
    const clock = { ms: Date.now() }
    const store = makeKvStore(clock)
    const lock = await store.lock('l:task', 30)
    expect(lock).not.toBeNull()
    expect(await store.lock('l:task', 30)).toBeNull()
    expect(await lock?.release()).toBe(true)
    expect(await store.lock('l:task', 30)).not.toBeNull()
    const counts = await Promise.all(Array.from({ length: 5 }, () => store.increment('n:rate', 60)))
    expect(counts.sort()).toEqual([1, 2, 3, 4, 5])
    clock.ms += 60_001
    expect(await store.increment('n:rate', 60)).toBe(1)
    expect(await kvExpirations('')).toEqual({})
  })

  it('should ping with a read and list keys under a prefix only', async () => {
    const store = createWorkerStore(loadConfig({ REDIS_KEY_PREFIX: PREFIX }), { kv: env.STORE })
    expect(store.driver).toBe('cloudflare-kv')
    await expect(store.ping()).resolves.toBeUndefined()
    await store.set('list:b', 2)
    await store.set('list:a', 1)
    await store.set('other:c', 3)
    expect(await store.keys('list:')).toEqual(['list:a', 'list:b'])
    expect(await kvExpirations('health:')).toEqual({})
  })
})
