import { describe, expect, it } from 'vitest'
import { makeSnapshot, STATES, USERS } from '../../test/fixtures/tasks.ts'
import { diffTask } from './diff.ts'

const later = (iso: string, s: number) => new Date(Date.parse(iso) + s * 1000).toISOString()

describe('diffTask', () => {
  const before = makeSnapshot()

  it('should report every changed field', () => {
    const after = makeSnapshot({
      state: STATES.done,
      assigneeIds: [USERS.thot],
      labels: ['agent:thot'],
      priority: 'high',
      targetDate: '2026-12-01',
      name: 'Configurer Redis 7',
      updatedAt: later(before.updatedAt, 5),
    })
    expect(diffTask(before, after)).toEqual({
      status: 'changed',
      changes: [
        { kind: 'state', from: STATES.inProgress, to: STATES.done },
        { kind: 'assignees', added: [USERS.thot], removed: [USERS.imhotep] },
        { kind: 'labels', added: ['agent:thot'], removed: [] },
        { kind: 'priority', from: 'medium', to: 'high' },
        { kind: 'due', from: null, to: '2026-12-01' },
        { kind: 'renamed', from: 'Configurer Redis', to: 'Configurer Redis 7' },
      ],
    })
  })

  it('should ignore a sighting older than the snapshot (out-of-order delivery)', () => {
    const older = makeSnapshot({ state: STATES.todo, updatedAt: later(before.updatedAt, -10) })
    expect(diffTask(before, older)).toEqual({ status: 'stale' })
  })

  it('should find nothing in an identical sighting (a retried or repeated delivery)', () => {
    expect(diffTask(before, makeSnapshot())).toEqual({ status: 'unchanged' })
  })

  it('should take a first sighting without a hint as a baseline', () => {
    expect(diffTask(null, before)).toEqual({ status: 'baseline' })
  })

  it('should diff a first sighting against the delivery old value, so it is not swallowed', () => {
    const done = makeSnapshot({ state: STATES.done })
    const result = diffTask(null, done, {
      hint: { field: 'state_id', oldValue: STATES.inProgress.id },
    })
    expect(result).toEqual({
      status: 'changed',
      changes: [
        {
          kind: 'state',
          from: { id: STATES.inProgress.id, name: '', group: 'unknown' },
          to: STATES.done,
        },
      ],
    })
    const viaName = diffTask(null, done, {
      hint: { field: 'state', oldValue: 'In Progress', oldIdentifier: STATES.inProgress.id },
    })
    expect(viaName).toMatchObject({
      status: 'changed',
      changes: [{ kind: 'state', from: { name: 'In Progress' } }],
    })
    const assigned = diffTask(null, makeSnapshot({ assigneeIds: [USERS.imhotep, USERS.thot] }), {
      hint: { field: 'assignee_ids', oldValue: [USERS.imhotep] },
    })
    expect(assigned).toEqual({
      status: 'changed',
      changes: [{ kind: 'assignees', added: [USERS.thot], removed: [] }],
    })
  })

  it('should announce a created task with its assignees and a finished state', () => {
    expect(diffTask(null, makeSnapshot({ state: STATES.done }), { created: true })).toEqual({
      status: 'changed',
      changes: [
        { kind: 'created' },
        { kind: 'assignees', added: [USERS.imhotep], removed: [] },
        { kind: 'state', from: null, to: STATES.done },
      ],
    })
  })
})
