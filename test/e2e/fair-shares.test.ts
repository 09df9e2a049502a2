/**
 * Issue 39: no agent holds another, nor itself. One agent's burst (30 reads of one task and 30 listings at once,
 * Plane's throttle on) gets every call answered at once, 200 or 429 with Retry-After; the reads of one task in
 * flight share one Plane request; another agent's call is not held by it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { probeAtStart } from '../../shared/check/start-probe.ts'
import {
  createRequestWindow,
  DEFAULT_RATE_LIMIT,
  windowCeiling,
} from '../../shared/plane/request-window.ts'
import { callHttp, type HttpCall } from '../../sim/e2e/bridge-tools.ts'
import { CHAT_ID, startE2E } from '../../sim/e2e/harness.ts'
import { spendBridgeWindow } from '../../sim/e2e/key-window.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

describe('fair shares between agents (issue 39)', () => {
  it('should answer each call of a 60-call burst at once, 200 or 429 with Retry-After, sharing the task’s reads', async () => {
    e2e = await startE2E({ concierge: true, agentKeys: true })
    const t = e2e
    const created = await callHttp(t.app, 'create_task', t.bridgeTokens.ra as string, {
      project: 'ONB',
      title: 'Lire la spec',
      assignee: 'imhotep',
    })
    expect(created.status).toBe(200)
    const taskId = String(created.body.id)
    const commentReads = () =>
      t.plane.requests.filter(
        (r) => r.method === 'GET' && r.path.includes(taskId) && r.path.endsWith('/comments/')
      ).length
    const before = commentReads()
    const imhotep = (tool: string, input: unknown) =>
      callHttp(t.app, tool, t.bridgeTokens.imhotep as string, input)
    const burst: Array<Promise<HttpCall>> = []
    for (let i = 0; i < 30; i++) {
      burst.push(imhotep('get_task_details', { task: 'ONB-1' }))
      burst.push(imhotep('list_my_tasks', {}))
    }
    // Thot, during the burst: its own slots.
    const thot = await callHttp(t.app, 'list_my_tasks', t.bridgeTokens.thot as string, {})
    expect(thot.status).toBe(200)
    const answers = await Promise.all(burst)
    const statuses = answers.map((a) => a.status)
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true)
    const refused = answers.filter((a) => a.status === 429)
    // At most 4 run at once and 8 wait: most of the 60 are told to come back.
    expect(refused.length).toBeGreaterThan(0)
    for (const answer of refused) {
      expect(answer.headers.get('retry-after')).toBe('2')
      expect(answer.body).toMatchObject({
        error: 'rate_limited',
        message: expect.stringContaining('AGENT_CALLS_IN_FLIGHT'),
        retry_after_seconds: 2,
      })
    }
    const read = answers.filter(
      (a) => a.status === 200 && (a.body as { ref?: string }).ref === 'ONB-1'
    ).length
    expect(read).toBeGreaterThan(1)
    // The details that were read shared their comment reads: fewer requests than answers.
    expect(commentReads() - before).toBeLessThan(read)
  })

  it('should forget what it shared of a task once a comment is written on it', async () => {
    e2e = await startE2E({ concierge: true, agentKeys: true })
    const t = e2e
    await callHttp(t.app, 'create_task', t.bridgeTokens.ra as string, {
      project: 'ONB',
      title: 'Lire la spec',
      assignee: 'imhotep',
    })
    const details = async () =>
      (
        await callHttp(t.app, 'get_task_details', t.bridgeTokens.imhotep as string, {
          task: 'ONB-1',
        })
      ).body as { comments: Array<{ text: string }> }
    expect((await details()).comments.map((c) => c.text)).toEqual([])
    const said = await callHttp(t.app, 'add_comment', t.bridgeTokens.imhotep as string, {
      task: 'ONB-1',
      text: 'Spec lue, je commence.',
    })
    expect(said.status).toBe(200)
    expect((await details()).comments.map((c) => c.text)).toEqual([
      expect.stringContaining('Spec lue, je commence.'),
    ])
  })

  it('should answer /plane status without waiting when background work has filled its share of the window', async () => {
    const waits: number[] = []
    let offset = 0
    e2e = await startE2E({
      // Every wait for the key's window is recorded, and moves the bridge's clock instead of sleeping.
      now: () => Date.now() + offset,
      sleep: async (ms) => {
        waits.push(ms)
        offset += ms
      },
    })
    const t = e2e
    t.plane.seed.workItem(t.project.id, {
      name: 'Configurer Redis',
      state: t.state('In Progress').id,
      assignees: [t.users.imhotep.id],
    })
    // A poll beside the server (another process on the same store) has started all it may of the bridge key's
    // window: what is left is the share kept for people and agents.
    const poll = createRequestWindow({
      apiKey: t.users.bridge.apiKey,
      limit: DEFAULT_RATE_LIMIT,
      shared: t.services.store,
      now: t.services.now,
    })
    for (let i = 0; i < windowCeiling('background', DEFAULT_RATE_LIMIT.requests); i++)
      await poll.acquire('background')
    const update = t.telegram.makeMessageUpdate({ text: '/plane status', chatId: Number(CHAT_ID) })
    expect(await t.postTelegram(update)).toBe(200)
    await t.services.background.idle(10_000, { timers: false })
    await t.bridge.sender.drain()
    const replies = t.telegram.callsOf('sendMessage').filter((c) => c.status === 200)
    expect(replies.map((c) => String(c.params.text)).join('\n')).toContain('Configurer Redis')
    // The reply's reads went first: not one of them waited for the window.
    expect(waits.filter((ms) => ms >= 1000)).toEqual([])
  })

  it('should create a task at once when agents’ work has filled the bridge key’s share: states and labels on the Concierge’s key', async () => {
    const waits: number[] = []
    let offset = 0
    e2e = await startE2E({
      concierge: true,
      agentKeys: true,
      // Every wait for a key's window is recorded, and moves the bridge's clock instead of sleeping.
      now: () => Date.now() + offset,
      sleep: async (ms) => {
        waits.push(ms)
        offset += ms
      },
    })
    const t = e2e
    // The server has started: its probe listed the workspace (the directory's listing too).
    await probeAtStart({ ...t.services, ...t.bridge })
    // The agents bench's busy minute: a poll and agents' reads have started all an agent may of the bridge key.
    await spendBridgeWindow(t, 'agent', t.services.now)
    const before = t.plane.requests.length
    const created = await callHttp(t.app, 'create_task', t.bridgeTokens.ra as string, {
      project: 'ONB',
      title: 'Lire la spec',
      assignee: 'imhotep',
      labels: ['spec'],
    })
    expect(created).toMatchObject({
      status: 200,
      body: { ref: 'ONB-1', labels: expect.arrayContaining(['agent:imhotep', 'spec']) },
    })
    // Before: the project's states and labels (and the missing labels made) went on the bridge's key and waited
    // for its window to slide (6 s in the agents bench's full plan, 49 s in its quick plan).
    expect(waits.filter((ms) => ms >= 1000)).toEqual([])
    const setUp = t.plane.requests
      .slice(before)
      .filter((r) => /\/(states|labels)\/$/.test(r.path))
      .map(
        (r) =>
          `${r.apiKey === t.users.ra?.apiKey ? 'ra' : 'other'} ${r.method} ${r.path.split('/').at(-2)}`
      )
    expect(setUp).toEqual(
      expect.arrayContaining(['ra GET states', 'ra GET labels', 'ra POST labels'])
    )
    expect(setUp.filter((r) => !r.startsWith('ra '))).toEqual([])
  })

  it('should make the labels with the bridge’s key in a project the Concierge is not a member of', async () => {
    e2e = await startE2E({ concierge: true, agentKeys: true })
    const t = e2e
    const ops = t.plane.seed.project({ name: 'Ops', identifier: 'OPS', creator: t.users.bridge.id })
    for (const user of [t.users.bridge, t.users.imhotep]) t.plane.seed.member(ops.id, user.id, 15)
    t.plane.seed.label(ops.id, { name: 'agent:imhotep' })
    const before = t.plane.requests.length
    const created = await callHttp(t.app, 'create_task', t.bridgeTokens.ra as string, {
      project: 'OPS',
      title: 'Surveiller les sauvegardes',
      assignee: 'imhotep',
    })
    // Plane lists Ra no label there (not a 403) and will not show it the one its name clashes with: the labels
    // are read again with the bridge's key. The task itself is Ra's to write, and Plane refuses it: said so.
    const labelRequests = t.plane.requests
      .slice(before)
      .filter((r) => r.path.includes(`/projects/${ops.id}/labels/`))
      .map((r) => `${r.apiKey === t.users.ra?.apiKey ? 'ra' : 'bridge'} ${r.method} ${r.status}`)
    expect(labelRequests).toEqual([
      'ra GET 200',
      'ra GET 200',
      'ra POST 409',
      'ra GET 404',
      'bridge GET 200',
    ])
    expect(created).toMatchObject({
      status: 502,
      body: { message: expect.stringContaining('lacks the role or membership') },
    })
    const labels = [...t.plane.state.labels.values()]
      .filter((l) => l.project === ops.id && !l.deleted_at)
      .map((l) => l.name)
    expect(labels).toEqual(['agent:imhotep'])
  })

  it('should group one agent’s messages past its share: 60 errors in a minute, at most 10 messages, each counted', async () => {
    let offset = 0
    e2e = await startE2E({
      concierge: true,
      agentKeys: true,
      // Plane's throttle is not what this test is about (the simulator's clock is real time, the bridge's virtual).
      plane: { rateLimitPerMinute: 1_000_000 },
      env: { PLANE_API_RATE_LIMIT: '1000000/minute' },
      now: () => Date.now() + offset,
      sleep: async (ms) => {
        offset += ms
      },
    })
    const t = e2e
    for (let i = 1; i <= 3; i++)
      await callHttp(t.app, 'create_task', t.bridgeTokens.ra as string, {
        project: 'ONB',
        title: `Tâche ${i}`,
        assignee: 'imhotep',
      })
    await t.services.background.idle(5_000, { timers: false })
    await t.bridge.sender.drain()
    const before = t.telegram.callsOf('sendMessage').filter((c) => c.status === 200).length
    // 60 errors, a second apart, over the three tasks.
    for (let i = 0; i < 60; i++) {
      const said = await callHttp(t.app, 'add_comment', t.bridgeTokens.imhotep as string, {
        task: `ONB-${(i % 3) + 1}`,
        kind: 'error',
        text: `Échec n°${i + 1}`,
      })
      if (said.status !== 200) throw new Error(JSON.stringify(said.body))
      offset += 1_000
      await t.services.background.idle(5_000, { timers: false })
    }
    // The window's end: the grouped message goes (what the lane's timer does then, on the bridge's clock).
    offset += 120_000
    for (let round = 0; round < 3; round++) {
      await t.services.background.idle(5_000, { timers: false })
      await t.bridge.pipeline.flushDue()
      await t.bridge.sender.drain()
    }
    const messages = t.telegram
      .callsOf('sendMessage')
      .filter((c) => c.status === 200)
      .slice(before)
      .map((c) => String(c.params.text))
    expect(messages.length).toBeLessThanOrEqual(10)
    const grouped = messages.filter((m) => m.startsWith('📦'))
    expect(grouped.length).toBeGreaterThan(0)
    // Every error is in a message: on its own, or counted (and shown) in a grouped one.
    const alone = messages.filter((m) => !m.startsWith('📦')).length
    const counted = grouped
      .map((m) => Number(/ : (\d+) messages? de plus/.exec(m)?.[1] ?? 0))
      .reduce((a, b) => a + b, 0)
    expect(alone + counted).toBe(60)
    for (let i = 1; i <= 60; i++)
      expect(messages.some((m) => m.includes(`Échec n°${i}`) || /et \d+ autres?/.test(m))).toBe(
        true
      )
  })
})
