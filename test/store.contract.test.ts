import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import unstorageRedis from 'unstorage/drivers/redis'
import { afterAll, describe, expect, it } from 'vitest'
import { createNodeStore, describeRedisUrl } from '../runtime/node-store.ts'
import { loadConfig } from '../shared/core/config.ts'
import type { RedisLike } from '../shared/store/atomics.ts'
import { createKeyedLocks, KeyLockedError } from '../shared/store/keyed-lock.ts'
import { createStoreQueue } from '../shared/store/queue.ts'
import { createRedisHttpClient, redisHttpDriver } from '../shared/store/redis-http.ts'
import { claimAndWrite, createMemoryStore, createStore, type Store } from '../shared/store/store.ts'
import { dropRedisPrefix, TEST_REDIS_URL } from './helpers/redis.ts'
import { startRedisRest } from './helpers/redis-rest.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

type Harness = { name: string; make: () => Store; cleanup?: () => Promise<void> }

const tmpDirs: string[] = []
const redisPrefix = `test-${process.pid}-${Date.now()}`
// Workers' strict store: Redis over HTTP (shared/store-redis-http.ts), here in front of the same Redis.
const redisRest = await startRedisRest()
const restPrefix = `${redisPrefix}-rest`

/** The store runtime/worker-store.ts builds for REDIS_REST_URL. */
function makeRedisHttpStore(): Store {
  const client = createRedisHttpClient({ url: redisRest.url, token: redisRest.token })
  return createStore({
    driver: redisHttpDriver({ client, base: restPrefix }),
    name: 'redis-http',
    location: redisRest.url,
    redis: client,
    redisPrefix: restPrefix,
  })
}

const harnesses: Harness[] = [
  { name: 'memory', make: () => createMemoryStore() },
  {
    name: 'fs',
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-store-'))
      tmpDirs.push(dir)
      return createNodeStore(loadConfig({ DATA_DIR: dir }))
    },
  },
  {
    name: 'redis',
    make: () =>
      createNodeStore(loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: redisPrefix })),
    cleanup: async () => {
      const redis = new Redis(TEST_REDIS_URL)
      const keys = await redis.keys(`${redisPrefix}:*`)
      if (keys.length > 0) await redis.del(...keys)
      await redis.quit()
    },
  },
  {
    name: 'redis-http',
    make: makeRedisHttpStore,
    cleanup: async () => {
      const redis = new Redis(TEST_REDIS_URL)
      const keys = await redis.keys(`${restPrefix}:*`)
      if (keys.length > 0) await redis.del(...keys)
      await redis.quit()
      await redisRest.close()
    },
  },
]

afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true })
})

describe.each(harnesses)('store contract: $name', ({ name, make, cleanup }) => {
  const store = make()
  afterAll(async () => {
    await cleanup?.()
    await store.dispose()
  })

  it('should report its driver', () => {
    expect(store.driver).toBe(name)
  })

  it('should answer ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined()
  })

  it('should round-trip objects, strings, numbers and booleans', async () => {
    await store.set('rt:obj', { a: 1, b: ['x', { c: null }], s: 'é 🚀 "q"' })
    await store.set('rt:str', '42')
    await store.set('rt:num', 42)
    await store.set('rt:bool', false)
    expect(await store.get('rt:obj')).toEqual({ a: 1, b: ['x', { c: null }], s: 'é 🚀 "q"' })
    expect(await store.get('rt:str')).toBe('42')
    expect(await store.get('rt:num')).toBe(42)
    expect(await store.get('rt:bool')).toBe(false)
    expect(await store.has('rt:bool')).toBe(true)
  })

  it('should answer null for a missing key and forget a deleted one', async () => {
    expect(await store.get('missing:key')).toBeNull()
    await store.set('del:me', 1)
    await store.delete('del:me')
    expect(await store.get('del:me')).toBeNull()
    expect(await store.has('del:me')).toBe(false)
  })

  it('should read several keys at once, in their order, missing and expired ones null', async () => {
    await store.set('many:a', { n: 1 })
    await store.set('many:b', 'two')
    await store.set('many:gone', 3, { ttlSeconds: 1 })
    await store.delete('many:gone')
    expect(await store.getMany(['many:b', 'many:missing', 'many:a', 'many:gone'])).toEqual([
      'two',
      null,
      { n: 1 },
      null,
    ])
    expect(await store.getMany([])).toEqual([])
  })

  it('should list keys under a prefix only, sorted', async () => {
    await store.set('list:b', 2)
    await store.set('list:a', 1)
    await store.set('other:c', 3)
    expect(await store.keys('list:')).toEqual(['list:a', 'list:b'])
  })

  it('should reject keys that are unsafe on some driver', async () => {
    await expect(store.set('a/../b', 1)).rejects.toThrow(/invalid store key/)
    await expect(store.get('a::b')).rejects.toThrow(/invalid store key/)
    await expect(store.claim('x:..', 5)).rejects.toThrow(/invalid store key/)
    for (const key of ['.', '..', '.:a', 'a:.', 'a:..:b', 'a:.:b'])
      await expect(store.get(key), key).rejects.toThrow(/invalid store key/)
    // A dot inside a segment is a name, not a path step.
    for (const key of ['a.b', 'a:...', 'a:.b:c', 'a:b..'])
      await expect(store.get(key), key).resolves.toBeNull()
    await expect(store.set('ok:key', 1, { ttlSeconds: 0.5 })).rejects.toThrow(/ttlSeconds/)
  })

  it('should give one winner to 50 concurrent claims of one key', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => store.claim('claim:race', 30))
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(await store.claim('claim:race', 30)).toBe(false)
  })

  it('should keep the value a claim was made with', async () => {
    expect(await store.claim('claim:valued', 30, { attempts: 0 })).toBe(true)
    expect(await store.claim('claim:valued', 30, { attempts: 9 })).toBe(false)
    expect(await store.get('claim:valued')).toEqual({ attempts: 0 })
  })

  it('should release a claim whose write failed, and keep one whose write succeeded', async () => {
    await expect(
      claimAndWrite(store, 'cw:key', 30, async () => {
        throw new Error('disk full')
      })
    ).rejects.toThrow('disk full')
    expect(await claimAndWrite(store, 'cw:key', 30, async () => 'stored')).toEqual({
      claimed: true,
      value: 'stored',
    })
    expect(await claimAndWrite(store, 'cw:key', 30, async () => 'again')).toEqual({
      claimed: false,
    })
  })

  it('should grant a lock to one holder, and again after release', async () => {
    const first = await store.lock('lock:a', 30)
    expect(first).not.toBeNull()
    expect(await store.lock('lock:a', 30)).toBeNull()
    expect(await first!.extend(30)).toBe(true)
    expect(await first!.release()).toBe(true)
    const second = await store.lock('lock:a', 30)
    expect(second).not.toBeNull()
    expect(await first!.release()).toBe(false)
    expect(await store.lock('lock:a', 30)).toBeNull()
    await second!.release()
  })

  it('should free a lock released while an extension is still unanswered', async () => {
    // A heartbeat's extension in flight when the work ends: the release must not compare the value it replaces.
    for (let i = 0; i < 5; i++) {
      const lock = await store.lock('lock:heartbeat', 30)
      expect(lock).not.toBeNull()
      const [extended, released] = await Promise.all([lock!.extend(30), lock!.release()])
      expect(extended).toBe(true)
      expect(released).toBe(true)
      const next = await store.lock('lock:heartbeat', 30)
      expect(next, `round ${i}: the key is still held`).not.toBeNull()
      await next!.release()
    }
  })

  it('should count atomically', async () => {
    const counts = await Promise.all(
      Array.from({ length: 20 }, () => store.increment('count:n', 30))
    )
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
  })

  it('should count by more than one, the window still set by the call that creates it', async () => {
    expect(await store.increment('count:by', 1, 5)).toBe(5)
    expect(await store.increment('count:by', 30, 2)).toBe(7)
    expect(await store.increment('count:by', 30)).toBe(8)
    await expect(store.increment('count:by', 30, 0)).rejects.toThrow('invalid increment')
    await expect(store.increment('count:by', 30, 1.5)).rejects.toThrow('invalid increment')
    await sleep(1300)
    // Created with 1 s: gone, whatever the later calls asked for.
    expect(await store.increment('count:by', 30, 3)).toBe(3)
  })

  it('should keep a sorted index: add, keep a score on request, range by score, remove', async () => {
    expect(await store.sortedAdd('idx:due', 'b', 20)).toBe(true)
    expect(await store.sortedAdd('idx:due', 'a', 10)).toBe(true)
    expect(await store.sortedAdd('idx:due', 'c', 30)).toBe(true)
    // Re-adding moves the member; onlyIfAbsent leaves it where it is.
    expect(await store.sortedAdd('idx:due', 'c', 5)).toBe(false)
    expect(await store.sortedAdd('idx:due', 'c', 99, { onlyIfAbsent: true })).toBe(false)
    expect(await store.sortedScore('idx:due', 'c')).toBe(5)
    expect(await store.sortedScore('idx:due', 'zz')).toBeNull()
    expect(await store.sortedRange('idx:due', { maxScore: 15 })).toEqual([
      { member: 'c', score: 5 },
      { member: 'a', score: 10 },
    ])
    expect((await store.sortedRange('idx:due', { limit: 2 })).map((e) => e.member)).toEqual([
      'c',
      'a',
    ])
    expect(await store.sortedSize('idx:due')).toBe(3)
    expect(await store.sortedRemove('idx:due', 'a')).toBe(true)
    expect(await store.sortedRemove('idx:due', 'a')).toBe(false)
    expect((await store.sortedRange('idx:due')).map((e) => e.member)).toEqual(['c', 'b'])
    // Members are any text: ids with colons, unicode.
    expect(await store.sortedAdd('idx:due', 'task:1:agent:é', 1.5)).toBe(true)
    expect(await store.sortedScore('idx:due', 'task:1:agent:é')).toBe(1.5)
    await store.delete('idx:due')
    expect(await store.sortedSize('idx:due')).toBe(0)
    expect(await store.sortedRange('idx:due')).toEqual([])
  })

  it('should give one winner to concurrent onlyIfAbsent adds of one member', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.sortedAdd('idx:race', 'only', i, { onlyIfAbsent: true })
      )
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(await store.sortedSize('idx:race')).toBe(1)
    await store.delete('idx:race')
  })

  it('should keep a sliding window: a start per take up to its ceiling, then the wait until the oldest leaves', async () => {
    const t0 = Date.now()
    const take = (at: number, ceiling = 3) =>
      store.windowTake('window:key', { nowMs: t0 + at, windowMs: 10_000, ceiling })
    expect(await take(0)).toEqual({ taken: true, count: 1, waitMs: 0 })
    expect(await take(1_000)).toEqual({ taken: true, count: 2, waitMs: 0 })
    expect(await take(2_000)).toEqual({ taken: true, count: 3, waitMs: 0 })
    // Full: nothing recorded, and the oldest start (t0) leaves at t0 + 10 s.
    expect(await take(3_000)).toEqual({ taken: false, count: 3, waitMs: 7_000 })
    expect(await take(9_999)).toEqual({ taken: false, count: 3, waitMs: 1 })
    // A start exactly one window old has left it (Plane's throttle drops history ≤ now − duration).
    expect(await take(10_000)).toEqual({ taken: true, count: 3, waitMs: 0 })
    // A lower ceiling (a lower priority's share) sees the same starts.
    expect(await take(10_001, 2)).toEqual({ taken: false, count: 3, waitMs: 999 })
    await expect(
      store.windowTake('window:key', { nowMs: t0, windowMs: 10_000, ceiling: 0 })
    ).rejects.toThrow(/ceiling/)
    await expect(
      store.windowTake('window:key', { nowMs: t0, windowMs: 0.5, ceiling: 1 })
    ).rejects.toThrow(/span/)
    await store.delete('window:key')
  })

  it('should never let concurrent takes pass the ceiling', async () => {
    const nowMs = Date.now()
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        store.windowTake('window:race', { nowMs, windowMs: 10_000, ceiling: 20 })
      )
    )
    expect(results.filter((r) => r.taken)).toHaveLength(20)
    expect(Math.max(...results.map((r) => r.count))).toBe(20)
    await store.delete('window:race')
  })

  it('should keep a queue: items listed from the index in score order, due ones only, removed cleanly', async () => {
    const queue = createStoreQueue<{ text: string }>({
      store,
      sortedSet: 'index:q-test',
      itemPrefix: 'q:test:',
    })
    const at = Date.now()
    await queue.put('b', { text: 'second' }, at + 10)
    await queue.put('a', { text: 'first' }, at)
    await queue.put('later', { text: 'later' }, at + 60_000)
    expect((await queue.range({ maxScore: at + 10 })).map((e) => e.value.text)).toEqual([
      'first',
      'second',
    ])
    await queue.update('a', { text: 'first, again' }, at + 20)
    expect((await queue.range({ maxScore: at + 20 })).map((e) => e.id)).toEqual(['b', 'a'])
    expect(await queue.get('a')).toEqual({ text: 'first, again' })
    expect(await queue.size()).toBe(3)
    for (const id of ['a', 'b', 'later']) await queue.remove(id)
    expect(await queue.size()).toBe(0)
    expect(await queue.range()).toEqual([])
    expect(await store.keys('q:')).toEqual([])
  })

  it('should claim and enqueue in one step: one winner of 50 twins, its item listed, nothing of the others', async () => {
    const queue = createStoreQueue<{ twin: number }>({
      store,
      sortedSet: 'index:q-claimed',
      itemPrefix: 'q:claimed:',
      ttlSeconds: 600,
    })
    const at = Date.now()
    const claim = { key: 'seen:claimed', ttlSeconds: 60 }
    const won = await Promise.all(
      Array.from({ length: 50 }, (_, twin) => queue.claimAndPut(claim, `t${twin}`, { twin }, at))
    )
    expect(won.filter(Boolean)).toHaveLength(1)
    const winner = won.indexOf(true)
    expect(await queue.range()).toEqual([{ id: `t${winner}`, value: { twin: winner }, score: at }])
    expect(await store.has('seen:claimed')).toBe(true)
    // Taken already: nothing written, even under a new id.
    expect(await queue.claimAndPut(claim, 'late', { twin: 99 }, at)).toBe(false)
    expect(await queue.get('late')).toBeNull()
    expect(await store.sortedSize('index:q-claimed')).toBe(1)
    // The same claim key as a plain claim, and the item as queue.remove leaves it.
    expect(await store.claim('seen:claimed', 60)).toBe(false)
    await queue.remove(`t${winner}`)
    expect(await store.keys('q:claimed:')).toEqual([])
    expect(
      await queue.claimAndPut({ key: 'seen:other', ttlSeconds: 60 }, 'n', { twin: 0 }, at)
    ).toBe(true)
    await queue.remove('n')
  })

  it('should keep a queued text character for character, one winner among twins, and read it back', async () => {
    const queue = createStoreQueue<never>({
      store,
      sortedSet: 'index:q-text',
      itemPrefix: 'q:text:',
      ttlSeconds: 600,
    })
    // Not JSON, a JSON look-alike, tabs, newlines, quotes, backslashes, non-ASCII and a lone surrogate's neighbours.
    const texts = [
      'plane-delivery/1\tissue\t\n{"event": "issue", "a": "\\u00e9\\n"}',
      '{"$v": 1, "$e": null}',
      'not json at all',
      '',
      'é ✓ 🚀 "quoted" \\ back\r\nslash',
    ]
    for (const [n, text] of texts.entries()) {
      const claim = { key: `seen:text-${n}`, ttlSeconds: 60 }
      const won = await Promise.all(
        Array.from({ length: 5 }, () => queue.claimAndPutText(claim, `t${n}`, text, n))
      )
      expect(won.filter(Boolean)).toHaveLength(1)
      expect(await store.getText(queue.key(`t${n}`))).toBe(text)
    }
    expect(await store.sortedSize('index:q-text')).toBe(texts.length)
    expect(await store.getText('q:text:missing')).toBeNull()
    for (const n of texts.keys()) await queue.remove(`t${n}`)
    expect(await store.getText(queue.key('t0'))).toBeNull()
    expect(await store.sortedSize('index:q-text')).toBe(0)
  })

  it('should dequeue an item and its index entry together, leaving the others, and take a missing one calmly', async () => {
    const queue = createStoreQueue<{ n: number }>({
      store,
      sortedSet: 'index:q-dequeue',
      itemPrefix: 'q:dequeue:',
      ttlSeconds: 600,
    })
    const at = Date.now()
    await queue.put('a', { n: 1 }, at)
    await queue.put('b', { n: 2 }, at + 1)
    await store.dequeue({ sortedSet: 'index:q-dequeue', member: 'a', key: queue.key('a') })
    expect(await queue.get('a')).toBeNull()
    expect(await store.sortedScore('index:q-dequeue', 'a')).toBeNull()
    expect(await queue.range()).toEqual([{ id: 'b', value: { n: 2 }, score: at + 1 }])
    // Gone already, or never there: nothing to do, no error, the rest untouched.
    await store.dequeue({ sortedSet: 'index:q-dequeue', member: 'a', key: queue.key('a') })
    await store.dequeue({ sortedSet: 'index:q-none', member: 'x', key: 'q:dequeue:x' })
    expect(await queue.size()).toBe(1)
    // What a crash between an index write and its item leaves: the entry goes all the same.
    await store.sortedAdd('index:q-dequeue', 'orphan', at + 2)
    await queue.remove('orphan')
    await queue.remove('b')
    expect(await queue.size()).toBe(0)
    expect(await store.keys('q:dequeue:')).toEqual([])
    await expect(
      store.dequeue({ sortedSet: 'index:q-dequeue', member: 'a', key: 'a/../b' })
    ).rejects.toThrow(/invalid store key/)
  })

  it('should drop an index entry whose item is gone once it is past the grace, not before', async () => {
    const queue = createStoreQueue<string>({
      store,
      sortedSet: 'index:q-dangling',
      itemPrefix: 'q:dangling:',
      danglingGraceMs: 60_000,
    })
    // What a crash between the index write and the item write leaves behind.
    await store.sortedAdd('index:q-dangling', 'fresh', Date.now())
    await store.sortedAdd('index:q-dangling', 'old', Date.now() - 120_000)
    expect(await queue.range()).toEqual([])
    expect((await store.sortedRange('index:q-dangling')).map((e) => e.member)).toEqual(['fresh'])
    await store.delete('index:q-dangling')
  })

  it('should run calls on one key one at a time, in order, and calls on other keys alongside', async () => {
    const lock = createKeyedLocks({ store }).lock({ ttlSeconds: 30, waitMs: 5_000 })
    const events: string[] = []
    const slow = (name: string, ms: number) => async () => {
      events.push(`${name}:start`)
      await sleep(ms)
      events.push(`${name}:end`)
      return name
    }
    const results = await Promise.all([
      lock.run('k:one', slow('a', 30)),
      lock.run('k:one', slow('b', 1)),
      lock.run('k:two', slow('c', 1)),
    ])
    expect(results).toEqual(['a', 'b', 'c'])
    // b waits for a; c (another key) does not.
    expect(events.indexOf('b:start')).toBeGreaterThan(events.indexOf('a:end'))
    expect(events.indexOf('c:end')).toBeLessThan(events.indexOf('a:end'))
    // A failing call does not poison the key for the next one.
    await expect(lock.run('k:one', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom'
    )
    expect(await lock.run('k:one', async () => 'after')).toBe('after')
  })

  it("should queue one key's calls behind each other across the locks of one table", async () => {
    // The pipeline's task lock and the run store's lock are two locks of the table the bridge builds.
    const locks = createKeyedLocks({ store })
    const first = locks.lock({ ttlSeconds: 30, waitMs: 5_000 })
    const second = locks.lock({ ttlSeconds: 10, waitMs: 1_000 })
    const events: string[] = []
    await Promise.all([
      first.run('k:shared', async () => {
        events.push('a:start')
        await sleep(30)
        events.push('a:end')
      }),
      second.run('k:shared', async () => void events.push('b')),
    ])
    expect(events).toEqual(['a:start', 'a:end', 'b'])
  })

  it('should expire values, claims, locks and counters after their TTL', async () => {
    await store.set('ttl:value', 'v', { ttlSeconds: 1 })
    await store.set('ttl:keep', 'k')
    expect(await store.claim('ttl:claim', 1)).toBe(true)
    const lock = await store.lock('ttl:lock', 1)
    expect(lock).not.toBeNull()
    expect(await store.increment('ttl:count', 1)).toBe(1)
    expect(await store.increment('ttl:count', 1)).toBe(2)
    await store.sortedAdd('ttl:index', 'm', 1, { ttlSeconds: 1 })
    const item = {
      sortedSet: 'index:ttl-queue',
      member: 'i',
      score: 1,
      key: 'ttl:item',
      value: 'x',
    }
    expect(
      await store.claimAndEnqueue({ key: 'ttl:seen', ttlSeconds: 1 }, { ...item, ttlSeconds: 1 })
    ).toBe(true)
    expect(await store.get('ttl:value')).toBe('v')

    await sleep(1300)

    expect(await store.get('ttl:value')).toBeNull()
    expect(await store.has('ttl:value')).toBe(false)
    expect(await store.keys('ttl:')).toEqual(['ttl:keep'])
    expect(await store.claim('ttl:claim', 30)).toBe(true)
    const next = await store.lock('ttl:lock', 30)
    expect(next).not.toBeNull()
    // The expired holder must not release (or extend) the new holder's lock.
    expect(await lock!.release()).toBe(false)
    expect(await store.lock('ttl:lock', 30)).toBeNull()
    expect(await store.increment('ttl:count', 1)).toBe(1)
    expect(await store.sortedSize('ttl:index')).toBe(0)
    // The claim and the item lapse; the index entry stays until a queue's read drops it, as after `put`.
    expect(await store.get('ttl:item')).toBeNull()
    expect(await store.claimAndEnqueue({ key: 'ttl:seen', ttlSeconds: 30 }, item)).toBe(true)
    await store.delete('index:ttl-queue')
  })
})

describe('store: redis specifics', () => {
  /** Two stores on one Redis prefix, as two replicas see it; both disposed and the prefix dropped after `fn`. */
  const twoReplicas = async (
    name: string,
    fn: (real: Store, other: Store) => Promise<void>
  ): Promise<void> => {
    const prefix = `${redisPrefix}-${name}`
    const config = loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix })
    const real = createNodeStore(config)
    const other = createNodeStore(config)
    try {
      await fn(real, other)
    } finally {
      await real.dispose()
      await other.dispose()
      await dropRedisPrefix(prefix)
    }
  }

  it('should pass the store lock along a burst on one key and let another replica in after', async () => {
    await twoReplicas('kl', async (real, other) => {
      let taken = 0
      let released = 0
      const counting: Store = {
        ...real,
        lock: async (key, ttl) => {
          const lock = await real.lock(key, ttl)
          if (!lock) return null
          taken++
          return {
            ...lock,
            release: () => {
              released++
              return lock.release()
            },
          }
        },
      }
      const lock = createKeyedLocks({ store: counting }).lock({ ttlSeconds: 30, waitMs: 5_000 })
      const order: number[] = []
      await Promise.all(
        [1, 2, 3, 4].map((n) => lock.run('task:lock:burst', async () => void order.push(n)))
      )
      expect(order).toEqual([1, 2, 3, 4])
      // One lock for the four calls queued together, released once the queue is empty.
      expect({ taken, released }).toEqual({ taken: 1, released: 1 })
      // Another replica finds the key free at once.
      const theirs = await other.lock('task:lock:burst', 30)
      expect(theirs).not.toBeNull()
      await theirs?.release()
      // A call alone takes and releases its own.
      await lock.run('task:lock:burst', async () => undefined)
      expect({ taken, released }).toEqual({ taken: 2, released: 2 })
    })
  })

  it('should keep a lingering lock and its memo for its second, and let it go then or when told', async () => {
    await twoReplicas('linger', async (real, other) => {
      const key = 'task:lock:linger'
      const locks = createKeyedLocks({ store: real })
      const lock = locks.lock({ ttlSeconds: 30, waitMs: 5_000, linger: true })
      await lock.run(key, async (memo) => void memo.set('snapshot', 1))
      // Kept with nothing queued: another replica waits, the next call here finds what the last one left.
      expect(await other.lock(key, 30)).toBeNull()
      expect(await lock.run(key, async (memo) => memo.get('snapshot'))).toBe(1)
      // A failed call leaves the store in a state nobody knows: the memo is emptied.
      const failing = lock.run(key, async (memo) => {
        memo.set('pending', 2)
        throw new Error('boom')
      })
      await expect(failing).rejects.toThrow('boom')
      expect(await lock.run(key, async (memo) => memo.size)).toBe(0)
      // Its second over, the timer lets it go.
      await sleep(1_100)
      const theirs = await other.lock(key, 30)
      expect(theirs).not.toBeNull()
      // Held elsewhere: a caller with other work asks once (waitMs 0) and is told at once.
      const asked = Date.now()
      await expect(lock.run(key, async () => 'ran', { waitMs: 0 })).rejects.toBeInstanceOf(
        KeyLockedError
      )
      expect(Date.now() - asked).toBeLessThan(1_000)
      await theirs?.release()
      // A new lock starts with an empty memo; a process that stops releases at once what it keeps.
      expect(await lock.run(key, async (memo) => memo.size)).toBe(0)
      // Another process's table (its own store object) holds none of them.
      expect(await createKeyedLocks({ store: other }).releaseHeld()).toBe(0)
      expect(await locks.releaseHeld()).toBe(1)
      const after = await other.lock(key, 30)
      expect(after).not.toBeNull()
      await after?.release()
    })
  })

  it("should renew a running call's lease, and tell when a renewal finds the lock gone", async () => {
    await twoReplicas('lease', async (real, other) => {
      const key = 'task:lock:lease'
      const lost: string[] = []
      const locks = createKeyedLocks({ store: real })
      const lock = locks.lock({
        ttlSeconds: 30,
        waitMs: 5_000,
        linger: true,
        lease: { seconds: 2, renewMs: 200 },
        onLost: (k) => lost.push(k),
      })
      // A call running past its 2 s lease keeps the key: renewed, not lapsed (with 1.6 s to spare for a loaded
      // machine's timers).
      let during: Awaited<ReturnType<Store['lock']>> = null
      await lock.run(key, async (memo) => {
        memo.set('snapshot', 1)
        await sleep(3_000)
        during = await other.lock(key, 30)
      })
      expect(during).toBeNull()
      expect(lost).toEqual([])
      // Past its handover second when the call ended, the lock was let go at once.
      const free = await other.lock(key, 30)
      expect(free).not.toBeNull()
      await free?.release()
      // Taken from under a running call (here by hand; in life, a process stalled past its lease): the renewal
      // says so, and what the call remembered is dropped, since the other holder may have written meanwhile.
      let theirs: Awaited<ReturnType<Store['lock']>> = null
      await lock.run(key, async (memo) => {
        memo.set('snapshot', 2)
        await other.delete(key)
        theirs = await other.lock(key, 30)
        await sleep(1_000)
      })
      expect(theirs).not.toBeNull()
      expect(lost).toEqual([key])
      await expect(lock.run(key, async () => 'ran', { waitMs: 0 })).rejects.toBeInstanceOf(
        KeyLockedError
      )
      await (theirs as Awaited<ReturnType<Store['lock']>>)?.release()
      expect(await lock.run(key, async (memo) => memo.size)).toBe(0)
      await locks.releaseHeld()
    })
  })

  it('should share one sliding window between replicas: together they never pass its ceiling', async () => {
    await twoReplicas('window', async (real, other) => {
      const nowMs = Date.now()
      const options = { nowMs, windowMs: 10_000, ceiling: 40 }
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? real : other)).flatMap((replica) => [
          replica.windowTake('window:shared', options),
          replica.windowTake('window:shared', options),
        ])
      )
      expect(results.filter((r) => r.taken)).toHaveLength(40)
      expect(await real.windowTake('window:shared', options)).toMatchObject({
        taken: false,
        count: 40,
      })
    })
  })

  it('should keep every key under the configured prefix', async () => {
    const prefix = `${redisPrefix}-raw`
    const store = createNodeStore(
      loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix })
    )
    await store.set('jobs:last', { ok: true }, { ttlSeconds: 60 })
    await store.claim('dedupe:abc', 60)
    await store.increment('rate:x', 60)
    const redis = new Redis(TEST_REDIS_URL)
    try {
      expect((await redis.keys(`${prefix}:*`)).sort()).toEqual(
        [`${prefix}:dedupe:abc`, `${prefix}:jobs:last`, `${prefix}:rate:x`].sort()
      )
      const ttl = await redis.ttl(`${prefix}:jobs:last`)
      expect(ttl).toBeGreaterThan(50)
      expect(ttl).toBeLessThanOrEqual(60)
      await redis.del(...(await redis.keys(`${prefix}:*`)))
    } finally {
      await redis.quit()
      await store.dispose()
    }
  })

  it('should read what the unstorage Redis driver wrote, and write what it reads (one data format)', async () => {
    // Stores written before the native Redis store existed went through unstorage's driver.
    const prefix = `${redisPrefix}-c`
    const ioredis = new Redis(TEST_REDIS_URL)
    const before = createStore({
      driver: unstorageRedis({ base: prefix, url: TEST_REDIS_URL }),
      name: 'redis',
      location: 'test',
      // ioredis's overloaded `set` is wider than the structural type; the old node-store cast it the same way.
      redis: ioredis as unknown as RedisLike,
      redisPrefix: prefix,
    })
    const after = createNodeStore(
      loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix })
    )
    try {
      await before.set('task:snapshot:t1', { id: 't1', state: 'Todo' }, { ttlSeconds: 60 })
      await before.set('plain:number', 7)
      await before.claim('webhook:seen:h1', 60, 'item-1')
      await before.increment('rate:r1', 60)
      await before.sortedAdd('index:outbox:telegram', 'm1', 1000)
      expect(await after.get('task:snapshot:t1')).toEqual({ id: 't1', state: 'Todo' })
      expect(await after.get('plain:number')).toBe(7)
      expect(await after.get('webhook:seen:h1')).toBe('item-1')
      expect(await after.claim('webhook:seen:h1', 60)).toBe(false)
      expect(await after.increment('rate:r1', 60)).toBe(2)
      expect(await after.sortedRange('index:outbox:telegram')).toEqual([
        { member: 'm1', score: 1000 },
      ])
      await after.set('task:snapshot:t2', { id: 't2' }, { ttlSeconds: 60 })
      expect(await before.get('task:snapshot:t2')).toEqual({ id: 't2' })
      expect(await after.keys('task:snapshot:')).toEqual(['task:snapshot:t1', 'task:snapshot:t2'])
    } finally {
      await dropRedisPrefix(prefix)
      await before.dispose()
      await after.dispose()
      await ioredis.quit()
    }
  })

  it('should run its scripts again after Redis forgot them (a restart, SCRIPT FLUSH)', async () => {
    const prefix = `${redisPrefix}-ns`
    const store = createNodeStore(
      loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix })
    )
    const redis = new Redis(TEST_REDIS_URL)
    try {
      const lock = await store.lock('lock:a', 30)
      expect(await lock?.extend(30)).toBe(true)
      await redis.script('FLUSH')
      expect(await lock?.release()).toBe(true)
      await redis.script('FLUSH')
      expect(await store.increment('count:a', 30)).toBe(1)
      expect(await store.get('lock:a')).toBeNull()
      await store.sortedAdd('index:q', 'm', 1)
      await store.set('q:m', 'x')
      await redis.script('FLUSH')
      await store.dequeue({ sortedSet: 'index:q', member: 'm', key: 'q:m' })
      expect(await store.get('q:m')).toBeNull()
      expect(await store.sortedSize('index:q')).toBe(0)
    } finally {
      await dropRedisPrefix(prefix)
      await redis.quit()
      await store.dispose()
    }
  })

  it('should fail fast and report the error when Redis is unreachable', async () => {
    const errors: string[] = []
    const store = createNodeStore(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1/0' }), {
      onError: (operation) => errors.push(operation),
    })
    await expect(store.ping()).rejects.toThrow()
    await expect(store.get('x')).rejects.toThrow()
    expect(errors).toEqual(['ping', 'get'])
    await store.dispose()
  })

  it('should describe a Redis URL without its credentials', () => {
    expect(describeRedisUrl('redis://user:s3cret-pass@10.0.0.5:6380/2')).toBe(
      'redis://10.0.0.5:6380/2'
    )
    expect(describeRedisUrl('redis://localhost')).toBe('redis://localhost:6379/0')
  })
})
