import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPlaneSim, type PlaneSimOptions } from '../../sim/plane/index.ts'
import { createPlaneClient, type PlaneClientOptions } from './client.ts'
import { PlaneApiError } from './errors.ts'
import { UNLIMITED_RATE } from './request-window.ts'
import { parsePlaneWebhook } from './webhook-parse.ts'
import { verifyPlaneSignature } from './webhook-signature.ts'

/** A workspace with an admin (project creator), an agent member, an outsider, and project ONB. */
function setup(simOptions: PlaneSimOptions = {}, clientOptions: Partial<PlaneClientOptions> = {}) {
  const sim = createPlaneSim(simOptions)
  const admin = sim.seed.user({ role: 20, first_name: 'Ada', display_name: 'ada' })
  const agent = sim.seed.user({ first_name: 'Writer', display_name: 'agent-writer' })
  const outsider = sim.seed.user({ display_name: 'outsider' })
  const project = sim.seed.project({ name: 'Onboarding', identifier: 'ONB', creator: admin.id })
  sim.seed.member(project.id, agent.id, 15)
  const connect = (apiKey: string, extra: Partial<PlaneClientOptions> = {}) =>
    createPlaneClient({
      baseUrl: `${sim.baseUrl}/`,
      apiKey,
      workspaceSlug: sim.workspaceSlug,
      fetch: sim.fetch,
      rateLimit: UNLIMITED_RATE,
      ...clientOptions,
      ...extra,
    })
  return { sim, admin, agent, outsider, project, client: connect(admin.apiKey), connect }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('client against the Plane simulator', () => {
  it('should read the user, projects, states and labels', async () => {
    const { sim, client, admin, project } = setup()
    sim.seed.label(project.id, { name: 'docs', color: '#00f' })
    expect(await client.users.me()).toMatchObject({ id: admin.id, display_name: 'ada' })
    expect((await client.projects.list()).map((p) => p.identifier)).toEqual(['ONB'])
    expect((await client.states.list(project.id)).map((s) => s.group)).toEqual(
      expect.arrayContaining(['backlog', 'unstarted', 'started', 'completed', 'cancelled'])
    )
    expect((await client.labels.list(project.id)).map((l) => l.name)).toEqual(['docs'])
    expect((await client.members.list()).length).toBe(3)
  })

  it('should create, read by identifier, update and find work items', async () => {
    const { client, project, agent } = setup()
    const todo = (await client.states.list(project.id)).find((s) => s.name === 'Todo')
    const created = await client.workItems.create(project.id, {
      name: 'Write the guide',
      assignees: [agent.id],
      external_id: 'tg-1',
      external_source: 'telegram',
    })
    expect(created).toMatchObject({
      name: 'Write the guide',
      assignees: [agent.id],
      sequence_id: 1,
    })

    const byIdentifier = await client.workItems.getByIdentifier('onb-1', {
      expand: ['state', 'assignees'],
    })
    expect(byIdentifier.state).toMatchObject({ group: 'backlog' })
    expect(byIdentifier.assignees).toEqual([expect.objectContaining({ id: agent.id })])

    const updated = await client.workItems.update(project.id, created.id, {
      state: todo?.id,
      priority: 'high',
    })
    expect(updated).toMatchObject({ state: todo?.id, priority: 'high' })

    expect(
      await client.workItems.findByExternalId(project.id, {
        externalId: 'tg-1',
        externalSource: 'telegram',
      })
    ).toMatchObject({ id: created.id })
    expect(
      await client.workItems.findByExternalId(project.id, {
        externalId: 'tg-2',
        externalSource: 'telegram',
      })
    ).toBeNull()

    const partial = await client.workItems.get(project.id, created.id, { fields: ['name'] })
    expect(partial).toEqual({ id: created.id, name: 'Write the guide' })
  })

  it('should resolve a repeated external-id create to the existing item (409 with id)', async () => {
    const { sim, client, project } = setup()
    const input = { name: 'Guide', external_id: 'tg-9', external_source: 'telegram' }
    const first = await client.workItems.create(project.id, input)
    const again = await client.workItems.create(project.id, input)
    expect(again.id).toBe(first.id)
    expect(sim.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
      'POST 201',
      'POST 409',
      'GET 200',
    ])
    expect([...sim.state.issues.values()].filter((i) => i.external_id === 'tg-9')).toHaveLength(1)
  })

  it('should page through work items newest-updated first', async () => {
    const { sim, client, project } = setup()
    for (let i = 1; i <= 5; i++) sim.seed.workItem(project.id, { name: `item ${i}` })
    const result = await client.workItems.listAll(project.id, {
      perPage: 2,
      orderBy: 'sequence_id',
    })
    expect(result.results.map((w) => w.sequence_id)).toEqual([1, 2, 3, 4, 5])
    expect(result).toMatchObject({ truncated: false, pages: 3 })
    const capped = await client.workItems.listAll(project.id, { perPage: 2, pageCap: 2 })
    expect(capped).toMatchObject({ truncated: true, pages: 2 })
  })

  it('should type a bad key as auth and a non-member as forbidden', async () => {
    const { connect, outsider, project } = setup()
    const badKey = 'plane_api_00000000000000000000000000000000'
    const bad = await connect(badKey)
      .users.me()
      .catch((error: unknown) => error)
    expect(bad).toMatchObject({ kind: 'auth', status: 403 })
    expect(JSON.stringify(bad)).not.toContain(badKey)
    const denied = await connect(outsider.apiKey)
      .workItems.list(project.id)
      .catch((error: unknown) => error)
    expect(denied).toBeInstanceOf(PlaneApiError)
    expect(denied).toMatchObject({ kind: 'forbidden', status: 403 })
  })

  it('should not repeat a POST without external ids after a proxy error', async () => {
    vi.useFakeTimers()
    const { sim, client, project } = setup()
    sim.faults.failNext(1, 503)
    const outcome = client.workItems
      .create(project.id, { name: 'once' })
      .catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(await outcome).toMatchObject({ kind: 'unavailable', status: 503 })
    expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(sim.state.issues.size).toBe(0)
  })

  it('should ride out proxy errors, a hang and a 429 storm on reads', async () => {
    vi.useFakeTimers()
    const { sim, client } = setup({}, { timeoutMs: 2_000 })
    sim.faults.failNext(1, 502)
    sim.faults.hangNext(1)
    sim.faults.rateLimitStorm(1, 3)
    const started = Date.now()
    const outcome = client.users.me().catch((error: unknown) => error)
    // The sim hangs before it fails: hang cut at 2 s → 1 s → 502 → 5 s → 429 Retry-After 3 s → 200
    await vi.advanceTimersByTimeAsync(2_000 + 1_000 + 5_000 + 3_000)
    expect(await outcome).toMatchObject({ display_name: 'ada' })
    expect(Date.now() - started).toBe(11_000)
    expect(sim.requests.map((r) => r.status)).toEqual([499, 502, 429, 200])
  })

  it('should keep within Plane’s sliding window when its limit is the one Plane has: no 429', async () => {
    vi.useFakeTimers()
    const { sim, admin, connect } = setup({ rateLimitPerMinute: 3 })
    // A person's requests may fill the whole window (background work keeps a third of it free).
    const client = connect(admin.apiKey, {
      rateLimit: { requests: 3, windowMs: 60_000 },
    }).withPriority('human')
    const all = Promise.all([1, 2, 3, 4].map(() => client.users.me()))
    await vi.advanceTimersByTimeAsync(62_000)
    await all
    expect(sim.requests.map((r) => r.status)).toEqual([200, 200, 200, 200])
    // Three at once, the fourth when the first has left the window.
    const at = sim.requests.map((r) => r.at)
    expect(at[2]).toBe(at[0])
    expect((at[3] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(60_000)
  })

  it('should wait out a real 429 (another client spent the key) once, by its Retry-After', async () => {
    vi.useFakeTimers()
    const { sim, admin, connect } = setup({ rateLimitPerMinute: 3 })
    const client = connect(admin.apiKey, { rateLimit: { requests: 60, windowMs: 60_000 } })
    const all = Promise.all([1, 2, 3, 4].map(() => client.users.me()))
    await vi.advanceTimersByTimeAsync(62_000)
    await all
    // Four at once (the client's window has room); Plane refuses one, which is sent again once, after Retry-After.
    const statuses = sim.requests.map((r) => r.status)
    expect(statuses).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(1)
    expect(statuses.at(-1)).toBe(200)
  })

  it('should report CE v1.2 capabilities in 5 requests', async () => {
    const { sim, client, project } = setup()
    sim.seed.workItem(project.id, { name: 'probe target' })
    expect(await client.capabilities()).toEqual({
      relations: false,
      worklogs: false,
      customProperties: false,
      descriptionField: 'unknown',
    })
    expect(sim.requests).toHaveLength(5)
  })
})

describe('webhooks from the Plane simulator', () => {
  it('should verify and parse the issue.created delivery of a v1 POST', async () => {
    const { sim, client, project } = setup()
    const secret = 'plane_wh_0123456789abcdef0123456789abcdef'
    sim.webhooks.register({ url: 'https://bridge.example/webhooks/plane', secret, issue: true })
    const created = await client.workItems.create(project.id, { name: 'Café ☕ guide' })
    await sim.webhooks.settle()
    const delivery = sim.webhooks.deliveries[0]
    if (!delivery) throw new Error('no delivery')
    const raw = new TextEncoder().encode(delivery.body)
    const headers = new Headers(delivery.headers)
    expect(await verifyPlaneSignature(raw, headers.get('x-plane-signature'), secret)).toBe(true)
    expect(await verifyPlaneSignature(raw, headers.get('x-plane-signature'), `${secret}x`)).toBe(
      false
    )

    const event = parsePlaneWebhook(raw, headers)
    if (event.type !== 'issue.created') throw new Error(`unexpected ${event.type}`)
    expect(event.data).toMatchObject({
      id: created.id,
      name: 'Café ☕ guide',
      state: { group: 'backlog' },
    })
    expect(event.deliveryId).toBe(headers.get('x-plane-delivery'))
  })

  it('should verify and parse the per-field issue.updated deliveries of a v1.3 PATCH', async () => {
    const { sim, client, project } = setup({ version: '1.3' })
    const secret = 'plane_wh_fedcba9876543210fedcba9876543210'
    sim.webhooks.register({ url: 'https://bridge.example/webhooks/plane', secret, issue: true })
    const created = await client.workItems.create(project.id, { name: 'Guide' })
    await client.workItems.update(project.id, created.id, { priority: 'urgent', name: 'Guide v2' })
    await sim.webhooks.settle()

    const events = []
    for (const delivery of sim.webhooks.deliveries) {
      const raw = new TextEncoder().encode(delivery.body)
      const headers = new Headers(delivery.headers)
      expect(await verifyPlaneSignature(raw, headers.get('x-plane-signature'), secret)).toBe(true)
      events.push(parsePlaneWebhook(raw, headers))
    }
    const updates = events.filter((e) => e.type === 'issue.updated')
    // One delivery per changed key (makeplane/plane#7249), each with the full, current data.
    expect(updates.map((e) => e.activity?.field).sort()).toEqual(['name', 'priority'])
    for (const update of updates) {
      if (update.type !== 'issue.updated') continue
      expect(update.data).toMatchObject({ id: created.id, name: 'Guide v2', priority: 'urgent' })
    }
  })
})
