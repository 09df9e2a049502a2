import { describe, expect, it } from 'vitest'
import { makeSnapshot, STATES, USERS } from '../../test/fixtures/tasks.ts'
import { createMemoryStore } from '../store/store.ts'
import { createWorkItemIndex } from './work-items.ts'

/** Holders as agentsOfTask gives them: assignees who are agents (here: by their user id's name). */
const AGENT_BY_USER = new Map([
  [USERS.imhotep, 'imhotep'],
  [USERS.thot, 'thot'],
])

function setUp() {
  const store = createMemoryStore()
  const index = createWorkItemIndex({
    store,
    holders: async (task) => task.assigneeIds.flatMap((u) => AGENT_BY_USER.get(u) ?? []),
  })
  return { store, index }
}

describe('the index of work items (issue 32)', () => {
  it('should keep each agent’s open tasks as the task moves, is reassigned and is finished', async () => {
    const { index } = setUp()
    const task = makeSnapshot({ assigneeIds: [USERS.imhotep], state: STATES.todo })
    await index.saw(task, '<p>Installer <b>Redis</b></p>')
    expect(await index.openTasks('imhotep')).toEqual([task.id])
    expect(await index.description(task.id)).toBe('Installer Redis')

    const moved = { ...task, assigneeIds: [USERS.thot], updatedAt: '2026-11-24T10:00:00.000Z' }
    // A sighting without the description (a label sync) keeps the one known.
    await index.saw(moved)
    expect(await index.openTasks('imhotep')).toEqual([])
    expect(await index.openTasks('thot')).toEqual([task.id])
    expect(await index.description(task.id)).toBe('Installer Redis')

    await index.saw({ ...moved, state: STATES.done })
    expect(await index.openTasks('thot')).toEqual([])
    expect(await index.description(task.id)).toBeNull()
  })

  it('should cost a finished task one read and no write', async () => {
    const { store, index } = setUp()
    const writes: string[] = []
    const set = store.set.bind(store)
    store.set = async (key, value, options) => {
      writes.push(key)
      return set(key, value, options)
    }
    await index.saw(makeSnapshot({ assigneeIds: [USERS.imhotep], state: STATES.done }), '<p>x</p>')
    expect(writes).toEqual([])
  })

  it('should cut a long description where list_my_tasks stops', async () => {
    const { index } = setUp()
    const task = makeSnapshot({ assigneeIds: [USERS.thot], state: STATES.inProgress })
    await index.saw(task, `<p>${'a'.repeat(2500)}</p>`)
    const text = await index.description(task.id)
    expect(text?.startsWith('a'.repeat(2000))).toBe(true)
    expect(text).toContain('get_task_details has the rest')
  })

  it('should remember when a project was last listed', async () => {
    const { index } = setUp()
    expect(await index.listedAt('p1')).toBeNull()
    await index.listed('p1', 1_700_000_000_000)
    expect(await index.listedAt('p1')).toBe(1_700_000_000_000)
    expect(await index.listedAtMany(['p2', 'p1'])).toEqual([null, 1_700_000_000_000])
  })

  it('should never make a task whose id is not a Plane id an open task, and drop one stored before (issue 38)', async () => {
    const { store, index } = setUp()
    for (const junk of ['NaN', 'undefined', 'x'.repeat(200_000)])
      await index.saw(makeSnapshot({ id: junk, assigneeIds: [USERS.imhotep], state: STATES.todo }))
    expect(await store.sortedRange('index:open:imhotep')).toEqual([])
    // What an earlier version let in: read past and removed, the real task kept.
    const task = makeSnapshot({ assigneeIds: [USERS.imhotep], state: STATES.todo })
    await index.saw(task)
    await store.sortedAdd('index:open:imhotep', 'undefined', 0)
    expect(await index.openTasks('imhotep')).toEqual([task.id])
    expect((await store.sortedRange('index:open:imhotep')).map((e) => e.member)).toEqual([task.id])
  })
})
