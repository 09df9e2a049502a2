/**
 * An agent with a backlog longer than one read of a sorted set (1,000 members: the store's default range): every
 * open task is counted and ordered, so the most urgent comes first whichever way the index's set happens to order
 * it (it is scored by snapshot version, a hash: no order a reader can rely on).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { type E2E, startE2E } from '../../sim/e2e/harness.ts'

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
})
