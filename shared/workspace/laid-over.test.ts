import { describe, expect, it } from 'vitest'
import type { TaskSnapshot } from '../events.ts'
import { type ChangedTask, createLayOver, type Listing } from './laid-over.ts'
import type { TaskRecord } from './workspace-view.ts'

const record = (id: string, state: string, updatedAt: string): TaskRecord => ({
  id,
  name: `Tâche ${id}`,
  sequenceId: Number(id.slice(1)),
  stateName: state,
  stateGroup: 'started',
  assigneeIds: [],
  labelNames: [],
  targetDate: null,
  completedAt: null,
  updatedAt,
})
const snapshot = (id: string, state: string, updatedAt: string): TaskSnapshot => ({
  id,
  projectId: 'p1',
  sequenceId: Number(id.slice(1)),
  name: `Tâche ${id}`,
  state: { id: 's', name: state, group: 'started' },
  assigneeIds: [],
  labels: [],
  priority: 'none',
  targetDate: null,
  completedAt: null,
  updatedAt,
})

function setup() {
  let clock = Date.parse('2026-11-27T10:00:00Z')
  const snapshots = new Map<string, TaskSnapshot>()
  const reads: string[][] = []
  const layOver = createLayOver({
    now: () => clock,
    latest: async (ids) => {
      reads.push([...ids])
      return ids.map((id) => snapshots.get(id) ?? null)
    },
  })
  const listing: Listing = {
    tasks: [record('t1', 'À faire', '2026-11-27T09:00:00Z')],
    truncated: false,
    listedAt: clock - 60_000,
  }
  /** The changed set as the loader reads it: the newest note first. */
  let changed: ChangedTask[] = []
  const change = (id: string, state: string) => {
    clock += 1
    snapshots.set(id, snapshot(id, state, new Date(clock).toISOString()))
    changed = [{ member: id, score: -clock }, ...changed.filter((c) => c.member !== id)]
  }
  const states = async (from = listing) =>
    Object.fromEntries(
      (await layOver('p1', from, changed)).tasks.map((t) => [t.id, t.stateName] as const)
    )
  return { snapshots, reads, change, states, listing, tick: (ms: number) => (clock += ms) }
}

describe('createLayOver', () => {
  it('should read each changed task once, then only those changed again', async () => {
    const t = setup()
    t.change('t1', 'En cours')
    t.change('t2', 'En cours')
    expect(await t.states()).toEqual({ t1: 'En cours', t2: 'En cours' })
    t.tick(60_000)
    // Nothing new: the next reply reads no snapshot (a poll's 3,000 were read again at every /plane status).
    expect(await t.states()).toEqual({ t1: 'En cours', t2: 'En cours' })
    t.change('t2', 'Terminé')
    expect(await t.states()).toEqual({ t1: 'En cours', t2: 'Terminé' })
    expect(t.reads).toEqual([['t2', 't1'], ['t2']])
  })

  it('should read again a change noted in the last seconds: its snapshot may have landed after the read', async () => {
    const t = setup()
    t.change('t1', 'En cours')
    // The note is in, the snapshot's write not yet: the read finds the version before.
    const written = t.snapshots.get('t1') as TaskSnapshot
    t.snapshots.set('t1', snapshot('t1', 'À faire', '2026-11-27T09:00:00Z'))
    expect(await t.states()).toEqual({ t1: 'À faire' })
    t.snapshots.set('t1', written)
    t.tick(2_000)
    expect(await t.states()).toEqual({ t1: 'En cours' })
    t.tick(60_000)
    await t.states()
    expect(t.reads).toEqual([['t1'], ['t1']])
  })

  it('should read everything again for a new listing, and drop a task the pipeline forgot', async () => {
    const t = setup()
    t.change('t1', 'En cours')
    t.change('t2', 'En cours')
    await t.states()
    t.tick(60_000)
    t.snapshots.delete('t2')
    const next: Listing = { ...t.listing, listedAt: (t.listing.listedAt ?? 0) + 1 }
    expect(await t.states(next)).toEqual({ t1: 'En cours' })
    expect(t.reads).toEqual([
      ['t2', 't1'],
      ['t2', 't1'],
    ])
  })
})
