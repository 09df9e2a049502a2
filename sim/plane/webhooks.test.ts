import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { seededSim } from './test-helpers.ts'

type Received = { url: string; headers: Headers; body: string }

/** A webhook receiver stand-in for `webhookFetch`: records every POST and answers 200. */
function captureFetch(answer: (index: number) => Response | Error = () => new Response('ok')) {
  const received: Received[] = []
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    received.push({ url: request.url, headers: request.headers, body: await request.text() })
    const result = answer(received.length - 1)
    if (result instanceof Error) throw result
    return result
  }) as typeof fetch
  return { received, fetchImpl }
}

function setup(version: '1.2' | '1.3' = '1.2', answer?: (index: number) => Response | Error) {
  const capture = captureFetch(answer)
  const seeded = seededSim({
    version,
    webhookFetch: capture.fetchImpl,
    webhookRetryDelayMs: () => 0,
  })
  const hook = seeded.sim.webhooks.register({
    url: 'https://receiver.example.com/webhooks/plane',
    project: true,
    issue: true,
    cycle: true,
    module: true,
    issue_comment: true,
  })
  return { ...seeded, ...capture, hook }
}

describe('plane sim: webhook payloads and signatures', () => {
  it('should send issue/created for a v1 POST with Plane headers, key order and a valid HMAC', async () => {
    const { sim, call, admin, member, project, projectPath, received, hook } = setup()
    const label = sim.seed.label(project.id, { name: 'bug', color: '#f00' })
    const created = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: { name: 'Café ☕', assignees: [member.id], labels: [label.id] },
    })
    await sim.webhooks.settle()
    expect(received).toHaveLength(1)
    const [delivery] = received
    if (!delivery) throw new Error('no delivery')
    expect(delivery.headers.get('content-type')).toBe('application/json')
    expect(delivery.headers.get('user-agent')).toBe('Autopilot')
    expect(delivery.headers.get('x-plane-event')).toBe('issue')
    expect(delivery.headers.get('x-plane-delivery')).toMatch(/^[0-9a-f-]{36}$/)
    const expected = createHmac('sha256', hook.secret_key).update(delivery.body).digest('hex')
    expect(delivery.headers.get('x-plane-signature')).toBe(expected)
    expect(hook.secret_key).toMatch(/^plane_wh_[0-9a-f]{32}$/)
    // Python json.dumps: spaced separators, \uXXXX escapes, float sort_order.
    expect(delivery.body.startsWith('{"event": "issue", "action": "created", "webhook_id": ')).toBe(
      true
    )
    expect(delivery.body).toContain('"name": "Caf\\u00e9 \\u2615"')
    expect(delivery.body).toContain('"sort_order": 65535.0')
    const payload = JSON.parse(delivery.body)
    expect(Object.keys(payload)).toEqual([
      'event',
      'action',
      'webhook_id',
      'workspace_id',
      'data',
      'activity',
    ])
    expect(payload.activity).toEqual({
      field: null,
      new_value: null,
      old_value: null,
      actor: expect.objectContaining({ id: admin.id, display_name: 'ada' }),
      old_identifier: null,
      new_identifier: null,
    })
    expect(payload.data.id).toBe(created.body.id)
    expect(payload.data.state).toEqual(
      expect.objectContaining({ name: 'Backlog', group: 'backlog' })
    )
    expect(payload.data.labels).toEqual([{ id: label.id, name: 'bug', color: '#f00' }])
    expect(payload.data.assignees[0]).toMatchObject({ id: member.id, display_name: 'max' })
    expect(payload.data.description).toEqual(payload.data.description_json)
    expect(payload.data).not.toHaveProperty('cycle')
    expect(payload.data).not.toHaveProperty('module')
    expect(payload.data).not.toHaveProperty('type_id')
  })

  it('should not fire for a v1 PATCH in 1.2 (makeplane/plane#6746)', async () => {
    const { sim, call, admin, projectPath, received, stateId } = setup('1.2')
    const created = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: { name: 'x' },
    })
    await sim.webhooks.settle()
    await call('PATCH', `${projectPath}/work-items/${created.body.id}/`, {
      key: admin.apiKey,
      body: { state: stateId('Done'), priority: 'high' },
    })
    await sim.webhooks.settle()
    expect(received.map((r) => JSON.parse(r.body).action)).toEqual(['created'])
  })

  it('should fire one delivery per changed key for a v1 PATCH in 1.3, with v1 keys', async () => {
    const { sim, call, admin, projectPath, received, stateId } = setup('1.3')
    const created = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: { name: 'x' },
    })
    await call('PATCH', `${projectPath}/work-items/${created.body.id}/`, {
      key: admin.apiKey,
      body: { state: stateId('Done'), priority: 'high', name: 'x', unknown: 1 },
    })
    await sim.webhooks.settle()
    const updates = received.map((r) => JSON.parse(r.body)).filter((p) => p.action === 'updated')
    expect(updates.map((p) => p.activity.field)).toEqual(['state', 'priority'])
    expect(updates[0].activity).toMatchObject({
      old_value: stateId('Backlog'),
      new_value: stateId('Done'),
    })
    expect(updates[1].activity).toMatchObject({ old_value: 'none', new_value: 'high' })
  })

  it('should fan a web-UI edit out per key with web keys, each carrying the newest full object', async () => {
    const { sim, admin, member, project, received, stateId } = setup()
    const item = sim.seed.workItem(project.id, { name: 'x', created_by: admin.id })
    await sim.ui.updateWorkItem(admin.id, item.id, {
      state_id: stateId('Done'),
      assignee_ids: [member.id],
      name: 'x',
    })
    await sim.ui.updateWorkItem(admin.id, item.id, { priority: 'urgent' })
    await sim.webhooks.settle()
    const payloads = received.map((r) => JSON.parse(r.body))
    expect(payloads.map((p) => p.activity.field)).toEqual(['state_id', 'assignee_ids', 'priority'])
    // data is read when the queued jobs run, so the first two already show the later priority.
    for (const payload of payloads) {
      expect(payload.data.priority).toBe('urgent')
      expect(payload.data.state.group).toBe('completed')
      expect(payload.data.completed_at).not.toBeNull()
    }
    expect(payloads[1].activity).toMatchObject({ old_value: [], new_value: [member.id] })
  })

  it('should never fire for issue deletes (makeplane/plane#8054), via v1 or the UI', async () => {
    const { sim, call, admin, project, projectPath, received } = setup('1.3')
    const a = sim.seed.workItem(project.id, { name: 'a', created_by: admin.id })
    const b = sim.seed.workItem(project.id, { name: 'b', created_by: admin.id })
    expect(
      (await call('DELETE', `${projectPath}/work-items/${a.id}/`, { key: admin.apiKey })).status
    ).toBe(204)
    await sim.ui.deleteWorkItem(admin.id, b.id)
    await sim.webhooks.settle()
    expect(received).toHaveLength(0)
  })

  it('should fire project created/updated/deleted for v1 writes, deleted with data {"id": …}', async () => {
    const { sim, call, admin, received } = setup()
    const created = await call('POST', '/api/v1/workspaces/javisi/projects/', {
      key: admin.apiKey,
      body: { name: 'Ops', identifier: 'OPS' },
    })
    const path = `/api/v1/workspaces/javisi/projects/${created.body.id}/`
    await call('PATCH', path, { key: admin.apiKey, body: { name: 'Operations', description: '' } })
    await call('DELETE', path, { key: admin.apiKey })
    await sim.webhooks.settle()
    const payloads = received.map((r) => JSON.parse(r.body))
    // The PATCH's data is read after the DELETE ran: the job finds no row and sends nothing.
    expect(payloads.map((p) => `${p.event}/${p.action}`)).toEqual(['project/deleted'])
    expect(payloads[0].data).toEqual({ id: created.body.id })
    expect(received[0]?.body).toContain('"data": {"id": ')
  })

  it('should send project created and updated when the jobs run before the delete', async () => {
    const { sim, call, admin, received } = setup()
    const created = await call('POST', '/api/v1/workspaces/javisi/projects/', {
      key: admin.apiKey,
      body: { name: 'Ops', identifier: 'OPS' },
    })
    await sim.webhooks.settle()
    await call('PATCH', `/api/v1/workspaces/javisi/projects/${created.body.id}/`, {
      key: admin.apiKey,
      body: { name: 'Operations', description: '' },
    })
    await sim.webhooks.settle()
    const payloads = received.map((r) => JSON.parse(r.body))
    expect(payloads.map((p) => `${p.action}:${p.activity.field}`)).toEqual([
      'created:null',
      'updated:name',
    ])
    expect(payloads[1].data.name).toBe('Operations')
    expect(payloads[1].data).not.toHaveProperty('total_members')
  })

  it('should fire issue_comment for v1 comment POST and PATCH but not DELETE', async () => {
    const { sim, call, admin, project, projectPath, received } = setup()
    const item = sim.seed.workItem(project.id, { name: 'x', created_by: admin.id })
    const comments = `${projectPath}/work-items/${item.id}/comments/`
    const created = await call('POST', comments, {
      key: admin.apiKey,
      body: { comment_html: '<p>hi</p>' },
    })
    expect(created.status).toBe(201)
    await sim.webhooks.settle()
    await call('PATCH', `${comments}${created.body.id}/`, {
      key: admin.apiKey,
      body: { comment_html: '<p>edited</p>' },
    })
    await sim.webhooks.settle()
    await call('DELETE', `${comments}${created.body.id}/`, { key: admin.apiKey })
    await sim.webhooks.settle()
    const payloads = received.map((r) => JSON.parse(r.body))
    expect(payloads.map((p) => `${p.event}/${p.action}`)).toEqual([
      'issue_comment/created',
      'issue_comment/updated',
    ])
    expect(payloads[1].activity).toMatchObject({
      field: 'comment_html',
      old_value: '<p>hi</p>',
      new_value: '<p>edited</p>',
    })
  })

  it('should honour the per-event toggles and is_active', async () => {
    const capture = captureFetch()
    const { sim, call, admin, projectPath } = seededSim({ webhookFetch: capture.fetchImpl })
    sim.webhooks.register({ url: 'https://a.example.com/hook', project: true })
    sim.webhooks.register({ url: 'https://b.example.com/hook', issue: true, is_active: false })
    await call('POST', `${projectPath}/work-items/`, { key: admin.apiKey, body: { name: 'x' } })
    await sim.webhooks.settle()
    expect(capture.received).toHaveLength(0)
  })

  it('should deliver queued jobs in a shuffled order when reorder is on', async () => {
    const capture = captureFetch()
    const { sim, admin, project } = seededSim({
      webhookFetch: capture.fetchImpl,
      reorder: true,
      random: () => 0,
    })
    sim.webhooks.register({ url: 'https://a.example.com/hook', issue: true })
    for (const name of ['a', 'b', 'c']) await sim.ui.createWorkItem(admin.id, project.id, { name })
    await sim.webhooks.settle()
    const names = capture.received.map((r) => JSON.parse(r.body).data.name)
    expect(names).toHaveLength(3)
    expect(names).not.toEqual(['a', 'b', 'c'])
  })
})
