/**
 * @module What a Store operation costs on each driver, one operation at a time, against a plain Map: the floor
 * for "put a small JSON value under a key and read it back" without serialization, envelopes or I/O.
 */
import type { Store } from '../shared/store/store.ts'
import { type Case, defineBench } from './harness.ts'
import type { SharedFixture } from './shared-fixture.ts'
import { fsStoreFixture, memoryStoreFixture, redisStoreFixture } from './store-fixtures.ts'

// Set+get cycles through a fixed set of keys: the store stays the same size however many ops a round does.
const KEY_POOL_SIZE = 1000
const KEYS = Array.from({ length: KEY_POOL_SIZE }, (_, i) => `bench:kv:${i}`)
// About the size of what plane-bridge stores (a mapping, a cursor, a status line).
const VALUE = {
  id: 4242,
  title: 'Synchronise the Plane work item with its Telegram thread',
  labels: ['bridge', 'bench'],
  updatedAt: '2026-01-01T00:00:00.000Z',
}
// Every write carries a TTL, so on Redis even a crashed run's keys expire by themselves.
const TTL_SECONDS = 300

const memory = memoryStoreFixture()
const fs = fsStoreFixture()
const redis = redisStoreFixture()

export const storeBench = defineBench({
  name: 'store',
  description:
    'one Store operation at a time (concurrency 1) on memory, fs and Redis vs a plain Map',
  concurrency: 1,
  baseline: mapSetGetCase(),
  cases: [
    setGetCase('memory set+get', memory),
    setGetCase('fs set+get', fs),
    setGetCase('redis set+get', redis),
    claimCase('redis claim (unique keys)', redis),
    claimCase('fs claim (unique keys)', fs),
  ],
})

function mapSetGetCase(): Case {
  const map = new Map<string, unknown>()
  let n = 0
  return {
    name: 'Map set+get',
    run: function mapSetGet() {
      const key = KEYS[n++ % KEY_POOL_SIZE]!
      map.set(key, VALUE)
      // The same check as the store cases, so both do the same work with the value read back.
      if (map.get(key) === undefined) throw new Error(`Map lost ${key}`)
    },
  }
}

function setGetCase(name: string, fixture: SharedFixture<Store>): Case {
  let store: Store
  let n = 0
  return {
    name,
    async setup() {
      store = await fixture.open()
    },
    run: async function storeSetGet() {
      const key = KEYS[n++ % KEY_POOL_SIZE]!
      await store.set(key, VALUE, { ttlSeconds: TTL_SECONDS })
      if ((await store.get(key)) === null) throw new Error(`${store.driver} store lost ${key}`)
    },
    teardown: () => fixture.close(),
  }
}

/** Claims of fresh keys, as every cron slot does: the path where the claim succeeds and writes. */
function claimCase(name: string, fixture: SharedFixture<Store>): Case {
  let store: Store
  let n = 0
  return {
    name,
    async setup() {
      store = await fixture.open()
    },
    run: async function storeClaim() {
      const key = `bench:claim:${n++}`
      if (!(await store.claim(key, TTL_SECONDS))) throw new Error(`claim of fresh ${key} refused`)
    },
    teardown: () => fixture.close(),
  }
}
