import { describe, expect, it } from 'vitest'
import { createPlaneSim, type PlaneSimOptions } from '../../sim/plane/index.ts'
import { createPlaneClient } from './client.ts'
import { PlaneUnsupportedError } from './errors.ts'
import { UNLIMITED_RATE } from './request-window.ts'
import { parsePlaneWebhook } from './webhook-parse.ts'
import { verifyPlaneSignature } from './webhook-signature.ts'

/** Project ONB with one work item, an admin client and an agent member. */
function setup(simOptions: PlaneSimOptions = {}) {
  const sim = createPlaneSim(simOptions)
  const admin = sim.seed.user({ role: 20, display_name: 'ada' })
  const agent = sim.seed.user({ display_name: 'agent-writer' })
  const project = sim.seed.project({ name: 'Onboarding', identifier: 'ONB', creator: admin.id })
  sim.seed.member(project.id, agent.id, 15)
  const item = sim.seed.workItem(project.id, { name: 'Write the guide' })
  const client = createPlaneClient({
    baseUrl: sim.baseUrl,
    apiKey: admin.apiKey,
    workspaceSlug: sim.workspaceSlug,
    fetch: sim.fetch,
    rateLimit: UNLIMITED_RATE,
  })
  return { sim, client, admin, agent, project, item }
}

describe('work item children against the simulator', () => {
  it('should write and read comments, links and activities', async () => {
    const { client, project, item } = setup()
    const comment = await client.comments.create(project.id, item.id, {
      comment_html: '<p>On it</p>',
    })
    await client.comments.update(project.id, item.id, comment.id, { comment_html: '<p>Done</p>' })
    const comments = await client.comments.list(project.id, item.id)
    expect(comments.map((c) => c.comment_html)).toEqual(['<p>Done</p>'])

    await client.links.create(project.id, item.id, {
      url: 'https://github.com/acme/guide/pull/1',
      title: 'PR',
    })
    expect((await client.links.list(project.id, item.id)).map((l) => l.url)).toEqual([
      'https://github.com/acme/guide/pull/1',
    ])

    await client.workItems.update(project.id, item.id, { priority: 'high' })
    const activities = await client.activities.list(project.id, item.id)
    expect(activities.truncated).toBe(false)
    expect(activities.results.some((a) => a.field === 'priority' && a.new_value === 'high')).toBe(
      true
    )
  })

  it('should resolve a repeated external-id comment to the existing one', async () => {
    const { sim, client, project, item } = setup()
    const input = {
      comment_html: '<p>status</p>',
      external_id: 'meta-1',
      external_source: 'plane-bridge',
    }
    const first = await client.comments.create(project.id, item.id, input)
    const again = await client.comments.create(project.id, item.id, input)
    expect(again.id).toBe(first.id)
    expect([...sim.state.comments.values()].filter((c) => c.external_id === 'meta-1')).toHaveLength(
      1
    )
  })

  it('should upload an attachment in three steps through the simulated bucket', async () => {
    const { sim, client, project, item } = setup()
    const uploaded = await client.attachments.upload(project.id, item.id, {
      name: 'notes.txt',
      type: 'text/plain',
      data: new TextEncoder().encode('hello plane'),
    })
    expect(uploaded).toMatchObject({ name: 'notes.txt', size: 11 })
    expect(sim.state.attachments.get(uploaded.id)).toMatchObject({
      is_uploaded: true,
      uploaded_bytes: 11,
    })
    const listed = await client.attachments.list(project.id, item.id)
    expect(listed.map((a) => a.id)).toEqual([uploaded.id])
    const bucketCall = sim.requests.find((r) => r.path === '/uploads')
    expect(bucketCall?.apiKey).toBeUndefined()
  })

  it('should say relations are unsupported on v1.2 and use them on v1.3', async () => {
    const old = setup()
    await expect(old.client.relations.list(old.project.id, old.item.id)).rejects.toBeInstanceOf(
      PlaneUnsupportedError
    )

    const { sim, client, project, item } = setup({ version: '1.3' })
    const other = sim.seed.workItem(project.id, { name: 'Set up the wiki' })
    await client.relations.create(project.id, item.id, {
      relation_type: 'blocked_by',
      issues: [other.id],
    })
    expect(await client.relations.list(project.id, item.id)).toMatchObject({
      blocked_by: [other.id],
    })
    expect(await client.relations.list(project.id, other.id)).toMatchObject({ blocking: [item.id] })
    expect(await client.capabilities()).toMatchObject({
      relations: true,
      descriptionField: 'description_json',
    })
  })
})

describe('planning and workspace objects against the simulator', () => {
  it('should list cycles, the current cycle and modules', async () => {
    const { sim, client, project } = setup()
    const day = 86_400_000
    const iso = (ms: number) => new Date(ms).toISOString()
    sim.seed.cycle(project.id, {
      name: 'Now',
      start_date: iso(Date.now() - day),
      end_date: iso(Date.now() + day),
    })
    sim.seed.cycle(project.id, {
      name: 'Later',
      start_date: iso(Date.now() + 10 * day),
      end_date: iso(Date.now() + 20 * day),
    })
    sim.seed.module(project.id, { name: 'Docs' })
    expect((await client.cycles.list(project.id)).map((c) => c.name).sort()).toEqual([
      'Later',
      'Now',
    ])
    expect((await client.cycles.list(project.id, { view: 'upcoming' })).map((c) => c.name)).toEqual(
      ['Later']
    )
    expect((await client.cycles.current(project.id)).map((c) => c.name)).toEqual(['Now'])
    expect((await client.modules.list(project.id)).map((m) => m.name)).toEqual(['Docs'])
  })

  it('should read one cycle with its counts as they are now', async () => {
    const { sim, client, project } = setup()
    const cycle = sim.seed.cycle(project.id, {
      name: 'Sprint',
      start_date: '2026-11-23T00:00:00Z',
      end_date: '2026-12-06T23:59:00Z',
    })
    const done = [...sim.state.states.values()].find(
      (s) => s.project === project.id && s.group === 'completed'
    )
    const items = [
      sim.seed.workItem(project.id, { name: 'A', state: done?.id ?? null }),
      sim.seed.workItem(project.id, { name: 'B' }),
    ]
    sim.seed.cycleItems(
      cycle.id,
      items.map((i) => i.id)
    )
    expect(await client.cycles.get(project.id, cycle.id)).toMatchObject({
      name: 'Sprint',
      start_date: '2026-11-23T00:00:00Z',
      total_issues: 2,
      completed_issues: 1,
      cancelled_issues: 0,
    })
  })

  it('should create states and labels, add project members and invite people', async () => {
    const { sim, client, project } = setup()
    const review = await client.states.create(project.id, {
      name: 'In Review',
      group: 'started',
      color: '#8B5CF6',
    })
    expect(review).toMatchObject({ name: 'In Review', group: 'started' })
    const label = await client.labels.create(project.id, { name: 'agent:writer', color: '#10B981' })
    expect((await client.labels.list(project.id)).map((l) => l.id)).toContain(label.id)

    const newcomer = sim.seed.user({ display_name: 'newcomer' })
    const membership = await client.projectMembers.add(project.id, {
      member: newcomer.id,
      role: 15,
    })
    expect(membership).toMatchObject({ role: 15 })
    expect((await client.projectMembers.list(project.id)).map((u) => u.id)).toContain(newcomer.id)

    await client.invitations.create({ email: 'new@example.com', role: 15 })
    expect((await client.invitations.list()).map((i) => i.email)).toEqual(['new@example.com'])
  })

  it('should verify and parse an issue_comment.created delivery', async () => {
    const { sim, client, project, item } = setup()
    const secret = 'plane_wh_00112233445566778899aabbccddeeff'
    sim.webhooks.register({
      url: 'https://bridge.example/webhooks/plane',
      secret,
      issue_comment: true,
    })
    const comment = await client.comments.create(project.id, item.id, {
      comment_html: '<p>Voilà</p>',
    })
    await sim.webhooks.settle()
    const delivery = sim.webhooks.deliveries.find((d) => d.event === 'issue_comment')
    if (!delivery) throw new Error('no comment delivery')
    const raw = new TextEncoder().encode(delivery.body)
    const headers = new Headers(delivery.headers)
    expect(await verifyPlaneSignature(raw, headers.get('x-plane-signature'), secret)).toBe(true)
    const event = parsePlaneWebhook(raw, headers)
    if (event.type !== 'issue_comment.created') throw new Error(`unexpected ${event.type}`)
    expect(event.data).toMatchObject({
      id: comment.id,
      issue: item.id,
      comment_html: '<p>Voilà</p>',
    })
  })
})
