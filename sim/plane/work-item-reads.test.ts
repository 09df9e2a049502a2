import { describe, expect, it } from 'vitest'
import { seededSim } from './test-helpers.ts'

describe('plane sim: work-item reads', () => {
  it('should serve the same items under the deprecated issues/ prefix and by identifier', async () => {
    const { call, admin, projectPath } = seededSim()
    const created = await call('POST', `${projectPath}/issues/`, {
      key: admin.apiKey,
      body: { name: 'x' },
    })
    const viaNew = await call('GET', `${projectPath}/work-items/${created.body.id}/`, {
      key: admin.apiKey,
    })
    expect(viaNew.body.id).toBe(created.body.id)
    const byIdentifier = await call('GET', '/api/v1/workspaces/javisi/work-items/ENG-1/', {
      key: admin.apiKey,
    })
    expect(byIdentifier.body.id).toBe(created.body.id)
    const legacy = await call('GET', '/api/v1/workspaces/javisi/issues/ENG-1/', {
      key: admin.apiKey,
    })
    expect(legacy.body.id).toBe(created.body.id)
    expect(
      (await call('GET', '/api/v1/workspaces/javisi/work-items/ENG-99/', { key: admin.apiKey }))
        .status
    ).toBe(404)
  })

  it('should hide drafts, archived and triage items from lists but let PATCH reach them', async () => {
    const { sim, call, admin, project, projectPath } = seededSim()
    const triage = [...sim.state.states.values()].find(
      (s) => s.project === project.id && s.group === 'triage'
    )
    const draft = sim.seed.workItem(project.id, { name: 'draft', is_draft: true })
    sim.seed.workItem(project.id, { name: 'intake', state: triage?.id ?? null })
    sim.seed.workItem(project.id, { name: 'visible' })
    const list = await call('GET', `${projectPath}/work-items/`, { key: admin.apiKey })
    expect(list.body.results.map((r: { name: string }) => r.name)).toEqual(['visible'])
    expect(
      (await call('GET', `${projectPath}/work-items/${draft.id}/`, { key: admin.apiKey })).status
    ).toBe(404)
    const patched = await call('PATCH', `${projectPath}/work-items/${draft.id}/`, {
      key: admin.apiKey,
      body: { name: 'd2' },
    })
    expect(patched.status).toBe(200)
  })

  it('should order by -created_at by default, and support -updated_at and priority', async () => {
    const { call, admin, projectPath } = seededSim({ now: () => 1_750_000_000_000 })
    const key = admin.apiKey
    const list = `${projectPath}/work-items/`
    const a = await call('POST', list, { key, body: { name: 'a', priority: 'low' } })
    const b = await call('POST', list, { key, body: { name: 'b', priority: 'urgent' } })
    await call('PATCH', `${list}${a.body.id}/`, { key, body: { name: 'a2' } })
    const names = async (query: string) =>
      (await call('GET', `${list}?${query}`, { key })).body.results.map(
        (r: { name: string }) => r.name
      )
    expect(await names('')).toEqual(['b', 'a2'])
    expect(await names('order_by=-updated_at')).toEqual(['a2', 'b'])
    expect(await names('order_by=updated_at')).toEqual(['b', 'a2'])
    expect(await names('order_by=priority')).toEqual(['b', 'a2'])
    expect(await names('order_by=-priority')).toEqual(['a2', 'b'])
    expect((await call('GET', `${list}?order_by=nonsense`, { key })).status).toBe(500)
    expect(b.status).toBe(201)
  })

  it('should apply fields= and expand= to work items', async () => {
    const { call, admin, member, projectPath, stateId } = seededSim()
    const created = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: { name: 'x', assignees: [member.id] },
    })
    const res = await call(
      'GET',
      `${projectPath}/work-items/${created.body.id}/?fields=id,name,state,assignees&expand=state,assignees,labels`,
      { key: admin.apiKey }
    )
    expect(Object.keys(res.body)).toEqual(['id', 'name', 'state', 'assignees'])
    expect(res.body.state).toEqual({
      id: stateId('Backlog'),
      name: 'Backlog',
      color: '#60646C',
      group: 'backlog',
    })
    expect(res.body.assignees[0]).toMatchObject({ id: member.id, display_name: 'max' })
  })
})
