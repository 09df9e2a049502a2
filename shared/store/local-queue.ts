/** @module The local store's queue steps: a claim and a queued item, or an item and its sorted set entry, each written as one batch. */
import { assertDequeued, assertQueuedClaim } from './envelope.ts'
import type { LocalContext } from './local-context.ts'
import type { LocalSortedAccess } from './local-sorted.ts'
import type { JournalRecord } from './local-state.ts'
import type { Store } from './types.ts'

export function createLocalQueue(
  { journaled, guard, holds, expiryOf }: LocalContext,
  { sortedAt }: LocalSortedAccess
): Pick<Store, 'claimAndEnqueue' | 'dequeue'> {
  const { refresh, commit, isLive } = journaled
  return {
    claimAndEnqueue: (claim, item) =>
      guard('claim-enqueue', async () => {
        assertQueuedClaim(claim, item)
        refresh()
        if (isLive(claim.key)) return false
        // Decided here, without a yield, and journaled as one batch: the claim and the item, or neither.
        const found = sortedAt(item.sortedSet)
        const records: JournalRecord[] = [...found.records]
        if (found.sorted === null && found.records.length === 0) records.push(['d', item.sortedSet])
        records.push(
          ['s', claim.key, 'true', expiryOf(claim.ttlSeconds)],
          ['z', item.sortedSet, item.member, item.score],
          [
            's',
            item.key,
            item.text ?? JSON.stringify(item.value) ?? 'null',
            expiryOf(item.ttlSeconds),
          ]
        )
        await commit(records)
        return true
      }),
    dequeue: (item) =>
      guard('dequeue', async () => {
        assertDequeued(item)
        refresh()
        // One batch, as claimAndEnqueue's: both gone, or neither.
        const { sorted, records: converted } = sortedAt(item.sortedSet)
        const records: JournalRecord[] = [...converted]
        if (holds(item.key)) records.push(['d', item.key])
        // A sorted set of an earlier version, converted just above, may hold the member: removing none is nothing.
        if (converted.length > 0 || (sorted?.score(item.member) ?? null) !== null)
          records.push(['r', item.sortedSet, item.member])
        if (records.length > 0) await commit(records)
      }),
  }
}
