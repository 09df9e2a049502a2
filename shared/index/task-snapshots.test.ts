/**
 * Open tasks' snapshots kept by version: a listing or the team's status reads, of the snapshots, only those changed
 * since; a change anywhere (another process, a change Plane made without touching `updated_at`) is read again.
 */
import { describe, expect, it } from 'vitest'
import { makeSnapshot, STATES, USERS } from '../../test/fixtures/tasks.ts'
import type { TaskSnapshot } from '../events.ts'
import { createMemoryStore } from '../store/store.ts'
import { createSnapshotMemo, snapshotVersion, taskSnapshotKey } from './task-snapshots.ts'
import { createWorkItemIndex } from './work-items.ts'

function setUp(max?: number) {
  const store = createMemoryStore()
  const index = createWorkItemIndex({
    store,
    holders: async (task) => (task.assigneeIds.includes(USERS.imhotep) ? ['imhotep'] : []),
  })
  const reads: string[][] = []
  const memo = createSnapshotMemo(async (ids) => {
    reads.push([...ids])
    return store.getMany<TaskSnapshot>(ids.map(taskSnapshotKey))
  }, max)
  /** What the pipeline does with a sighting (any process's): the snapshot stored, the index following it. */
  const sight = async (task: TaskSnapshot) => {
    await store.set(taskSnapshotKey(task.id), task)
    await index.saw(task)
  }
  const list = async () => memo.at(await index.openVersions('imhotep'))
  return { store, index, memo, reads, sight, list }
}

describe('snapshots kept by version', () => {
  it('should give a version that survives the store and changes with any field, updated_at or not', () => {
    const task = makeSnapshot({ assigneeIds: [USERS.imhotep], state: STATES.todo })
    const version = snapshotVersion(task)
    expect(Number.isSafeInteger(version)).toBe(true)
    expect(snapshotVersion(JSON.parse(JSON.stringify(task)))).toBe(version)
    expect(snapshotVersion({ ...task, state: STATES.inProgress })).not.toBe(version)
    expect(snapshotVersion({ ...task, name: `${task.name}.` })).not.toBe(version)
    expect(snapshotVersion({ ...task, updatedAt: '2026-11-29T00:00:00.000Z' })).not.toBe(version)
  })

  it('should read each snapshot once, then only the ones that changed, whoever changed them', async () => {
    const { reads, sight, list } = setUp()
    const tasks = Array.from({ length: 5 }, (_, i) =>
      makeSnapshot({
        id: crypto.randomUUID(),
        assigneeIds: [USERS.imhotep],
        state: STATES.todo,
        name: `Tâche ${i}`,
      })
    )
    for (const task of tasks) await sight(task)
    expect((await list()).map((s) => s?.name).sort()).toEqual(tasks.map((t) => t.name).sort())
    expect(reads.map((r) => r.length)).toEqual([5])

    expect(await list()).toHaveLength(5)
    expect(reads).toHaveLength(1)

    // Plane moved it without touching updated_at (a bulk update): the same updated_at, another state.
    const [first] = tasks
    if (!first) throw new Error('no task')
    await sight({ ...first, state: STATES.inProgress })
    const after = await list()
    expect(reads.at(-1)).toEqual([first.id])
    expect(after.find((s) => s?.id === first.id)?.state).toEqual(STATES.inProgress)
  })

  it('should not keep a snapshot read at another version than the index gave', async () => {
    const { store, index, memo, reads } = setUp()
    const task = makeSnapshot({ assigneeIds: [USERS.imhotep], state: STATES.todo })
    await store.set(taskSnapshotKey(task.id), task)
    await index.saw(task)
    const versions = await index.openVersions('imhotep')
    // Another process stores a new version between the index's read and the snapshot's.
    const newer = { ...task, name: 'Renommée' }
    await store.set(taskSnapshotKey(task.id), newer)
    expect((await memo.at(versions))[0]?.name).toBe('Renommée')
    // Not kept under the version asked: asked again at it, it is read again.
    expect((await memo.at(versions))[0]?.name).toBe('Renommée')
    expect(reads).toHaveLength(2)
    await index.saw(newer)
    expect((await memo.at(await index.openVersions('imhotep')))[0]?.name).toBe('Renommée')
    expect((await memo.at(await index.openVersions('imhotep')))[0]?.name).toBe('Renommée')
    expect(reads).toHaveLength(3)
  })

  it('should keep at most its bound, the oldest going first', async () => {
    const { reads, sight, list } = setUp(3)
    for (let i = 0; i < 5; i++)
      await sight(
        makeSnapshot({ id: crypto.randomUUID(), assigneeIds: [USERS.imhotep], state: STATES.todo })
      )
    await list()
    await list()
    // Five asked, three kept: the second listing reads the two dropped.
    expect(reads.map((r) => r.length)).toEqual([5, 2])
  })

  it('should give the snapshots it holds before it reads the others', async () => {
    const { index, sight, memo, reads } = setUp()
    const [kept, changed] = [0, 1].map((i) =>
      makeSnapshot({
        id: crypto.randomUUID(),
        assigneeIds: [USERS.imhotep],
        state: STATES.todo,
        name: `Tâche ${i}`,
      })
    )
    if (!kept || !changed) throw new Error('no task')
    await sight(kept)
    await sight(changed)
    await memo.at(await index.openVersions('imhotep'))
    await sight({ ...changed, name: 'Renommée' })
    const versions = await index.openVersions('imhotep')
    const given: Array<Array<string | null>> = []
    const all = await memo.at(versions, (held) => {
      given.push(held.map((s) => s?.name ?? null))
      // Given before the read of the one not held.
      expect(reads).toHaveLength(1)
    })
    const order = versions.map((v) => (v.id === kept.id ? 'Tâche 0' : null))
    expect(given).toEqual([order])
    expect(all.map((s) => s?.name).sort()).toEqual(['Renommée', 'Tâche 0'])
    expect(reads).toHaveLength(2)
  })
})
