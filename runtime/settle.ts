/**
 * @module `settle`: the steps run until nothing waits, within a bound (a job's end, the tests' settle): what is due
 * flushed, the outbox drained, and the marked run cards written, the messages and the cards at once.
 */
import type { Parts } from '../shared/core/parts.ts'
import { sleep as pause, sleepUnless } from '../shared/net/retry.ts'
import type { Outbox } from '../shared/notify/outbox.ts'
import type { OutboxSender } from '../shared/notify/sender.ts'
import type { Pipeline } from '../shared/pipeline/pipeline.ts'
import { CARDS_DUE_SET, type RunStore } from '../shared/runs/records.ts'
import type { RunTracker } from '../shared/runs/tracker.ts'
import type { Store } from '../shared/store/store.ts'

export type SettleOptions = {
  pipeline: Pick<Pipeline, 'flushDue'>
  tracker: Pick<RunTracker, 'due'>
  runs: Pick<RunStore, 'flushCards'> | null
  store: Pick<Store, 'sortedSize' | 'sortedRange'>
  outbox: Pick<Outbox, 'pending'>
  /** Both lanes at once. */
  sender: OutboxSender
  now: () => number
  sleep: (ms: number) => Promise<void>
}

export function createSettle({
  pipeline,
  tracker,
  runs,
  store,
  outbox,
  sender,
  now,
  sleep,
}: SettleOptions): Parts['settle'] {
  /**
   * Every marked run card written, until `stop` (the deadline, or the messages' loop failed): none begun after it,
   * and a write still waiting for the bridge key's window given up then (its card stays marked, for the next
   * runtime's pass). A request already sent to Plane is finished, never abandoned. Until `drained` aborts, the
   * messages' loop runs and may mark more (a flushed change updates a run). Returns the cards still marked.
   */
  /**
   * Whether every marked card is one another process was found writing. Read by id, not counted: a card that process
   * has written since and one marked meanwhile would cancel out in a count, and the new one be left unwritten.
   */
  const onlyElsewhere = async (marked: number, elsewhere: ReadonlySet<string>) =>
    (await store.sortedRange(CARDS_DUE_SET, { limit: marked })).every(({ member }) =>
      elsewhere.has(member)
    )

  const writeCardsBy = async (
    deadline: number,
    drained: AbortSignal,
    stop: AbortSignal
  ): Promise<number> => {
    if (!runs) return 0
    // A card another pass of this process is writing stays marked until it is written: looked at again shortly.
    // One another process is writing is not waited for: it is that process's to finish, or, if it died, the
    // server's once its lock lapses (a job's end would otherwise spend its whole bound on a dead lock). These are
    // the ones found so, over the passes since one found a card that was not (a pass looks at 1,000 at most).
    const elsewhere = new Set<string>()
    for (;;) {
      if (!stop.aborted) {
        const flushed = await runs.flushCards({ all: true, signal: stop })
        if (flushed.tried > flushed.elsewhere.length) elsewhere.clear()
        for (const taskId of flushed.elsewhere) elsewhere.add(taskId)
      }
      const marked = await store.sortedSize(CARDS_DUE_SET)
      const done =
        drained.aborted &&
        (marked === 0 || (marked <= elsewhere.size && (await onlyElsewhere(marked, elsewhere))))
      if (done || stop.aborted || now() >= deadline) return marked
      // The messages' end cuts the wait short once (it may have marked none); a busy card waits its turn.
      await sleepUnless(
        drained.aborted ? undefined : drained,
        Math.min(250, Math.max(1, deadline - now()))
      )
    }
  }

  /** The outbox drained until empty, the deadline, or nothing left can go before it; returns the items left. */
  const drainBy = async (deadline: number): Promise<number> => {
    for (;;) {
      await pipeline.flushDue({ all: true })
      await tracker.due()
      const report = await sender.drain()
      const left = (await outbox.pending()).length
      if (left === 0 || now() >= deadline) return left
      // What is left cannot go before the deadline (a held chat, a backoff): waiting for it is waiting for nothing.
      if (report.ran && report.nextDueInMs !== null && now() + report.nextDueInMs > deadline)
        return left
      const wait = Math.max(50, Math.min(report.nextDueInMs ?? 250, Math.max(0, deadline - now())))
      // A lane another process is draining: its drain ends in real time, whatever the clock says. Waiting on an
      // injected clock here (a test's virtual time, moved on by each wait) let the holder's lease lapse within a
      // few real milliseconds, and this process sent what the holder was sending (the invariants' "told twice").
      if (!report.ran) {
        await pause(Math.min(wait, 250))
        continue
      }
      // On the injected clock (a test's virtual time moves on instead of sleeping); a sleep that moved nothing
      // (one that only records) falls back to real time, or this loop would spin.
      const before = now()
      await sleep(wait)
      if (now() === before) await pause(wait)
    }
  }

  // The messages and the run cards at once, each until the deadline: a card's write may wait a minute for the
  // bridge key's background share of the window (a poll job's cards), and no message waits behind a card.
  return async function settle(timeoutMs) {
    const deadline = now() + timeoutMs
    const drained = new AbortController()
    // The cards' end: the deadline, in real time as the window's waits are, or the messages' loop failed.
    const stop = new AbortController()
    const timer = setTimeout(() => stop.abort(), timeoutMs)
    // Handled from its start: a store that fails under the cards' loop is settle's failure, never an unhandled
    // rejection (the fault sweeps' store failing its k-th operation found one).
    const cards = writeCardsBy(deadline, drained.signal, stop.signal).then(
      (marked) => ({ marked }),
      (error: unknown) => ({ error })
    )
    try {
      let left: number
      try {
        left = await drainBy(deadline)
      } catch (error) {
        // Nothing of settle's runs on once it has failed.
        stop.abort()
        await cards
        throw error
      }
      drained.abort()
      const written = await cards
      if ('error' in written) throw written.error
      return { left, cards: written.marked }
    } finally {
      clearTimeout(timer)
    }
  }
}
