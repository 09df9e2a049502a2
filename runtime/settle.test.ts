/**
 * `settle` runs the messages and the run cards at once, each until its deadline, and fails as a whole: a failure of
 * either loop is settle's, never an unhandled rejection, and nothing of it runs on once it has failed.
 */
import { describe, expect, it } from 'vitest'
import type { DrainReport } from '../shared/notify/sender.ts'
import { createSettle, type SettleOptions } from './settle.ts'

const drained: DrainReport = { ran: true, sent: 0, retried: 0, dead: 0, left: 0, nextDueInMs: null }

/** The outbox's drain after `ms`: what `then` answers, or throws. */
const drainAfter = (ms: number, then: () => DrainReport) => async () => {
  await new Promise((resolve) => setTimeout(resolve, ms))
  return then()
}

/**
 * A runtime whose outbox is empty and whose store holds `marked` cards, with its steps counted; `drain` replaces the
 * outbox's (an immediate empty drain).
 */
function fakes({
  drain = async () => drained,
  ...overrides
}: Partial<SettleOptions> & { drain?: () => Promise<DrainReport> } = {}) {
  const calls = { flushCards: 0, drain: 0 }
  let marked = 0
  const options: SettleOptions = {
    pipeline: { flushDue: async () => ({ flushed: 0, enqueued: 0, nextDueInMs: null }) },
    tracker: { due: async () => ({ handled: 0, nextDueInMs: null }) },
    runs: {
      flushCards: async () => {
        calls.flushCards++
        marked = 0
        return { tried: 1, written: 1, nextDueInMs: null, elsewhere: [] }
      },
    },
    store: {
      sortedSize: async () => marked,
      sortedRange: async () =>
        Array.from({ length: marked }, (_, i) => ({ member: `task-${i}`, score: 0 })),
    },
    outbox: { pending: async () => [] },
    sender: {
      drain: () => {
        calls.drain++
        return drain()
      },
      hurry: () => undefined,
    },
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...overrides,
  }
  const mark = (n: number) => {
    marked = n
  }
  return { settle: createSettle(options), calls, mark }
}

describe('settle', () => {
  it('should drain and write the marked cards, and say none is left', async () => {
    const { settle, calls, mark } = fakes()
    mark(2)
    expect(await settle(5_000)).toEqual({ left: 0, cards: 0 })
    expect(calls.drain).toBe(1)
    // Once from the start, and once more if the messages' end came after (it may have marked more).
    expect([1, 2]).toContain(calls.flushCards)
  })

  it('should fail when the cards fail, once the messages are drained, with no unhandled rejection', async () => {
    const fault = new Error('store down under the cards')
    const { settle, calls } = fakes({
      runs: {
        flushCards: async () => {
          throw fault
        },
      },
      // The messages take a while: the cards' failure comes first.
      drain: drainAfter(20, () => drained),
    })
    await expect(settle(5_000)).rejects.toBe(fault)
    expect(calls.drain).toBe(1)
  })

  it('should fail when the messages fail, and end the cards’ loop with it', async () => {
    const fault = new Error('store down under the outbox')
    let flushes = 0
    const { settle } = fakes({
      // A card another pass of this process writes: it stays marked, and the loop would look again until the
      // deadline.
      runs: {
        flushCards: async () => {
          flushes++
          return { tried: 1, written: 0, nextDueInMs: 1_000, elsewhere: [] }
        },
      },
      store: {
        sortedSize: async () => 1,
        sortedRange: async () => [{ member: 'task-0', score: 0 }],
      },
      drain: drainAfter(20, () => {
        throw fault
      }),
    })
    await expect(settle(60_000)).rejects.toBe(fault)
    const after = flushes
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(flushes).toBe(after)
  })

  it('should leave the cards another process is writing to it, and wait for one this process is writing', async () => {
    // 120 cards stay marked throughout, each lock held by another process (perhaps a dead one), or one of them by
    // this process. A pass looks at 50, and puts those it could not write at the back, as flushCards does.
    const busy = ({ ownCard }: { ownCard: boolean }) => {
      const queue = Array.from({ length: 120 }, (_, i) => `task-${i}`)
      let flushes = 0
      const { settle } = fakes({
        runs: {
          flushCards: async () => {
            flushes++
            const pass = queue.splice(0, 50)
            queue.push(...pass)
            const elsewhere = pass.filter((id) => !(ownCard && id === 'task-7'))
            return { tried: pass.length, written: 0, nextDueInMs: 1_000, elsewhere }
          },
        },
        store: {
          sortedSize: async () => queue.length,
          sortedRange: async (_key, { limit = 1_000 } = {}) =>
            queue.slice(0, limit).map((member) => ({ member, score: 0 })),
        },
      })
      return { settle, flushes: () => flushes }
    }
    const others = busy({ ownCard: false })
    expect(await others.settle(60_000)).toEqual({ left: 0, cards: 120 })
    // Three passes see all 120 (and one more if the messages' end came after): never a wait on their locks.
    expect(others.flushes()).toBeLessThanOrEqual(4)
    const ours = busy({ ownCard: true })
    // Its own card is looked at again every 250 ms until the bound: the passes go on past the first four.
    expect(await ours.settle(1_500)).toEqual({ left: 0, cards: 120 })
    expect(ours.flushes()).toBeGreaterThan(4)
  })

  it('should write a card marked while another process finished the one it was writing', async () => {
    // The first pass finds card A being written elsewhere; before the count, that process has written A and the
    // messages' end has marked C: one card marked, one found elsewhere, yet the marked one is not A.
    let queue = ['A']
    let flushes = 0
    const { settle } = fakes({
      runs: {
        flushCards: async () => {
          flushes++
          await new Promise((resolve) => setTimeout(resolve, 20))
          if (flushes === 1) {
            queue = ['C']
            return { tried: 1, written: 0, nextDueInMs: 1_000, elsewhere: ['A'] }
          }
          const tried = queue.length
          queue = []
          return { tried, written: tried, nextDueInMs: null, elsewhere: [] }
        },
      },
      store: {
        sortedSize: async () => queue.length,
        sortedRange: async () => queue.map((member) => ({ member, score: 0 })),
      },
    })
    expect(await settle(5_000)).toEqual({ left: 0, cards: 0 })
    expect(flushes).toBe(2)
  })
})
