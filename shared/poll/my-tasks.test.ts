import { describe, expect, it } from 'vitest'
import { makeSnapshot, STATES, USERS } from '../../test/fixtures/tasks.ts'
import type { AgentRef } from '../notify/directory.ts'
import { listMyTasks } from './my-tasks.ts'

const THOT: AgentRef = {
  id: 'thot',
  name: 'Thot',
  role: 'member',
  planeUserId: USERS.thot,
  openclawAgentId: 'thot',
}
const PROJECT_ID = makeSnapshot().projectId
const projects = new Map([[PROJECT_ID, { name: 'Onboarding', identifier: 'ONB' }]])
const task = (n: number, over: Parameters<typeof makeSnapshot>[0]) =>
  makeSnapshot({
    id: `00000000-0000-4000-8000-0000000c00${10 + n}`,
    sequenceId: n,
    name: `Tâche ${n}`,
    ...over,
  })

describe('listMyTasks (OPENCLAW-02, OPENCLAW-10)', () => {
  it("should list the agent's open tasks, by assignment or agent:<id> label, most urgent first", () => {
    const tasks = [
      task(1, { assigneeIds: [USERS.thot], state: STATES.todo, priority: 'low' }),
      task(2, {
        assigneeIds: [USERS.imhotep],
        labels: ['agent:Thot'],
        state: STATES.inProgress,
        priority: 'urgent',
      }),
      task(3, { assigneeIds: [USERS.thot], state: STATES.done, priority: 'urgent' }),
      task(4, { assigneeIds: [USERS.thot], state: STATES.cancelled }),
      task(5, { assigneeIds: [USERS.thot], state: STATES.backlog }),
      task(6, { assigneeIds: [USERS.imhotep], state: STATES.todo }),
      task(7, {
        assigneeIds: [USERS.thot],
        state: STATES.todo,
        priority: 'low',
        targetDate: '2026-11-25',
      }),
    ]
    const mine = listMyTasks(THOT, tasks, {
      projects,
      dependencies: new Map([[tasks[0]!.id, ['dep-1']]]),
    })
    expect(mine.map((t) => [t.identifier, t.status, t.priority])).toEqual([
      ['ONB-2', 'in_progress', 'urgent'],
      ['ONB-7', 'todo', 'low'],
      ['ONB-1', 'todo', 'low'],
    ])
    expect(mine[2]).toEqual({
      id: tasks[0]!.id,
      identifier: 'ONB-1',
      title: 'Tâche 1',
      description: null,
      status: 'todo',
      priority: 'low',
      due_date: null,
      project: { id: PROJECT_ID, name: 'Onboarding', identifier: 'ONB' },
      dependencies: ['dep-1'],
    })
  })
})
