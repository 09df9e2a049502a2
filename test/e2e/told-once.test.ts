/**
 * A change the bridge writes is a change, seen before or not (issue 28): on a fresh store, an agent finishes a
 * task that was already in progress when the bridge was deployed, through the tools alone; the human hears of
 * it once and the task waiting for it is released once, whether or not a poll happened to run first.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { telegramMessage } from '../../shared/notify/outbox.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { createMemoryStore } from '../../shared/store/store.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { CHAT_ID, sideRuntime, startE2E } from '../../sim/e2e/harness.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

async function start() {
  e2e = await startE2E({
    concierge: true,
    agentKeys: true,
  })
  const t = e2e
  const as = (agent: 'imhotep' | 'thot' | 'ra') => async (tool: string, input: unknown) => {
    const result = await callHttp(t.app, tool, t.bridgeTokens[agent] as string, input)
    if (result.status !== 200) throw new Error(`${tool}: ${JSON.stringify(result.body)}`)
    return result.body as Record<string, unknown> & { id: string; ref: string }
  }
  return { t, ra: as('ra'), imhotep: as('imhotep') }
}

const sent = (t: E2E) =>
  t.telegram
    .callsOf('sendMessage')
    .filter((c) => c.status === 200)
    .map((c) => String(c.params.text))
const wakesOf = (t: E2E, agent: string) =>
  t.openclaw.calls
    .filter(
      (c) =>
        c.path === '/hooks/agent' &&
        (c.body as { agentId?: string }).agentId === agent &&
        c.status >= 200 &&
        c.status < 300
    )
    .map((c) => String((c.body as { message?: string }).message))

describe('a completion made through the tools on a task the bridge never saw', () => {
  // Listing first reads the task into the bridge's index, and so into the pipeline; an agent that goes from its
  // wake straight to the work (the wake names the task) writes to a task the bridge has never read at all.
  it.each([
    { how: 'after listing its tasks', lists: true },
    { how: 'straight from its wake, without listing', lists: false },
  ])(
    'should tell the human once, with the confidence and the deliverable, and release the dependent once ($how)',
    async ({ lists }) => {
      const { t, ra, imhotep } = await start()
      // In progress before the deploy: no webhook, no poll has listed it.
      const onb1 = t.plane.seed.workItem(t.project.id, {
        name: 'Rédiger la FAQ',
        state: t.state('In Progress').id,
        assignees: [t.users.imhotep.id],
      })
      const onb5 = await ra('create_task', {
        project: 'ONB',
        title: 'Traduire la FAQ',
        assignee: 'thot',
        dependencies: ['ONB-1'],
      })
      await t.settle()
      expect(wakesOf(t, 'thot')).toHaveLength(1)

      if (lists) {
        const mine = await imhotep('list_my_tasks', {})
        expect(mine).toMatchObject({ count: 1, tasks: [{ ref: 'ONB-1', status: 'in_progress' }] })
      }
      await imhotep('start_timer', { task: 'ONB-1' })
      await imhotep('add_comment', { task: 'ONB-1', text: 'Première version prête.' })
      await imhotep('upload_deliverable', {
        task: 'ONB-1',
        filename: 'faq.md',
        content_base64: Buffer.from('# FAQ\n').toString('base64'),
      })
      await imhotep('stop_timer', { task: 'ONB-1' })
      const done = await imhotep('update_task_status', {
        task: 'ONB-1',
        status: 'done',
        summary: 'FAQ rédigée',
        confidence: 0.9,
      })
      expect(done).toMatchObject({ changed: true, previous_status: 'in_progress', status: 'done' })
      await t.settle()

      const completions = sent(t).filter((m) => m.includes('a terminé'))
      expect(completions).toHaveLength(1)
      expect(completions[0]).toContain('Rédiger la FAQ')
      expect(completions[0]).toContain('Confiance : 0,9')
      expect(completions[0]).toContain('faq.md')
      const released = () => wakesOf(t, 'thot').filter((m) => m.includes('débloquée'))
      expect(released()).toHaveLength(1)
      expect(released()[0]).toContain(`${onb5.ref} « Traduire la FAQ » est débloquée`)
      expect(wakesOf(t, 'thot')).toHaveLength(2)

      // A poll and the same call again see nothing new.
      await runPollCycle({ ...t.services, ...t.bridge })
      await imhotep('update_task_status', {
        task: onb1.id,
        status: 'done',
        summary: 'FAQ rédigée',
        confidence: 0.9,
      })
      await t.settle()
      expect(sent(t).filter((m) => m.includes('a terminé'))).toHaveLength(1)
      expect(released()).toHaveLength(1)
    }
  )
})

describe("the server's /ready and another process's contacts", () => {
  it('should show the wake a poll job delivered, with the time it was made', async () => {
    const { t } = await start()
    t.plane.seed.workItem(t.project.id, {
      name: 'Indexer la doc',
      state: t.state('Todo').id,
      assignees: [t.users.thot.id],
    })
    const ready = async () =>
      (await (await t.app.request('http://bridge.test/ready')).json()) as {
        integrations: Record<string, { ok: boolean; at: string }>
      }
    expect((await ready()).integrations.openclaw).toBeUndefined()

    // `npm run job -- poll` next to the server: its own runtime on the same store.
    const job = await sideRuntime(t, {
      store: t.services.store,
    })
    await runPollCycle({ ...job.services, ...job.bridge })
    await job.bridge.settle(5_000)
    await job.services.status.flush()
    await job.halt()
    expect(t.openclaw.calls.filter((c) => c.path === '/hooks/agent')).toHaveLength(1)

    const { integrations } = await ready()
    expect(integrations.openclaw).toMatchObject({ ok: true })
    expect(integrations['agent:thot']).toMatchObject({ ok: true })
    expect(integrations.plane).toMatchObject({ ok: true })
  })
})

describe('how soon a person hears of a change', () => {
  it('should tell a change made through a tool at once, without waiting out its window (issue 39)', async () => {
    // The bridge's clock: real time plus jumps; the chat's spacing moves it too (time injected, not slept).
    let offset = 0
    const now = () => Date.now() + offset
    e2e = await startE2E({
      agentKeys: true,
      now,
      sleep: async (ms) => {
        offset += ms
      },
      env: { NOTIFY_COALESCE_MS: '60000' },
    })
    const t = e2e
    t.plane.seed.workItem(t.project.id, {
      name: 'Mesurer',
      state: t.state('In Progress').id,
      assignees: [t.users.imhotep.id],
    })
    const done = await callHttp(t.app, 'update_task_status', t.bridgeTokens.imhotep as string, {
      task: 'ONB-1',
      status: 'done',
      summary: 'Fait.',
      confidence: 0.9,
    })
    expect(done.status).toBe(200)
    const told = () => sent(t).filter((m) => m.includes('a terminé')).length
    // What the notify step does when its timer fires: flush the windows that are due, send what they gave.
    const tick = async (ms: number) => {
      offset += ms
      await t.services.background.idle(5_000, { timers: false })
      await t.bridge.pipeline.flushDue()
      await t.bridge.sender.drain()
    }
    // Not a second of the 60 s window has passed: a write the bridge made and read back is a whole change.
    await tick(0)
    expect(told()).toBe(1)
    // Plane's echo of the write (v1.3 sends one) and the window's end tell nothing more.
    await t.plane.webhooks.settle()
    await tick(60_001)
    expect(told()).toBe(1)
  })

  it('should wake the agent of a task the Concierge creates for it at once, not after the window (issue 39)', async () => {
    let offset = 0
    e2e = await startE2E({
      concierge: true,
      now: () => Date.now() + offset,
      sleep: async (ms) => {
        offset += ms
      },
      env: { NOTIFY_COALESCE_MS: '60000' },
    })
    const t = e2e
    const created = await callHttp(t.app, 'create_task', t.bridgeTokens.ra as string, {
      project: 'ONB',
      title: 'Indexer les PDF',
      assignee: 'thot',
    })
    expect(created.status).toBe(200)
    // No time passes: what the background does after the answer (flush what is due, drain the lanes).
    await t.services.background.idle(5_000, { timers: false })
    await t.bridge.pipeline.flushDue()
    await t.bridge.sender.drain()
    expect(wakesOf(t, 'thot')).toHaveLength(1)
  })

  it('should still hold a change seen only in a webhook for its window, to merge Plane’s per-field storm', async () => {
    let offset = 0
    const now = () => Date.now() + offset
    e2e = await startE2E({
      now,
      sleep: async (ms) => {
        offset += ms
      },
      env: { NOTIFY_COALESCE_MS: '60000' },
    })
    const t = e2e
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Mesurer',
      state: t.state('In Progress').id,
      assignees: [t.users.imhotep.id],
    })
    const told = () => sent(t).filter((m) => m.includes('a terminé')).length
    const tick = async (ms: number) => {
      offset += ms
      await t.services.background.idle(5_000, { timers: false })
      await t.bridge.pipeline.flushDue()
      await t.bridge.sender.drain()
    }
    // The bridge has seen the task (its baseline); then a person moves it to Done in Plane's web UI.
    await t.settle()
    await t.plane.ui.updateWorkItem(t.users.imhotep.id, item.id, { state_id: t.state('Done').id })
    await t.plane.webhooks.settle()
    await tick(59_000)
    expect(told()).toBe(0)
    await tick(1_001)
    expect(told()).toBe(1)
  })
})

describe('one change, one message, however slow Plane is between its parts', () => {
  it('should tell a move to Blocked and its reason together even when the run card waits for Plane', async () => {
    let offset = 0
    e2e = await startE2E({
      now: () => Date.now() + offset,
      env: { NOTIFY_COALESCE_MS: '5000' },
    })
    const t = e2e
    await t.bridge.plane?.states.create(t.project.id, {
      name: 'Bloqué',
      group: 'started',
      color: '#e5484d',
    })
    t.plane.seed.workItem(t.project.id, {
      name: 'Migrer',
      state: t.state('In Progress').id,
      assignees: [t.users.imhotep.id],
    })
    // The run card is written after the ❌ comment and before the change is handed to the pipeline: Plane
    // answers it only after the window has long closed.
    let commentPosts = 0
    const card = t.plane.faults.holdWhen(
      (r) => r.method === 'POST' && r.path.endsWith('/comments/') && commentPosts++ === 1
    )
    const call = callHttp(t.app, 'update_task_status', t.bridgeTokens.imhotep as string, {
      task: 'ONB-1',
      status: 'blocked',
      reason: 'Il manque l’accès à la base.',
    })
    await card.reached
    offset += 60_000
    const flushing = (async () => {
      await t.bridge.pipeline.flushDue()
      await t.bridge.sender.drain()
    })()
    // On v1.2 nothing is due yet and the flush ends at once. On v1.3 the write's own webhook is in the window
    // and its flush waits for the tool to finish the task's write (its lock): it may only end after the release.
    await Promise.race([flushing, new Promise((resolve) => setTimeout(resolve, 200))])
    card.release()
    expect((await call).status).toBe(200)
    await flushing
    await t.bridge.pipeline.flushDue({ all: true })
    await t.bridge.sender.drain()
    const told = sent(t).filter((m) => m.includes('Migrer'))
    expect(told).toHaveLength(1)
    expect(told[0]).toContain('Il manque l’accès à la base.')
  })
})

describe('a job settling beside the server (virtual clock)', () => {
  it('should not send what the server is still sending, however far its own waits move the clock', async () => {
    let offset = 0
    const now = () => Date.now() + offset
    const sleep = async (ms: number) => {
      offset += Math.max(0, ms)
    }
    const store = createMemoryStore({ now })
    e2e = await startE2E({ now, sleep, store })
    const t = e2e
    await t.bridge.outbox.enqueue(telegramMessage(CHAT_ID, 'Un message en route', 'one-message'))
    // Telegram takes a moment (real time) to answer the server's send: its drain holds the lane meanwhile.
    t.telegram.faults.delayNext(1, 300)
    const sending = t.bridge.settle(30_000)
    while (t.telegram.calls.length === 0) await new Promise((r) => setTimeout(r, 5))
    const job = await sideRuntime(t, { now, sleep, store })
    try {
      // Each turn of the job's settle waits; on this clock a wait moves time on at once. The server's lease on
      // the lane is renewed in real time, so a settle that waited on the clock took the lane within milliseconds.
      await job.bridge.settle(30_000)
      await sending
    } finally {
      await job.halt()
    }
    const texts = t.telegram.callsOf('sendMessage').map((c) => String(c.params.text))
    expect(texts.filter((text) => text === 'Un message en route')).toHaveLength(1)
  })
})
