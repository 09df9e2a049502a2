import { describe, expect, it } from 'vitest'
import { createLocalStore } from './local.ts'
import type { StoreJournal } from './local-journaled.ts'
import type { JournalRecord } from './local-state.ts'

/** A journal in memory whose appends fail while `failing` is set, as a full disk would. */
function makeJournal() {
  const written: JournalRecord[][] = []
  const journal = {
    failing: false as boolean,
    written,
    load: () => [],
    poll: () => null,
    append(records: readonly JournalRecord[]) {
      if (journal.failing) throw new Error('ENOSPC: no space left on device')
      written.push([...records])
      return true
    },
    compact: () => undefined,
    check: () => undefined,
    close: () => undefined,
    schedule: (flush: () => void) => setImmediate(flush),
  } satisfies StoreJournal & { failing: boolean; written: JournalRecord[][] }
  return journal
}

describe('createLocalStore', () => {
  it('should settle a change only once it is written, and report a failed write as a failure', async () => {
    const journal = makeJournal()
    const errors: string[] = []
    const store = createLocalStore({
      name: 'fs',
      location: 'test',
      journal,
      onError: (operation) => errors.push(operation),
    })
    journal.failing = true
    await expect(store.set('a', 1)).rejects.toThrow(/ENOSPC/)
    expect(errors).toEqual(['set'])
    expect(journal.written).toEqual([])
    // What failed to be written is written with the next batch: the journal catches up with memory.
    journal.failing = false
    await store.set('b', 2)
    expect(journal.written).toEqual([
      [
        ['s', 'a', '1', 0],
        ['s', 'b', '2', 0],
      ],
    ])
  })

  it('should write a batch left by a failed write when pinged, and fail the ping while it cannot', async () => {
    const journal = makeJournal()
    const store = createLocalStore({ name: 'fs', location: 'test', journal })
    journal.failing = true
    await expect(store.claim('c', 60)).rejects.toThrow(/ENOSPC/)
    await expect(store.ping()).rejects.toThrow(/ENOSPC/)
    journal.failing = false
    await store.ping()
    expect(journal.written).toHaveLength(1)
    expect(journal.written[0]?.[0]?.[1]).toBe('c')
  })

  it('should write nothing for a change that changes nothing', async () => {
    const journal = makeJournal()
    const store = createLocalStore({ name: 'fs', location: 'test', journal })
    expect(await store.claim('k', 60)).toBe(true)
    expect(await store.claim('k', 60)).toBe(false)
    await store.delete('absent')
    expect(await store.sortedAdd('i', 'm', 1)).toBe(true)
    expect(await store.sortedAdd('i', 'm', 1)).toBe(false)
    expect(await store.sortedRemove('i', 'other')).toBe(false)
    // The claim, and the new index (a delete first, so that replay starts it empty), nothing more.
    expect(journal.written.flat().map((r) => r[0])).toEqual(['s', 'd', 'z'])
  })

  it('should order index members by score, then by member, and re-score in place', async () => {
    const store = createLocalStore({ name: 'memory', location: 'memory' })
    await store.sortedAdd('q', 'b', 2)
    await store.sortedAdd('q', 'a', 2)
    await store.sortedAdd('q', 'c', 1)
    await store.sortedAdd('q', 'c', 3)
    expect(await store.sortedRange('q')).toEqual([
      { member: 'a', score: 2 },
      { member: 'b', score: 2 },
      { member: 'c', score: 3 },
    ])
    expect(await store.sortedRange('q', { maxScore: 2, limit: 1 })).toEqual([
      { member: 'a', score: 2 },
    ])
    expect(await store.sortedAdd('q', 'a', 9, { onlyIfAbsent: true })).toBe(false)
    expect(await store.sortedScore('q', 'a')).toBe(2)
  })
})
