import { describe, expect, it } from 'vitest'
import { seededSim } from './test-helpers.ts'

describe('plane sim: comments, links and activities', () => {
  it('should create a comment as the token user, page comments newest first with is_member', async () => {
    const { sim, call, admin, member, project, projectPath } = seededSim()
    const item = sim.seed.workItem(project.id, { name: 'x', created_by: admin.id })
    const path = `${projectPath}/work-items/${item.id}/comments/`
    const first = await call('POST', path, { key: member.apiKey, body: { comment_html: 'plain' } })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({
      actor: member.id,
      created_by: member.id,
      comment_html: '<p>plain</p>',
    })
    expect(first.body).not.toHaveProperty('is_member')
    await call('POST', path, { key: admin.apiKey, body: { comment_html: '<p>second</p>' } })
    const list = await call('GET', path, { key: member.apiKey })
    expect(list.body.results.map((c: { comment_html: string }) => c.comment_html)).toEqual([
      '<p>second</p>',
      '<p>plain</p>',
    ])
    expect(list.body.results[0].is_member).toBe(true)
    const legacy = await call('GET', `${projectPath}/issues/${item.id}/comments/`, {
      key: member.apiKey,
    })
    expect(legacy.body.total_count).toBe(2)
  })

  it("should move the work item's updated_at, and nothing else, when a comment is created, edited or deleted", async () => {
    const { sim, call, admin, member, project, projectPath } = seededSim()
    const item = sim.seed.workItem(project.id, { name: 'x', created_by: admin.id })
    const path = `${projectPath}/work-items/${item.id}/comments/`
    const row = () => sim.state.issues.get(item.id)!
    const seen: string[] = [row().updated_at]
    const created = await call('POST', path, { key: member.apiKey, body: { comment_html: 'a' } })
    seen.push(row().updated_at)
    await call('PATCH', `${path}${created.body.id}/`, {
      key: member.apiKey,
      body: { comment_html: '<p>b</p>' },
    })
    seen.push(row().updated_at)
    await call('DELETE', `${path}${created.body.id}/`, { key: member.apiKey })
    seen.push(row().updated_at)
    const web = await sim.ui.addComment(admin.id, item.id, '<p>c</p>')
    seen.push(row().updated_at)
    await sim.ui.deleteComment(admin.id, web.id)
    seen.push(row().updated_at)
    // issue_activity saves updated_at alone: each step is later than the one before, updated_by untouched.
    expect([...seen].sort()).toEqual(seen)
    expect(new Set(seen).size).toBe(seen.length)
    expect(row().updated_by).toBeNull()
    // A listing by -updated_at puts the commented task first; no `issue` webhook came of it.
    const other = sim.seed.workItem(project.id, { name: 'y' })
    await sim.ui.addComment(admin.id, item.id, '<p>d</p>')
    const list = await call('GET', `${projectPath}/work-items/?order_by=-updated_at`, {
      key: admin.apiKey,
    })
    expect(list.body.results.map((w: { id: string }) => w.id)).toEqual([item.id, other.id])
    await sim.webhooks.settle()
    expect(sim.webhooks.deliveries.filter((d) => d.event === 'issue')).toEqual([])
  })

  it('should answer 409 with the id for a duplicate comment external id', async () => {
    const { sim, call, admin, project, projectPath } = seededSim()
    const item = sim.seed.workItem(project.id, { name: 'x' })
    const path = `${projectPath}/work-items/${item.id}/comments/`
    const body = { comment_html: '<p>a</p>', external_id: 'c1', external_source: 'telegram' }
    const first = await call('POST', path, { key: admin.apiKey, body })
    const again = await call('POST', path, { key: admin.apiKey, body })
    expect([again.status, again.body.id]).toEqual([409, first.body.id])
  })

  it('should refuse a duplicate link URL on the same item with 400', async () => {
    const { sim, call, admin, project, projectPath } = seededSim()
    const item = sim.seed.workItem(project.id, { name: 'x' })
    const path = `${projectPath}/work-items/${item.id}/links/`
    const created = await call('POST', path, {
      key: admin.apiKey,
      body: { url: 'https://example.com/a' },
    })
    expect([created.status, created.body.title]).toEqual([201, null])
    const dup = await call('POST', path, {
      key: admin.apiKey,
      body: { url: 'https://example.com/a', title: 'again' },
    })
    expect([dup.status, dup.body]).toEqual([400, { error: 'URL already exists for this Issue' }])
  })

  it('should list activities oldest first, with state changes as names plus UUID identifiers', async () => {
    const { call, admin, projectPath, stateId } = seededSim()
    const created = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: { name: 'x' },
    })
    await call('PATCH', `${projectPath}/work-items/${created.body.id}/`, {
      key: admin.apiKey,
      body: { state: stateId('Done') },
    })
    await call('POST', `${projectPath}/work-items/${created.body.id}/comments/`, {
      key: admin.apiKey,
      body: { comment_html: 'c' },
    })
    const res = await call('GET', `${projectPath}/work-items/${created.body.id}/activities/`, {
      key: admin.apiKey,
    })
    const rows = res.body.results
    expect(rows.map((r: { verb: string; field: string | null }) => `${r.verb}:${r.field}`)).toEqual(
      ['created:null', 'updated:state']
    )
    expect(rows[1]).toMatchObject({
      old_value: 'Backlog',
      new_value: 'Done',
      old_identifier: stateId('Backlog'),
      new_identifier: stateId('Done'),
    })
  })
})

describe('plane sim: cycles, modules, relations, invitations', () => {
  it('should answer cycle_view=current as a plain list and other views as pages', async () => {
    const { sim, call, admin, project, projectPath } = seededSim({
      now: () => Date.parse('2026-03-10T12:00:00Z'),
    })
    sim.seed.cycle(project.id, {
      name: 'Now',
      start_date: '2026-03-01T00:00:00Z',
      end_date: '2026-03-20T00:00:00Z',
    })
    sim.seed.cycle(project.id, {
      name: 'Later',
      start_date: '2026-04-01T00:00:00Z',
      end_date: '2026-04-20T00:00:00Z',
    })
    const current = await call('GET', `${projectPath}/cycles/?cycle_view=current`, {
      key: admin.apiKey,
    })
    expect(Array.isArray(current.body)).toBe(true)
    expect(current.body.map((c: { name: string }) => c.name)).toEqual(['Now'])
    const upcoming = await call('GET', `${projectPath}/cycles/?cycle_view=upcoming`, {
      key: admin.apiKey,
    })
    expect(upcoming.body.results.map((c: { name: string }) => c.name)).toEqual(['Later'])
  })

  it('should require both cycle dates or neither', async () => {
    const { call, admin, projectPath } = seededSim()
    const res = await call('POST', `${projectPath}/cycles/`, {
      key: admin.apiKey,
      body: { name: 'c', start_date: '2026-03-01' },
    })
    expect([res.status, res.body]).toEqual([
      400,
      { error: 'Both start date and end date are either required or are to be null' },
    ])
    expect(
      (await call('POST', `${projectPath}/cycles/`, { key: admin.apiKey, body: { name: 'c' } }))
        .status
    ).toBe(201)
  })

  it('should create modules with status planned by default and validate the status', async () => {
    const { call, admin, projectPath } = seededSim()
    const created = await call('POST', `${projectPath}/modules/`, {
      key: admin.apiKey,
      body: { name: 'm' },
    })
    expect([created.status, created.body.status]).toEqual([201, 'planned'])
    const bad = await call('POST', `${projectPath}/modules/`, {
      key: admin.apiKey,
      body: { name: 'n', status: 'done' },
    })
    expect(bad.body).toEqual({ status: ['"done" is not a valid choice.'] })
  })

  it('should have no relations/ route in 1.2 and a working one in 1.3', async () => {
    const old = seededSim()
    const item = old.sim.seed.workItem(old.project.id, { name: 'x' })
    const missing = await old.call('GET', `${old.projectPath}/work-items/${item.id}/relations/`, {
      key: old.admin.apiKey,
    })
    expect([missing.status, missing.body]).toEqual([404, { error: 'Page not found.' }])

    const next = seededSim({ version: '1.3' })
    const a = next.sim.seed.workItem(next.project.id, { name: 'a' })
    const b = next.sim.seed.workItem(next.project.id, { name: 'b' })
    const path = `${next.projectPath}/work-items/${a.id}/relations/`
    const created = await next.call('POST', path, {
      key: next.admin.apiKey,
      body: { relation_type: 'blocking', issues: [b.id] },
    })
    expect(created.status).toBe(201)
    expect((await next.call('GET', path, { key: next.admin.apiKey })).body).toMatchObject({
      blocking: [b.id],
      blocked_by: [],
    })
    const reverse = await next.call('GET', `${next.projectPath}/work-items/${b.id}/relations/`, {
      key: next.admin.apiKey,
    })
    expect(reverse.body).toMatchObject({ blocking: [], blocked_by: [a.id] })
  })

  it("should soft-delete a deleted work item's relations, from either side, and its comments", async () => {
    const { sim, call, admin, project, projectPath } = seededSim({ version: '1.3' })
    const a = sim.seed.workItem(project.id, { name: 'a', created_by: admin.id })
    const b = sim.seed.workItem(project.id, { name: 'b', created_by: admin.id })
    await call('POST', `${projectPath}/work-items/${a.id}/relations/`, {
      key: admin.apiKey,
      body: { relation_type: 'blocking', issues: [b.id] },
    })
    await call('POST', `${projectPath}/work-items/${a.id}/comments/`, {
      key: admin.apiKey,
      body: { comment_html: '<p>x</p>' },
    })
    expect(
      (await call('DELETE', `${projectPath}/work-items/${a.id}/`, { key: admin.apiKey })).status
    ).toBe(204)
    // soft_delete_related_objects: b no longer waits for a; a's comments are gone with it.
    const reverse = await call('GET', `${projectPath}/work-items/${b.id}/relations/`, {
      key: admin.apiKey,
    })
    expect(reverse.body).toMatchObject({ blocked_by: [] })
    expect(
      (await call('GET', `${projectPath}/work-items/${a.id}/comments/`, { key: admin.apiKey })).body
        .total_count
    ).toBe(0)
    expect(
      (await call('GET', `${projectPath}/work-items/${a.id}/`, { key: admin.apiKey })).status
    ).toBe(404)
  })

  it('should serve invitations unpaginated and unthrottled to workspace admins only', async () => {
    const { call, admin, member } = seededSim({ now: () => 0, rateLimitPerMinute: 1 })
    const path = '/api/v1/workspaces/javisi/invitations/'
    expect((await call('GET', path, { key: member.apiKey })).status).toBe(403)
    const created = await call('POST', path, {
      key: admin.apiKey,
      body: { email: 'new@example.com', role: 15 },
    })
    expect([created.status, created.body.role]).toEqual([201, 15])
    for (let index = 0; index < 3; index++) {
      const list = await call('GET', path, { key: admin.apiKey })
      expect([list.status, list.body.length]).toEqual([200, 1])
      expect(list.headers.get('X-RateLimit-Remaining')).toBeNull()
    }
    const missing = await call('GET', `${path}${crypto.randomUUID()}/`, { key: admin.apiKey })
    expect([missing.status, missing.body]).toEqual([
      404,
      { error: 'The required object does not exist.' },
    ])
  })
})
