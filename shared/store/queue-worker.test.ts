import { describe, expect, it } from 'vitest'
import { createBackground } from '../core/background.ts'
import { createLogger } from '../observe/log.ts'
import { createQueueWorker } from './queue-worker.ts'

const quiet = () => createLogger({ level: 'error', write: () => undefined })

/** A piece of work that waits until the test lets it finish. */
function gated() {
  const started: string[] = []
  const releases = new Map<string, () => void>()
  const seen: Array<{ id: string; given: string | undefined }> = []
  const work = (id: string) => async (given: string | undefined) => {
    started.push(id)
    seen.push({ id, given })
    await new Promise<void>((resolve) => releases.set(id, resolve))
  }
  const release = async (id: string) => {
    releases.get(id)?.()
    await new Promise((r) => setTimeout(r, 0))
  }
  return { started, seen, work, release }
}

describe('createQueueWorker', () => {
  it('should work on at most `concurrency` items at once, in the order handed over', async () => {
    const background = createBackground({ log: quiet() })
    const worker = createQueueWorker<string>({ name: 'q', background, concurrency: 2 })
    const g = gated()
    for (const id of ['a', 'b', 'c', 'd']) expect(worker.offer(id, g.work(id), id)).toBe(true)
    await new Promise((r) => setTimeout(r, 0))
    expect(g.started).toEqual(['a', 'b'])
    await g.release('b')
    expect(g.started).toEqual(['a', 'b', 'c'])
    await g.release('a')
    await g.release('c')
    await g.release('d')
    expect(g.started).toEqual(['a', 'b', 'c', 'd'])
    expect(await background.idle(1000)).toBe(true)
    expect(worker.size()).toBe(0)
  })

  it('should work on one item at a time while answers are being made, and on `concurrency` once they are', async () => {
    const background = createBackground({ log: quiet() })
    const worker = createQueueWorker<string>({ name: 'q', background, concurrency: 3 })
    const g = gated()
    const first = worker.answering()
    const second = worker.answering()
    for (const id of ['a', 'b', 'c', 'd']) worker.offer(id, g.work(id), id)
    await new Promise((r) => setTimeout(r, 0))
    expect(g.started).toEqual(['a'])
    await g.release('a')
    expect(g.started).toEqual(['a', 'b'])
    first()
    first() // ended once only
    await new Promise((r) => setTimeout(r, 0))
    expect(g.started).toEqual(['a', 'b'])
    second()
    await new Promise((r) => setTimeout(r, 0))
    expect(g.started).toEqual(['a', 'b', 'c', 'd'])
    for (const id of ['b', 'c', 'd']) await g.release(id)
    expect(await background.idle(1000)).toBe(true)
  })

  it('should turn an item away past its capacity, holding nothing of it, and take items again once there is room', async () => {
    const background = createBackground({ log: quiet() })
    const worker = createQueueWorker<string>({
      name: 'q',
      background,
      concurrency: 1,
      capacity: 2,
    })
    const g = gated()
    expect(worker.offer('a', g.work('a'), 'a')).toBe(true) // running
    await new Promise((r) => setTimeout(r, 0))
    expect(worker.offer('b', g.work('b'), 'b')).toBe(true)
    expect(worker.offer('c', g.work('c'), 'c')).toBe(true)
    expect(worker.offer('d', g.work('d'), 'd')).toBe(false)
    expect(worker.holds('d')).toBe(false)
    expect(worker.size()).toBe(3)
    await g.release('a')
    expect(worker.offer('d', g.work('d'), 'd')).toBe(true)
    for (const id of ['b', 'c', 'd']) await g.release(id)
    expect(g.started).toEqual(['a', 'b', 'c', 'd'])
    expect(await background.idle(1000)).toBe(true)
  })

  it('should keep what the first `keepGiven` waiting items were handed, and only the ids of those behind them', async () => {
    const background = createBackground({ log: quiet() })
    const worker = createQueueWorker<string>({
      name: 'q',
      background,
      concurrency: 1,
      keepGiven: 2,
    })
    const g = gated()
    for (const id of ['a', 'b', 'c', 'd']) worker.offer(id, g.work(id), `parsed ${id}`)
    await new Promise((r) => setTimeout(r, 0))
    // a started at once (it never waited); b and c waited with theirs; d behind them with its id only.
    for (const id of ['a', 'b', 'c', 'd']) await g.release(id)
    expect(g.seen).toEqual([
      { id: 'a', given: 'parsed a' },
      { id: 'b', given: 'parsed b' },
      { id: 'c', given: 'parsed c' },
      { id: 'd', given: undefined },
    ])
    // Room again: a new item keeps what it was handed.
    worker.offer('e', g.work('e'), 'parsed e')
    await g.release('e')
    expect(g.seen.at(-1)).toEqual({ id: 'e', given: 'parsed e' })
  })

  it('should keep what waiting items were handed up to a total weight, and only ids past it', async () => {
    const background = createBackground({ log: quiet() })
    const worker = createQueueWorker<string>({
      name: 'q',
      background,
      concurrency: 1,
      weigh: (given) => given.length,
      keepGivenWeight: 10,
    })
    const g = gated()
    // a starts at once; b (6) waits with its text, c (6) would pass 10, d (4) still fits beside b.
    const given = { a: 'aaaaaaaaaaaaaaaa', b: 'bbbbbb', c: 'cccccc', d: 'dddd' }
    for (const [id, text] of Object.entries(given)) worker.offer(id, g.work(id), text)
    await new Promise((r) => setTimeout(r, 0))
    for (const id of Object.keys(given)) await g.release(id)
    expect(g.seen).toEqual([
      { id: 'a', given: given.a },
      { id: 'b', given: given.b },
      { id: 'c', given: undefined },
      { id: 'd', given: given.d },
    ])
    // Their weight is given back as they start: room again for a heavy one.
    worker.offer('e', g.work('e'), 'eeeeeeeeee')
    worker.offer('f', g.work('f'), 'ffffffffff')
    await new Promise((r) => setTimeout(r, 0))
    await g.release('e')
    await g.release('f')
    expect(g.seen.slice(-2)).toEqual([
      { id: 'e', given: 'eeeeeeeeee' },
      { id: 'f', given: 'ffffffffff' },
    ])
  })

  it('should not take an item it holds twice, and go on after an item whose work fails', async () => {
    const logs: string[] = []
    const background = createBackground({
      log: createLogger({ level: 'error', write: (line) => void logs.push(line) }),
    })
    const worker = createQueueWorker<string>({ name: 'q', background, concurrency: 1 })
    const done: string[] = []
    let calls = 0
    expect(
      worker.offer(
        'a',
        async () => {
          calls++
          throw new Error('Plane down')
        },
        'a'
      )
    ).toBe(true)
    expect(worker.offer('a', async () => void calls++, 'a')).toBe(true)
    worker.offer('b', async () => void done.push('b'), 'b')
    expect(await background.idle(1000)).toBe(true)
    expect(calls).toBe(1)
    expect(done).toEqual(['b'])
    expect(worker.holds('a')).toBe(false)
    expect(logs.join('\n')).toContain('Plane down')
  })

  it('should hold 20,000 waiting items and start them all, one array compaction at a time', async () => {
    const background = createBackground({ log: quiet() })
    const worker = createQueueWorker<number>({ name: 'q', background, concurrency: 4 })
    let done = 0
    for (let i = 0; i < 20_000; i++)
      expect(
        worker.offer(
          `i${i}`,
          async () => {
            done++
          },
          i
        )
      ).toBe(true)
    expect(await background.idle(10_000)).toBe(true)
    expect(done).toBe(20_000)
    expect(worker.size()).toBe(0)
  })
})
