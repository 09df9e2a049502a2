/**
 * An agent with a backlog longer than one read of a sorted set (1,000 members: the store's default range): every
 * open task is counted and ordered, so the most urgent comes first whichever way the index's set happens to order
 * it (it is scored by snapshot version, a hash: no order a reader can rely on).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { type E2E, startE2E } from '../../sim/e2e/harness.ts'
import { virtualClock } from '../helpers/clock.ts'

const BACKLOG = 1_200

let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

describe('an agent with a long backlog', () => {
  it('should count every open task and list the most urgent first, past 1,000 open tasks', async () => {
    e2e = await startE2E({ concierge: true })
    const t = e2e
    const todo = t.state('Todo').id
    for (let i = 0; i < BACKLOG; i++)
      t.plane.seed.workItem(t.project.id, {
        name: `Tâche ${i}`,
        state: todo,
        priority: 'low',
        assignees: [t.users.imhotep.id],
      })
    // One urgent task, seeded last: in the index's set it is anywhere.
    const urgent = t.plane.seed.workItem(t.project.id, {
      name: 'Corriger la facture',
      state: todo,
      priority: 'urgent',
      assignees: [t.users.imhotep.id],
    })

    const listed = await callHttp(t.app, 'list_my_tasks', t.bridgeTokens.imhotep as string, {
      limit: 5,
    })
    expect(listed.status, JSON.stringify(listed.body)).toBe(200)
    expect(listed.body).toMatchObject({ total: BACKLOG + 1, count: 5 })
    expect((listed.body.tasks as Array<{ id: string }>)[0]?.id).toBe(urgent.id)

    const team = await callHttp(t.app, 'get_team_status', t.bridgeTokens.ra as string, {
      agent: 'imhotep',
    })
    expect(team.status, JSON.stringify(team.body)).toBe(200)
    const [imhotep] = team.body.agents as Array<{ todo: { count: number; refs: string[] } }>
    expect(imhotep?.todo.count).toBe(BACKLOG + 1)
    expect(imhotep?.todo.refs).toHaveLength(20)
  }, 60_000)

  it('should read the page’s descriptions while the snapshots it does not hold are read, and order them all', async () => {
    // Plane's window on a clock the waits move (the check-ins and the poll spend the bridge key's minute).
    const clock = virtualClock()
    e2e = await startE2E({
      now: clock.now,
      sleep: clock.sleep,
      plane: { version: '1.2', now: clock.now },
    })
    const t = e2e
    const todo = t.state('Todo').id
    const items = Array.from({ length: 60 }, (_, i) =>
      t.plane.seed.workItem(t.project.id, {
        name: `Tâche ${i}`,
        state: todo,
        priority: 'low',
        assignees: [t.users.imhotep.id],
      })
    )
    const token = t.bridgeTokens.imhotep as string
    // The first listing reads every snapshot: this process holds them all at their versions after it.
    expect((await callHttp(t.app, 'list_my_tasks', token, { limit: 5 })).body.total).toBe(60)

    // Another client makes one of them urgent, with a description, and gives Imhotep a new urgent task; a poll
    // brings both into the index (Plane v1.2: an API write fires no webhook), at versions this process does not hold.
    const changed = items[41]
    if (!changed) throw new Error('no item')
    await t.bridge.plane?.workItems.update(t.project.id, changed.id, {
      priority: 'urgent',
      description_html: '<p>À faire avant midi.</p>',
    })
    const added = t.plane.seed.workItem(t.project.id, {
      name: 'Nouvelle tâche urgente',
      state: todo,
      priority: 'urgent',
      assignees: [t.users.imhotep.id],
    })
    await runPollCycle({ ...t.services, ...t.bridge })

    // The snapshots' read is slowed: the page's parts must be asked for before it ends, not after the order.
    const store = t.services.store
    const getMany = store.getMany.bind(store)
    const asked: string[] = []
    vi.spyOn(store, 'getMany').mockImplementation(async (keys) => {
      const snapshots = keys.some((k) => k.startsWith('task:snapshot:'))
      const descriptions = keys.some((k) => k.startsWith('index:desc:'))
      if (descriptions) asked.push('descriptions')
      if (!snapshots) return getMany(keys)
      asked.push('snapshots asked')
      await sleep(50)
      const found = await getMany(keys)
      asked.push('snapshots read')
      return found
    })
    const listed = await callHttp(t.app, 'list_my_tasks', token, { limit: 5 })
    expect(listed.status, JSON.stringify(listed.body)).toBe(200)
    const tasks = listed.body.tasks as Array<{ id: string; description: string; priority: string }>
    expect(listed.body.total).toBe(61)
    expect(
      tasks
        .slice(0, 2)
        .map((task) => task.id)
        .sort()
    ).toEqual([changed.id, added.id].sort())
    expect(tasks.find((task) => task.id === changed.id)?.description).toBe('À faire avant midi.')
    expect(tasks.slice(2).every((task) => task.priority === 'low')).toBe(true)
    expect(asked.indexOf('descriptions')).toBeGreaterThan(asked.indexOf('snapshots asked'))
    expect(asked.indexOf('descriptions')).toBeLessThan(asked.indexOf('snapshots read'))
  }, 60_000)
})
