/**
 * Agent runs end to end (Plane v1.2 and OpenClaw simulators, a test clock for the bridge): verified wakes,
 * stale runs, a reassignment mid-run, a dependency finished, a fresh deploy on a backlog, a run taken up before the
 * first poll found its task cancelled, a new project.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { runRecordKey } from '../../shared/runs/records.ts'
import { DUE_SET, staleMember } from '../../shared/runs/tracker-kit.ts'
import type { RunRecord } from '../../shared/runs/types.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { startE2E } from '../../sim/e2e/harness.ts'
import { makeServices } from '../../sim/e2e/services.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

const MINUTE = 60_000

async function start(options: Parameters<typeof startE2E>[0] = {}) {
  // Real time plus a jump: coalescing delays and retries still come due on their own.
  let offset = 0
  e2e = await startE2E({
    concierge: true,
    now: () => Date.now() + offset,
    ...options,
    // Plane's throttle counts on the same clock: a jump frees its window as it frees the bridge's.
    plane: { now: () => Date.now() + offset, ...options.plane },
    env: { ...options.env },
  })
  const t = e2e
  const as = (agent: 'imhotep' | 'thot' | 'ra') => async (tool: string, input: unknown) => {
    const result = await callHttp(t.app, tool, t.bridgeTokens[agent] as string, input)
    if (result.status !== 200) throw new Error(`${tool}: ${JSON.stringify(result.body)}`)
    return result.body as Record<string, unknown> & { id: string }
  }
  return {
    t,
    now: () => Date.now() + offset,
    /** Move the bridge's clock on and do nothing else (a process that is not running). */
    advance(ms: number) {
      offset += ms
    },
    ra: as('ra'),
    imhotep: as('imhotep'),
    thot: as('thot'),
    /** Move the bridge's clock on, then let deadlines, windows and the outbox run. */
    async later(ms: number) {
      offset += ms
      await t.settle()
    },
  }
}

/** Wakes OpenClaw answered 2xx (admitted), and every attempt including refused ones. */
const wakesTo = (t: E2E, agent: string, { admitted = true } = {}) =>
  t.openclaw.calls.filter(
    (c) =>
      c.path === '/hooks/agent' &&
      (c.body as { agentId?: string }).agentId === agent &&
      (!admitted || (c.status >= 200 && c.status < 300))
  )
const messageOf = (call: { body: unknown }) => String((call.body as { message?: string }).message)
const sent = (t: E2E) =>
  t.telegram
    .callsOf('sendMessage')
    .filter((c) => c.status === 200)
    .map((c) => String(c.params.text))
const record = (t: E2E, taskId: string) => t.services.store.get<RunRecord>(runRecordKey(taskId))

describe('agent runs: verified wakes', () => {
  it('should wake an agent that never answers exactly 3 times, then tell the human and the Concierge once', async () => {
    const { t, ra, later } = await start()
    const task = await ra('create_task', { project: 'ONB', title: 'Indexer', assignee: 'imhotep' })
    await t.settle()
    expect(wakesTo(t, 'imhotep')).toHaveLength(1)

    await later(2 * MINUTE + 1000)
    expect(wakesTo(t, 'imhotep')).toHaveLength(2)
    expect(messageOf(wakesTo(t, 'imhotep')[1]!)).toMatch(/^Rappel \(2\/3\)/)
    await later(2 * MINUTE + 1000)
    expect(wakesTo(t, 'imhotep')).toHaveLength(3)
    // One Idempotency-Key per (task, agent, attempt).
    const keys = wakesTo(t, 'imhotep').map((c) => c.idempotencyKey)
    expect(new Set(keys).size).toBe(3)
    expect(keys.map((k) => k?.split(':').at(-1))).toEqual(['1', '2', '3'])

    await later(2 * MINUTE + 1000)
    await later(10 * MINUTE)
    expect(wakesTo(t, 'imhotep')).toHaveLength(3)
    const told = sent(t).filter((m) => m.includes('ne répond pas'))
    expect(told).toHaveLength(1)
    expect(told[0]).toContain('<b>Imhotep</b> ne répond pas pour')
    expect(told[0]).toContain('ONB-1 « Indexer »')
    expect(told[0]).toContain('(3 réveils sans réponse)')
    const concierge = wakesTo(t, 'ra').map(messageOf)
    expect(concierge.filter((m) => m.includes('Imhotep ne répond pas pour ONB-1'))).toHaveLength(1)
    expect((await record(t, task.id))?.state).toBe('pending')
  })

  it('should tell the human of an agent’s unanswered wakes past its share in one grouped message (issue 39)', async () => {
    const { t, ra, later, advance } = await start({
      env: { AGENT_MESSAGES_PER_WINDOW: '2' },
      // The chat's and the agent's one-a-second spacing moves the clock instead of waiting 18 wakes out.
      sleep: async (ms) => advance(ms),
    })
    for (let i = 1; i <= 6; i++)
      await ra('create_task', { project: 'ONB', title: `Tâche ${i}`, assignee: 'imhotep' })
    await t.settle()
    // Three wakes each, two minutes apart; then the window of the last alert ends.
    for (let i = 0; i < 4; i++) await later(2 * MINUTE + 1000)
    await later(3 * MINUTE)
    const alerts = sent(t).filter((m) => m.includes('ne répond pas'))
    const grouped = alerts.filter((m) => m.startsWith('📦'))
    // Two on their own, the other four in one message that counts them.
    expect(alerts.length - grouped.length).toBe(2)
    expect(grouped).toHaveLength(1)
    expect(grouped[0]).toContain('<b>Imhotep</b> : 4 messages de plus')
    for (let i = 1; i <= 6; i++) expect(alerts.some((m) => m.includes(`« Tâche ${i} »`))).toBe(true)
    // Eighteen wakes and fifteen minutes of settling: ~3 s alone, past 20 s when the whole suite shares two cores.
  }, 90_000)

  it('should stop waking an agent that answers the second wake, and tell nobody', async () => {
    const { t, ra, thot, later } = await start()
    const task = await ra('create_task', { project: 'ONB', title: 'Traduire', assignee: 'thot' })
    await t.settle()
    await later(2 * MINUTE + 1000)
    expect(wakesTo(t, 'thot')).toHaveLength(2)
    await thot('get_task_details', { task: 'ONB-1' })
    await later(2 * MINUTE + 1000)
    await later(10 * MINUTE)
    expect(wakesTo(t, 'thot')).toHaveLength(2)
    expect(sent(t).filter((m) => m.includes('ne répond pas'))).toEqual([])
    // A read answers the wake; it starts nothing.
    expect((await record(t, task.id))?.state).toBe('seen')
    // The check-in shows in /metrics.
    const metrics = await (await t.app.request('http://bridge.test/metrics')).text()
    expect(metrics).toMatch(/plane_bridge_wake_checkin_seconds_count 1$/m)
  })

  it('should retry a wake OpenClaw refused (401), deliver it, and make its runId the session', async () => {
    const { t, ra, later } = await start()
    t.openclaw.faults.failNext(1, 401)
    const task = await ra('create_task', { project: 'ONB', title: 'Publier', assignee: 'imhotep' })
    await t.settle()
    expect(wakesTo(t, 'imhotep', { admitted: false }).map((c) => c.status)).toEqual([401])
    expect(wakesTo(t, 'imhotep')).toHaveLength(0)

    await later(2 * MINUTE + 1000)
    const admitted = wakesTo(t, 'imhotep')
    expect(admitted).toHaveLength(1)
    const run = t.openclaw.runs.find((r) => r.idempotencyKey === admitted[0]?.idempotencyKey)
    expect(run).toBeDefined()
    expect((await record(t, task.id))?.sessionId).toBe(run?.runId)
    expect(sent(t).filter((m) => m.includes('ne répond pas'))).toEqual([])
    // A refused token is told to the human when it happens, not only after three attempts.
    expect(sent(t).filter((m) => m.includes('OPENCLAW_HOOKS_TOKEN'))).toHaveLength(1)
  })

  it('should report a wrong hooks token as exactly that: at once, then after the last attempt', async () => {
    const { t, ra, later } = await start({
      env: { OPENCLAW_HOOKS_TOKEN: 'not-the-hooks-token-0123456789abcdef' },
    })
    await ra('create_task', { project: 'ONB', title: 'Publier', assignee: 'imhotep' })
    await t.settle()
    const refused = () => sent(t).filter((m) => m.startsWith('⚠️'))
    expect(refused()).toEqual([
      "⚠️ Les agents ne peuvent pas être réveillés : OpenClaw refuse le jeton OPENCLAW_HOOKS_TOKEN (401) ; il doit être égal à hooks.token dans la configuration d'OpenClaw.",
    ])
    for (let i = 0; i < 3; i++) await later(2 * MINUTE + 1000)
    const attempts = wakesTo(t, 'imhotep', { admitted: false })
    expect(attempts).toHaveLength(3)
    expect(attempts.every((c) => c.status === 401)).toBe(true)
    const told = sent(t).filter((m) => m.startsWith('🔕'))
    expect(told).toHaveLength(1)
    expect(told[0]).toContain("<b>Imhotep</b> n'a pas pu être réveillé pour")
    expect(told[0]).toContain('(3 essais) : OpenClaw refuse le jeton OPENCLAW_HOOKS_TOKEN (401)')
    expect(told[0]).not.toContain('ne répond pas')
    expect(refused()).toHaveLength(1)
    // Not through the same refusing OpenClaw: the Concierge is not tried.
    expect(wakesTo(t, 'ra', { admitted: false })).toEqual([])
    const response = await t.app.request('http://bridge.test/ready')
    const ready = (await response.json()) as {
      status: string
      reasons: string[]
      integrations: Record<string, { ok: boolean; detail?: string }>
    }
    expect(ready.integrations.openclaw).toMatchObject({
      ok: false,
      detail: expect.stringContaining('401 auth'),
    })
    // Degraded, not down: the probe answers 200 and says why.
    expect(response.status).toBe(200)
    expect(ready.status).toBe('degraded')
    expect(ready.reasons).toContain(`openclaw: ${ready.integrations.openclaw?.detail}`)
    expect(ready.reasons.some((r) => /^\d+ dead letters? in the outbox$/.test(r))).toBe(true)
    expect(JSON.stringify(t.services.logs)).not.toContain('not-the-hooks-token')
  })
})

describe('agent runs: deadlines across a restart', () => {
  it('should act on a wake deadline the dead process left, from the notify cron of a new one', async () => {
    const { t, ra, now, advance } = await start()
    await ra('create_task', { project: 'ONB', title: 'Reprendre', assignee: 'imhotep' })
    await t.settle()
    expect(wakesTo(t, 'imhotep')).toHaveLength(1)
    // The process dies (its timers with it); the check-in window passes while nothing runs.
    t.services.background.stop()
    advance(2 * MINUTE + 1000)
    const { config } = t.services
    const fresh = makeServices({
      functions,
      agents: t.services.agents,
      store: t.services.store,
      now,
      env: {
        PLANE_BASE_URL: config.PLANE_BASE_URL,
        PLANE_API_KEY: config.PLANE_API_KEY,
        PLANE_WORKSPACE_SLUG: config.PLANE_WORKSPACE_SLUG,
        TELEGRAM_BOT_TOKEN: config.TELEGRAM_BOT_TOKEN,
        TELEGRAM_CHAT_ID: config.TELEGRAM_CHAT_ID,
        TELEGRAM_API_BASE: config.TELEGRAM_API_BASE,
        OPENCLAW_HOOKS_URL: config.OPENCLAW_HOOKS_URL,
        OPENCLAW_HOOKS_TOKEN: config.OPENCLAW_HOOKS_TOKEN,
      },
    })
    try {
      const notify = functions.find((f) => f.name === 'notify')
      if (!notify || notify.kind === 'http') throw new Error('notify is not registered')
      const result = await executeJob(notify, fresh.root, { trigger: 'cli' })
      expect(result).toMatchObject({ outcome: 'ok' })
      // The cron's pass or the new process's first flush, whichever comes first: the reminder goes once.
      await fresh.background.idle(2000)
      expect(wakesTo(t, 'imhotep')).toHaveLength(2)
      expect(messageOf(wakesTo(t, 'imhotep')[1]!)).toMatch(/^Rappel \(2\/3\)/)
    } finally {
      fresh.background.stop()
      await fresh.background.idle(2000)
    }
  })
})

describe('agent runs: stale, reassigned, unblocked', () => {
  it('should mark an active run stale after the window, tell the human once, and revive it on a tool call', async () => {
    const { t, ra, imhotep, later } = await start()
    const task = await ra('create_task', { project: 'ONB', title: 'Migrer', assignee: 'imhotep' })
    await imhotep('update_task_status', { task: 'ONB-1', status: 'in_progress' })
    await t.settle()
    expect((await record(t, task.id))?.state).toBe('active')

    await later(29 * MINUTE)
    expect((await record(t, task.id))?.state).toBe('active')
    await later(2 * MINUTE)
    expect((await record(t, task.id))?.state).toBe('stale')
    await later(40 * MINUTE)
    const stale = sent(t).filter((m) => m.includes('ne donne plus de nouvelles'))
    expect(stale).toHaveLength(1)
    expect(stale[0]).toContain('<b>Imhotep</b> ne donne plus de nouvelles sur')
    const card = [...t.plane.state.comments.values()].find(
      (c) => c.issue === task.id && String(c.comment_html).includes('Fiche d’exécution')
    )
    expect(String(card?.comment_html)).toContain('sans nouvelles')

    await imhotep('add_comment', { task: 'ONB-1', text: 'Migration à 60 %.' })
    expect((await record(t, task.id))?.state).toBe('active')
  })

  it('should hold a run awaiting while its question waits, never stale, until the agent goes on', async () => {
    const { t, ra, imhotep, later } = await start()
    const task = await ra('create_task', { project: 'ONB', title: 'Choisir', assignee: 'imhotep' })
    await imhotep('update_task_status', { task: 'ONB-1', status: 'in_progress' })
    await imhotep('add_comment', { task: 'ONB-1', kind: 'question', text: 'Quelle licence ?' })
    expect((await record(t, task.id))?.state).toBe('awaiting')
    await later(45 * MINUTE)
    expect((await record(t, task.id))?.state).toBe('awaiting')
    expect(sent(t).filter((m) => m.includes('ne donne plus de nouvelles'))).toEqual([])
    await imhotep('update_task_status', { task: 'ONB-1', status: 'in_progress' })
    expect((await record(t, task.id))?.state).toBe('active')
  })

  it('should count a run made active again as quiet from then, and tell each staleness (issue 44)', async () => {
    const { t, ra, imhotep, later, now } = await start()
    const task = await ra('create_task', { project: 'ONB', title: 'Trancher', assignee: 'imhotep' })
    await imhotep('update_task_status', { task: 'ONB-1', status: 'in_progress' })
    await later(31 * MINUTE)
    expect((await record(t, task.id))?.state).toBe('stale')
    // The run is taken up again without a call of its agent (a deploy adopting a task in progress: state active, its
    // last activity as it was, a stale deadline a window away), as runs/assignments.ts does.
    await t.bridge.runs?.update(
      { id: task.id, projectId: task.project_id as string, ref: 'ONB-1' },
      (r) => ({ ...r, state: 'active' }),
      { agentName: 'Imhotep', card: false }
    )
    await t.services.store.sortedAdd(DUE_SET, staleMember(task.id), now() + 30 * MINUTE)
    await later(20 * MINUTE)
    expect((await record(t, task.id))?.state).toBe('active')
    await later(15 * MINUTE)
    expect((await record(t, task.id))?.state).toBe('stale')
    // Quiet since it was taken up: its staleness is a new one, told like the first (it was logged and told to
    // no one, under the first one's key).
    expect(sent(t).filter((m) => m.includes('ne donne plus de nouvelles'))).toHaveLength(2)
  })

  it('should tell the first agent to stop and wake the second when a task is reassigned mid-run', async () => {
    const { t, ra, imhotep } = await start()
    const task = await ra('create_task', { project: 'ONB', title: 'Rédiger', assignee: 'imhotep' })
    await imhotep('update_task_status', { task: 'ONB-1', status: 'in_progress' })
    await t.settle()
    // A person reassigns it in Plane's UI (a webhook).
    await t.plane.ui.updateWorkItem(t.users.bridge.id, task.id, {
      assignee_ids: [t.users.thot.id],
    })
    await t.settle()

    const stops = wakesTo(t, 'imhotep')
      .map(messageOf)
      .filter((m) => m.startsWith('Arrête'))
    expect(stops).toHaveLength(1)
    expect(stops[0]).toContain('ONB-1 « Rédiger » : elle a été confiée à Thot')
    const thotWakes = wakesTo(t, 'thot').map(messageOf)
    expect(thotWakes).toHaveLength(1)
    expect(thotWakes[0]).toContain('ONB-1 « Rédiger »')

    const after = await record(t, task.id)
    expect(after).toMatchObject({ agentId: 'thot', state: 'pending' })
    expect(after?.previous).toEqual([
      expect.objectContaining({ agentId: 'imhotep', state: 'cancelled', reason: 'reassigned' }),
    ])
    const card = [...t.plane.state.comments.values()].find(
      (c) => c.issue === task.id && String(c.comment_html).includes('Fiche d’exécution')
    )
    expect(String(card?.comment_html)).toMatch(/Avant<\/strong> : Imhotep \(annulée, réassignée/)
  })

  it('should wake the dependent task’s agent once when its last dependency is done', async () => {
    // Each agent writes with its own key: the bridge's 60 requests a minute are for the bridge.
    const { t, ra, imhotep, thot, advance } = await start({ agentKeys: true })
    await ra('create_task', { project: 'ONB', title: 'Schéma', assignee: 'thot' })
    await ra('create_task', { project: 'ONB', title: 'Données', assignee: 'thot' })
    await ra('create_task', {
      project: 'ONB',
      title: 'Import',
      assignee: 'imhotep',
      dependencies: ['ONB-1', 'ONB-2'],
    })
    await t.settle()
    const unblocked = () =>
      wakesTo(t, 'imhotep')
        .map(messageOf)
        .filter((m) => m.includes('débloquée'))
    for (const ref of ['ONB-1', 'ONB-2']) {
      await thot('update_task_status', { task: ref, status: 'in_progress' })
      await thot('update_task_status', {
        task: ref,
        status: 'done',
        summary: 'Fait.',
        confidence: 0.9,
      })
      await t.settle()
      expect(unblocked()).toHaveLength(ref === 'ONB-1' ? 0 : 1)
    }
    expect(unblocked()[0]).toContain('ONB-3 « Import » est débloquée')
    // The webhook echo and the next poll see the same completion: still one wake.
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(unblocked()).toHaveLength(1)
    // A minute later the agent starts it. (The session above spends the bridge's whole minute on v1.3, where
    // each write comes back as a webhook and each gate reads Plane's relations.)
    advance(60_000)
    await imhotep('update_task_status', { task: 'ONB-3', status: 'in_progress' })
  })
})

describe('agent runs: deploy and new projects', () => {
  it('should adopt started tasks and wake each unstarted one once on a fresh deploy', async () => {
    const { t } = await start()
    const seed = (name: string, state: string, who: string) =>
      t.plane.seed.workItem(t.project.id, { name, state: t.state(state).id, assignees: [who] })
    const started = seed('Déjà en cours', 'In Progress', t.users.imhotep.id)
    seed('À faire 1', 'Todo', t.users.imhotep.id)
    seed('À faire 2', 'Todo', t.users.thot.id)
    seed('Finie', 'Done', t.users.thot.id)

    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    const all = t.openclaw.calls.filter((c) => c.path === '/hooks/agent').map(messageOf)
    expect(all).toHaveLength(2)
    expect(all.some((m) => m.includes('À faire 1'))).toBe(true)
    expect(all.some((m) => m.includes('À faire 2'))).toBe(true)
    expect(await record(t, started.id)).toMatchObject({ agentId: 'imhotep', state: 'active' })
  })

  it("should wake an agent for a task given now before its deploy's backlog, not after it", async () => {
    const { t, ra } = await start()
    for (let i = 1; i <= 6; i++)
      t.plane.seed.workItem(t.project.id, {
        name: `Arriéré ${i}`,
        state: t.state('Todo').id,
        assignees: [t.users.imhotep.id],
      })
    // The first poll finds six tasks to do: six wakes for Imhotep, a second apart (the backlog).
    await runPollCycle({ ...t.services, ...t.bridge })
    await ra('create_task', {
      project: 'ONB',
      title: 'Urgent : relire le contrat',
      assignee: 'imhotep',
    })
    await t.settle()
    const order = wakesTo(t, 'imhotep').map(messageOf)
    expect(order).toHaveLength(7)
    // At most the backlog's first wake went before it (it may have been on its way already).
    expect(order.findIndex((m) => m.includes('Urgent : relire le contrat'))).toBeLessThanOrEqual(1)
  })

  it('should stop a run an agent took up before the first poll when that poll finds the task cancelled, and wake it when reopened', async () => {
    const { t, imhotep } = await start()
    const task = t.plane.seed.workItem(t.project.id, {
      name: 'Déjà en cours',
      state: t.state('In Progress').id,
      assignees: [t.users.imhotep.id],
    })
    // The agent reads its task, In Progress in Plane, before any poll: checked in, its run under way (as an adoption
    // makes it), the task itself never sighted.
    await imhotep('get_task_details', { task: 'ONB-1' })
    expect(await record(t, task.id)).toMatchObject({ agentId: 'imhotep', state: 'active' })
    // A person cancels it in Plane; the delivery is lost, so the first poll is the bridge's first sight of it.
    t.webhooks.route(() => 'drop')
    await t.plane.ui.updateWorkItem(t.users.bridge.id, task.id, {
      state_id: t.state('Cancelled').id,
    })
    await t.plane.webhooks.settle()
    t.webhooks.route(null)
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    const stops = () =>
      wakesTo(t, 'imhotep')
        .map(messageOf)
        .filter((m) => m.startsWith('Arrête'))
    expect(stops()).toEqual([
      expect.stringContaining('ONB-1 « Déjà en cours » : elle a été annulée'),
    ])
    expect(await record(t, task.id)).toMatchObject({ state: 'cancelled' })

    // Reopened: a new assignment, one wake (the read's check-in, ended above, does not pass for it).
    await t.plane.ui.updateWorkItem(t.users.bridge.id, task.id, { state_id: t.state('Todo').id })
    await t.settle()
    const wakes = wakesTo(t, 'imhotep')
      .map(messageOf)
      .filter((m) => !m.startsWith('Arrête'))
    expect(wakes).toEqual([expect.stringContaining('ONB-1 « Déjà en cours »')])
    expect(stops()).toHaveLength(1)
  })

  it('should set up a project created in Plane so that agents can be given its tasks without provision', async () => {
    const { t, ra } = await start()
    const membersOf = (projectId: string) =>
      t.plane.state.projectMembers
        .filter((m) => m.project === projectId && m.is_active)
        .map((m) => m.member)
    // A person creates it in Plane's UI with the bridge as project lead (so it is an Admin there).
    const project = await t.plane.ui.createProject(t.users.ra!.id, {
      name: 'Marketing',
      identifier: 'MKT',
      project_lead: t.users.bridge.id,
    })
    await t.settle()
    expect(membersOf(project.id)).toEqual(
      expect.arrayContaining([t.users.imhotep.id, t.users.thot.id])
    )
    const labels = [...t.plane.state.labels.values()].filter((l) => l.project === project.id)
    expect(labels.map((l) => l.name)).toEqual(
      expect.arrayContaining(['agent:imhotep', 'agent:thot'])
    )
    const news = sent(t).filter((m) => m.includes('Nouveau projet'))
    expect(news).toHaveLength(1)
    expect(news[0]).toContain('Les agents y sont ajoutés')
    expect(news[0]).toContain(`/projects/${project.id}/issues/`)

    const created = await ra('create_task', { project: 'MKT', title: 'Annonce', assignee: 'thot' })
    expect(created).toMatchObject({ assignee: 'thot' })
    expect(t.plane.state.issues.get(created.id)?.assignees ?? []).toContain(t.users.thot.id)
  })

  it('should say what to do when the bridge is not in a new project, then set it up once let in', async () => {
    const { t, later } = await start()
    const project = await t.plane.ui.createProject(t.users.ra!.id, {
      name: 'Ventes',
      identifier: 'VEN',
    })
    await t.settle()
    const news = sent(t).filter((m) => m.includes('Nouveau projet'))
    expect(news).toHaveLength(1)
    expect(news[0]).toContain('<b>plane-bridge</b>) n’en est pas membre')
    expect(news[0]).toContain('sans provision')

    // The person lets the bridge in; the poll finishes the job within minutes.
    t.plane.seed.member(project.id, t.users.bridge.id, 20)
    await later(6 * MINUTE)
    await runPollCycle({ ...t.services, ...t.bridge })
    const members = t.plane.state.projectMembers
      .filter((m) => m.project === project.id && m.is_active)
      .map((m) => m.member)
    expect(members).toEqual(expect.arrayContaining([t.users.imhotep.id, t.users.thot.id]))
  })
})
