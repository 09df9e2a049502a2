import { describe, expect, it } from 'vitest'
import { seededSim } from './test-helpers.ts'

describe('plane sim: projects and members', () => {
  it('should create a project (201) with default states incl. hidden Triage and the creator as admin', async () => {
    const { sim, call, member } = seededSim()
    const res = await call('POST', '/api/v1/workspaces/javisi/projects/', {
      key: member.apiKey,
      body: { name: 'Platform', identifier: 'plat' },
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      identifier: 'PLAT',
      member_role: 20,
      is_member: true,
      total_members: 1,
    })
    const rows = [...sim.state.states.values()].filter((s) => s.project === res.body.id)
    expect(rows.map((s) => s.name)).toEqual([
      'Backlog',
      'Todo',
      'In Progress',
      'Done',
      'Cancelled',
      'Triage',
    ])
    const listed = await call('GET', `/api/v1/workspaces/javisi/projects/${res.body.id}/states/`, {
      key: member.apiKey,
    })
    expect(listed.body.results.map((s: { name: string }) => s.name)).not.toContain('Triage')
  })

  it('should answer 409 without an error key for a taken identifier or name', async () => {
    const { call, admin } = seededSim()
    const path = '/api/v1/workspaces/javisi/projects/'
    const identifier = await call('POST', path, {
      key: admin.apiKey,
      body: { name: 'Other', identifier: 'eng' },
    })
    expect([identifier.status, identifier.body]).toEqual([
      409,
      { identifier: 'The project identifier is already taken' },
    ])
    const name = await call('POST', path, {
      key: admin.apiKey,
      body: { name: 'Engineering', identifier: 'NEW' },
    })
    expect([name.status, name.body]).toEqual([409, { name: 'The project name is already taken' }])
  })

  it('should list workspace members as a plain list with roles, and project members as UserLite', async () => {
    const { call, admin, member, projectPath } = seededSim()
    const workspace = await call('GET', '/api/v1/workspaces/javisi/members/', {
      key: member.apiKey,
    })
    expect(Array.isArray(workspace.body)).toBe(true)
    expect(workspace.body.find((u: { id: string }) => u.id === admin.id)?.role).toBe(20)
    const project = await call('GET', `${projectPath}/members/`, { key: member.apiKey })
    expect(project.body).toHaveLength(3)
    expect(project.body[0]).not.toHaveProperty('role')
  })

  it('should refuse the workspace member list to guests', async () => {
    const { call, guest } = seededSim()
    expect(
      (await call('GET', '/api/v1/workspaces/javisi/members/', { key: guest.apiKey })).status
    ).toBe(403)
  })

  it('should add a project member (admin only, workspace members only) and return {id, member, role}', async () => {
    const { sim, call, admin, member, outsider, projectPath } = seededSim()
    const path = `${projectPath}/members/`
    expect(
      (await call('POST', path, { key: member.apiKey, body: { member: outsider.id, role: 15 } }))
        .status
    ).toBe(403)
    const added = await call('POST', path, {
      key: admin.apiKey,
      body: { member: outsider.id, role: 15 },
    })
    expect(added.status).toBe(201)
    expect(Object.keys(added.body)).toEqual(['id', 'member', 'role'])
    expect(added.body).toMatchObject({ member: outsider.id, role: 15 })
    const stranger = sim.seed.user()
    sim.state.workspaceMembers = sim.state.workspaceMembers.filter(
      (row) => row.member !== stranger.id
    )
    const refused = await call('POST', path, {
      key: admin.apiKey,
      body: { member: stranger.id, role: 15 },
    })
    expect([refused.status, refused.body]).toEqual([
      400,
      { member: ['Member not found in workspace'] },
    ])
  })

  it('should hide a deleted project, and only project admins may delete', async () => {
    const { call, admin, member, project } = seededSim()
    const path = `/api/v1/workspaces/javisi/projects/${project.id}/`
    expect((await call('DELETE', path, { key: member.apiKey })).status).toBe(403)
    expect((await call('DELETE', path, { key: admin.apiKey })).status).toBe(204)
    expect((await call('GET', path, { key: admin.apiKey })).status).toBe(404)
  })
})

describe('plane sim: states and labels', () => {
  it('should create a state with 200 (not 201), 409 on a duplicate name, 400 for group triage', async () => {
    const { call, admin, projectPath, stateId } = seededSim()
    const path = `${projectPath}/states/`
    const created = await call('POST', path, {
      key: admin.apiKey,
      body: { name: 'Review', color: '#fff', group: 'started' },
    })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({
      slug: 'review',
      sequence: 70000,
      group: 'started',
      default: false,
    })
    const dup = await call('POST', path, {
      key: admin.apiKey,
      body: { name: 'Done', color: '#000' },
    })
    expect([dup.status, dup.body]).toEqual([
      409,
      { error: 'State with the same name already exists in the project', id: stateId('Done') },
    ])
    const triage = await call('POST', path, {
      key: admin.apiKey,
      body: { name: 'T2', color: '#000', group: 'triage' },
    })
    expect([triage.status, triage.body]).toEqual([
      400,
      { non_field_errors: ['Cannot create triage state'] },
    ])
  })

  it('should create a label with 201 and answer 409 with the id for a duplicate name', async () => {
    const { call, admin, projectPath } = seededSim()
    const path = `${projectPath}/labels/`
    const created = await call('POST', path, {
      key: admin.apiKey,
      body: { name: 'bug', color: '#f00' },
    })
    expect(created.status).toBe(201)
    const dup = await call('POST', path, { key: admin.apiKey, body: { name: 'bug' } })
    expect([dup.status, dup.body]).toEqual([
      409,
      { error: 'Label with the same name already exists in the project', id: created.body.id },
    ])
  })

  it('should show a member of another project an empty label page instead of a 403', async () => {
    const { sim, call, admin, outsider, project } = seededSim()
    sim.seed.label(project.id, { name: 'bug' })
    const other = sim.seed.project({ name: 'Ops', identifier: 'OPS', creator: admin.id })
    sim.seed.member(other.id, outsider.id, 15)
    const res = await call('GET', `/api/v1/workspaces/javisi/projects/${project.id}/labels/`, {
      key: outsider.apiKey,
    })
    expect([res.status, res.body.total_count]).toEqual([200, 0])
  })

  it("should tell a member of another project a label of this one does not exist (the list's queryset)", async () => {
    const { sim, call, admin, outsider, project } = seededSim()
    const label = sim.seed.label(project.id, { name: 'bug' })
    const other = sim.seed.project({ name: 'Ops', identifier: 'OPS', creator: admin.id })
    sim.seed.member(other.id, outsider.id, 15)
    const path = `/api/v1/workspaces/javisi/projects/${project.id}/labels/${label.id}/`
    const asOutsider = await call('GET', path, { key: outsider.apiKey })
    const asAdmin = await call('GET', path, { key: admin.apiKey })
    expect([asOutsider.status, asOutsider.body, asAdmin.status, asAdmin.body.name]).toEqual([
      404,
      { error: 'The requested resource does not exist.' },
      200,
      'bug',
    ])
  })
})
