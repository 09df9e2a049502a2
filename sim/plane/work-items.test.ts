import { describe, expect, it } from 'vitest'
import { seededSim } from './test-helpers.ts'

const WORK_ITEM_KEYS = [
  'id',
  'type_id',
  'created_at',
  'updated_at',
  'deleted_at',
  'point',
  'name',
  'description_html',
  'description_binary',
  'priority',
  'start_date',
  'target_date',
  'sequence_id',
  'sort_order',
  'completed_at',
  'archived_at',
  'is_draft',
  'external_source',
  'external_id',
  'created_by',
  'updated_by',
  'project',
  'workspace',
  'parent',
  'state',
  'estimate_point',
  'type',
  'assignees',
  'labels',
]

describe('plane sim: work-item writes (IssueSerializer)', () => {
  it('should create with 201, the §3.1 keys, Backlog, sequence 1, sort_order 65535 and <p></p>', async () => {
    const { call, admin, projectPath, stateId } = seededSim()
    const res = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: { name: 'First' },
    })
    expect(res.status).toBe(201)
    expect(Object.keys(res.body)).toEqual(WORK_ITEM_KEYS)
    expect(res.body).toMatchObject({
      state: stateId('Backlog'),
      sequence_id: 1,
      sort_order: 65535,
      description_html: '<p></p>',
      priority: 'none',
      created_by: admin.id,
      updated_by: null,
      completed_at: null,
    })
    expect(res.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/)
    const second = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: { name: 'Second' },
    })
    expect([second.body.sequence_id, second.body.sort_order]).toEqual([2, 75535])
  })

  it('should silently drop assignees who are not active members with role >= 15, and foreign labels', async () => {
    const { sim, call, admin, member, guest, outsider, project, projectPath } = seededSim()
    const other = sim.seed.project({ name: 'Ops', identifier: 'OPS', creator: admin.id })
    const ours = sim.seed.label(project.id, { name: 'bug' })
    const theirs = sim.seed.label(other.id, { name: 'bug' })
    const res = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: {
        name: 'x',
        assignees: [member.id, guest.id, outsider.id],
        labels: [ours.id, theirs.id],
      },
    })
    expect(res.status).toBe(201)
    expect(res.body.assignees).toEqual([member.id])
    expect(res.body.labels).toEqual([ours.id])
  })

  it('should reject an unknown assignee id with the DRF list error', async () => {
    const { call, admin, projectPath } = seededSim()
    const ghost = crypto.randomUUID()
    const res = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: { name: 'x', assignees: [ghost] },
    })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      assignees: { '0': [`Invalid pk "${ghost}" - object does not exist.`] },
    })
  })

  it('should ignore unknown keys such as state_id and description', async () => {
    const { call, admin, projectPath, stateId } = seededSim()
    const res = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: { name: 'x', state_id: stateId('Done'), description: 'ignored', colour: 'red' },
    })
    expect(res.status).toBe(201)
    expect(res.body.state).toBe(stateId('Backlog'))
    expect(res.body.description_html).toBe('<p></p>')
  })

  it('should reject a state of another project, a bad priority, inverted dates and empty HTML', async () => {
    const { sim, call, admin, projectPath } = seededSim()
    const other = sim.seed.project({ name: 'Ops', identifier: 'OPS', creator: admin.id })
    const foreign = [...sim.state.states.values()].find((s) => s.project === other.id)?.id
    const list = `${projectPath}/work-items/`
    const key = admin.apiKey
    expect((await call('POST', list, { key, body: { name: 'x', state: foreign } })).body).toEqual({
      non_field_errors: ['State is not valid please pass a valid state_id'],
    })
    expect((await call('POST', list, { key, body: { name: 'x', priority: 'x' } })).body).toEqual({
      priority: ['"x" is not a valid choice.'],
    })
    expect(
      (
        await call('POST', list, {
          key,
          body: { name: 'x', start_date: '2026-02-02', target_date: '2026-02-01' },
        })
      ).body
    ).toEqual({ non_field_errors: ['Start date cannot exceed target date'] })
    expect(
      (await call('POST', list, { key, body: { name: 'x', description_html: '' } })).body
    ).toEqual({
      non_field_errors: ['Invalid HTML passed'],
    })
    expect((await call('POST', list, { key, body: {} })).body).toEqual({
      name: ['This field is required.'],
    })
  })

  it('should wrap plain-text descriptions in <p> and multiple blocks in <div>', async () => {
    const { call, admin, projectPath } = seededSim()
    const list = `${projectPath}/work-items/`
    const plain = await call('POST', list, {
      key: admin.apiKey,
      body: { name: 'x', description_html: 'hello' },
    })
    expect(plain.body.description_html).toBe('<p>hello</p>')
    const two = await call('POST', list, {
      key: admin.apiKey,
      body: { name: 'y', description_html: '<p>a</p><p>b</p>' },
    })
    expect(two.body.description_html).toBe('<div><p>a</p><p>b</p></div>')
  })

  it('should answer 409 with the existing id for a duplicate external id, and find it by lookup', async () => {
    const { call, admin, projectPath } = seededSim()
    const body = { name: 'x', external_id: 'gh-1', external_source: 'github' }
    const first = await call('POST', `${projectPath}/work-items/`, { key: admin.apiKey, body })
    const again = await call('POST', `${projectPath}/work-items/`, { key: admin.apiKey, body })
    expect(again.status).toBe(409)
    expect(again.body).toEqual({
      error: 'Issue with the same external id and external source already exists',
      id: first.body.id,
    })
    const lookup = await call(
      'GET',
      `${projectPath}/work-items/?external_id=gh-1&external_source=github`,
      {
        key: admin.apiKey,
      }
    )
    expect(lookup.body.id).toBe(first.body.id)
    expect(lookup.body.results).toBeUndefined()
    const missing = await call(
      'GET',
      `${projectPath}/work-items/?external_id=gh-2&external_source=github`,
      {
        key: admin.apiKey,
      }
    )
    expect([missing.status, missing.body]).toEqual([
      404,
      { error: 'The requested resource does not exist.' },
    ])
  })

  it('should PATCH with 200 and the full object, set completed_at iff completed, and bump updated_at strictly', async () => {
    const { call, admin, projectPath, stateId } = seededSim({ now: () => 1_750_000_000_000 })
    const created = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: { name: 'x' },
    })
    const path = `${projectPath}/work-items/${created.body.id}/`
    const done = await call('PATCH', path, { key: admin.apiKey, body: { state: stateId('Done') } })
    expect(done.status).toBe(200)
    expect(Object.keys(done.body)).toEqual(WORK_ITEM_KEYS)
    expect(done.body.completed_at).not.toBeNull()
    expect(done.body.updated_by).toBe(admin.id)
    // Same millisecond, still strictly later.
    expect(done.body.updated_at > created.body.updated_at).toBe(true)
    const reopened = await call('PATCH', path, {
      key: admin.apiKey,
      body: { state: stateId('Todo') },
    })
    expect(reopened.body.completed_at).toBeNull()
    expect(reopened.body.updated_at > done.body.updated_at).toBe(true)
  })

  it('should soft-delete for the creator or an admin only, then hide the item', async () => {
    const { call, admin, member, projectPath } = seededSim()
    const created = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: { name: 'x' },
    })
    const path = `${projectPath}/work-items/${created.body.id}/`
    const refused = await call('DELETE', path, { key: member.apiKey })
    expect([refused.status, refused.body]).toEqual([
      403,
      { error: 'Only admin or creator can delete the work item' },
    ])
    expect((await call('DELETE', path, { key: admin.apiKey })).status).toBe(204)
    expect((await call('GET', path, { key: admin.apiKey })).status).toBe(404)
    const list = await call('GET', `${projectPath}/work-items/`, { key: admin.apiKey })
    expect(list.body.total_count).toBe(0)
  })
})
