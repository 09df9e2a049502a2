import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../store/store.ts'
import type { Store } from '../store/types.ts'
import { createOutbox, type EnqueueInput, outboxItemBornAt } from './outbox.ts'

type Shape = { first: boolean; bulk: boolean; scheduled: boolean; dedupe: boolean }

/**
 * A store whose every operation may first let another process act: `between(k)` runs before the k-th operation of
 * whatever is called through it (counted from 0).
 */
function interleaved(store: Store, between: (k: number) => Promise<void>): Store {
  let k = 0
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver)
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        await between(k++)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}

function input(shape: Shape, now: number, n: number): EnqueueInput {
  return {
    channel: 'telegram',
    target: '-100',
    payload: { chat_id: '-100', text: `message ${n}` },
    ...(shape.dedupe ? { dedupeKey: `reply:${n}` } : {}),
    ...(shape.first ? { first: true } : {}),
    ...(shape.bulk ? { bulk: true } : {}),
    ...(shape.scheduled ? { notBefore: now + 120_000 } : {}),
  }
}

/** Enqueue one item while a drain reads the lane before operation `at` of the enqueue; was it listed after? */
async function enqueueWithDrainAt(shape: Shape, at: number, drainAfterMs: number) {
  const store = createMemoryStore()
  let clock = 1_800_000_000_000
  const now = () => clock
  // Another process's drain: its own outbox on the same store, reading the lane as a drain does.
  const drain = createOutbox(store, now)
  let drained = false
  let operations = 0
  const outbox = createOutbox(
    interleaved(store, async (k) => {
      operations = k + 1
      if (k !== at) return
      drained = true
      clock += drainAfterMs
      await drain.pending('telegram')
    }),
    now
  )
  const { id, enqueued } = await outbox.enqueue(input(shape, clock, 1))
  // A minute and more later, the next drains find it (or not).
  clock += 90_000
  const listed = (await drain.pending('telegram')).map((item) => item.id)
  return { id, enqueued, drained, listed, operations }
}

describe('outbox: enqueue and drains in any order (issue 44)', () => {
  it('should never orphan an item, whichever step of its enqueue a drain reads between', async () => {
    const flags = [false, true]
    let runs = 0
    for (const first of flags)
      for (const bulk of flags)
        for (const scheduled of flags)
          for (const dedupe of flags) {
            const shape = { first, bulk, scheduled, dedupe }
            // Every store operation of this enqueue, then a drain before each one in turn.
            const steps = (await enqueueWithDrainAt(shape, Number.POSITIVE_INFINITY, 0)).operations
            expect(steps).toBeGreaterThanOrEqual(2)
            for (let at = 0; at < steps; at++)
              for (const wait of [0, 5, 59_000]) {
                const { id, enqueued, drained, listed } = await enqueueWithDrainAt(shape, at, wait)
                expect(drained).toBe(true)
                expect(enqueued).toBe(true)
                expect(listed, JSON.stringify({ ...shape, at, wait })).toEqual([id])
                runs++
              }
          }
    expect(runs).toBeGreaterThan(100)
  })

  it('should keep a `first` reply that a drain reads between its index entry and its item (the orphan of issue 44)', async () => {
    // Operation 0 is the index entry, 1 the item: the drain reads in between.
    const { id, listed } = await enqueueWithDrainAt(
      { first: true, bulk: false, scheduled: false, dedupe: true },
      1,
      5
    )
    expect(listed).toEqual([id])
  })

  it('should still drop an index entry whose item never came, once it is older than the grace', async () => {
    const store = createMemoryStore()
    let clock = 1_800_000_000_000
    const outbox = createOutbox(store, () => clock)
    const { id } = await outbox.enqueue({
      ...input({ first: true, bulk: false, scheduled: false, dedupe: false }, clock, 1),
    })
    // A crash between the two writes: the entry without its item.
    await store.delete(`outbox:item:${id}`)
    clock += 30_000
    expect(await outbox.pending('telegram')).toEqual([])
    expect(await store.sortedSize('index:outbox:telegram')).toBe(1)
    clock += 60_000
    expect(await outbox.pending('telegram')).toEqual([])
    expect(await store.sortedSize('index:outbox:telegram')).toBe(0)
  })

  it("should read an item's age from its id", () => {
    const at = 1_800_000_000_123
    expect(outboxItemBornAt(`${at.toString(36).padStart(10, '0')}-0001-abcdef12`, 5)).toBe(at)
    expect(outboxItemBornAt('not-an-id', 5)).toBe(5)
  })
})
