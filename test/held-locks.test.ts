/**
 * Task locks on Redis held by another process (a replica at work, or one that died holding them, until their
 * lease lapses): the pipeline's flush sends the other tasks' changes and comes back for the held one a second
 * later; a dead process's locks hold up a sighting or a run record's update no longer than their lease.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createNodeStore } from '../runtime/node-store.ts'
import { loadConfig } from '../shared/core/config.ts'
import { createStaticDirectory } from '../shared/notify/directory.ts'
import { createOutbox } from '../shared/notify/outbox.ts'
import { createNotifyPolicy } from '../shared/notify/policy.ts'
import { silentLogger } from '../shared/observe/log.ts'
import { createPipeline } from '../shared/pipeline/pipeline.ts'
import type { PlaneClient } from '../shared/plane/client.ts'
import { createRunStore, emptyRunRecord, runRecordKey } from '../shared/runs/records.ts'
import { createKeyedLocks } from '../shared/store/keyed-lock.ts'
import type { Store } from '../shared/store/store.ts'
import { makeSnapshot, STATES } from './fixtures/tasks.ts'
import { dropRedisPrefix, TEST_REDIS_URL } from './helpers/redis.ts'

const prefix = `test-held-${process.pid}-${Date.now()}`
const stores: Store[] = []
afterEach(async () => {
  for (const store of stores.splice(0)) await store.dispose()
  await dropRedisPrefix(prefix)
})

const open = () => {
  const store = createNodeStore(loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix }))
  stores.push(store)
  return store
}

describe('pipeline flush on Redis', () => {
  it('should flush the other tasks and come back for one another process holds', async () => {
    let clock = Date.UTC(2026, 10, 21, 6, 0, 0)
    const now = () => clock
    const store = open()
    const other = open()
    const outbox = createOutbox(store, now)
    const project = { id: makeSnapshot().projectId, name: 'Onboarding', identifier: 'ONB' }
    const pipeline = createPipeline({
      store,
      locks: createKeyedLocks({ store }),
      outbox,
      directory: createStaticDirectory({ projects: [project], users: {}, agents: [] }),
      policy: createNotifyPolicy(),
      locale: 'fr',
      log: silentLogger,
      chatId: '-1001234567890',
      now,
    })
    const held = makeSnapshot({ id: '00000000-0000-4000-8000-00000000c0a1', name: 'Tenue' })
    const free = makeSnapshot({ id: '00000000-0000-4000-8000-00000000c0a2', name: 'Libre' })
    for (const task of [held, free]) {
      await pipeline.sightTask(task, { source: 'poll' })
      const done = { ...task, state: STATES.done, updatedAt: '2026-11-21T06:00:30.000Z' }
      expect(await pipeline.sightTask(done, { source: 'webhook' })).toBe('pending')
    }
    clock += 5_000
    const theirs = await other.lock(`task:lock:${held.id}`, 30)
    expect(theirs).not.toBeNull()
    const asked = Date.now()
    const first = await pipeline.flushDue()
    // Not the 5 s a sighting waits for a replica: the flush asks once and goes on.
    expect(Date.now() - asked).toBeLessThan(2_000)
    expect(first).toMatchObject({ flushed: 1, enqueued: 1, nextDueInMs: 1_000 })
    expect((await outbox.pending()).map((i) => String(i.payload.text))).toEqual([
      expect.stringContaining('Libre'),
    ])
    await theirs?.release()
    expect(await pipeline.flushDue()).toMatchObject({ flushed: 1, enqueued: 1 })
    expect((await outbox.pending()).map((i) => String(i.payload.text))).toEqual([
      expect.stringContaining('Libre'),
      expect.stringContaining('Tenue'),
    ])
  })

  it("should let a sighting through once a dead process's lease lapses, not after a 30 s lock", async () => {
    const dead = open()
    const alive = open()
    const build = (store: Store) =>
      createPipeline({
        store,
        locks: createKeyedLocks({ store }),
        outbox: createOutbox(store),
        directory: createStaticDirectory({ projects: [], users: {}, agents: [] }),
        policy: createNotifyPolicy(),
        locale: 'fr',
        log: silentLogger,
        chatId: null,
        lingerLocks: true,
      })
    const task = makeSnapshot({ id: '00000000-0000-4000-8000-00000000c0a3', name: 'Orpheline' })
    expect(await build(dead).sightTask(task, { source: 'poll' })).toBe('baseline')
    // The process dies with the task's lock lingering: nothing it does reaches Redis any more.
    const lockKey = `task:lock:${task.id}`
    expect(await alive.lock(lockKey, 30)).toBeNull()
    await dead.dispose()
    stores.splice(stores.indexOf(dead), 1)
    // The next process's sighting waits out the lease (4 s) inside its 5 s, instead of failing to the inbox.
    const done = { ...task, state: STATES.done, updatedAt: '2026-11-21T06:00:30.000Z' }
    expect(await build(alive).sightTask(done, { source: 'webhook' })).toBe('pending')
  })
})

describe('run records on Redis', () => {
  it('should let an update through once a process that died mid-update loses its lease', async () => {
    const dead = open()
    const alive = open()
    // The record is stored and no card is written: nothing here asks Plane.
    const noPlane = {} as PlaneClient
    const build = (store: Store) =>
      createRunStore({
        store,
        locks: createKeyedLocks({ store }),
        plane: noPlane,
        log: silentLogger,
        locale: 'fr',
        now: Date.now,
      })
    const task = { id: '00000000-0000-4000-8000-00000000c0a4', projectId: 'p', ref: 'ONB-4' }
    await alive.set(runRecordKey(task.id), emptyRunRecord(task), { ttlSeconds: 600 })
    let resume = () => {}
    const paused = new Promise<void>((resolve) => {
      resume = resolve
    })
    let entered = () => {}
    const inside = new Promise<void>((resolve) => {
      entered = resolve
    })
    const stuck = build(dead).update(
      task,
      async (record) => {
        entered()
        await paused
        return record
      },
      { agentName: null, card: false }
    )
    await inside
    // Dies mid-update: its renewals no longer reach Redis.
    await dead.dispose()
    stores.splice(stores.indexOf(dead), 1)
    const saved = await build(alive).update(task, (record) => ({ ...record, state: 'active' }), {
      agentName: null,
      card: false,
    })
    expect(saved.state).toBe('active')
    resume()
    await expect(stuck).rejects.toThrow()
  })
})
