import { afterEach, describe, expect, it } from 'vitest'
import { pollFunction } from '../../functions/poll/poll.ts'
import { runJobCommand } from '../../runtime/node-cli.ts'
import { bridgeUserKey } from '../../shared/plane/bridge-user.ts'
import { PlaneApiError } from '../../shared/plane/errors.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { alertPlaneFailure } from '../../shared/poll/plane-alerts.ts'
import { startE2E } from '../../sim/e2e/harness.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

async function start(options?: Parameters<typeof startE2E>[0]): Promise<E2E> {
  e2e = await startE2E(options)
  return e2e
}

const listRequests = (t: E2E) =>
  t.plane.requests.filter(
    (r) => r.method === 'GET' && /\/projects\/[^/]+\/work-items\/$/.test(r.path)
  ).length
/** `npm run job -- poll` in process: its exit code and what it printed (stdout and stderr). */
async function npmRunPoll(t: E2E) {
  const lines: string[] = []
  const code = await runJobCommand({
    args: ['poll'],
    functions: [pollFunction],
    root: t.services.root,
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
  })
  return { code, lines }
}
const wakes = (t: E2E) => t.openclaw.calls.filter((c) => c.path === '/hooks/agent')
const sent = (t: E2E) =>
  t.telegram
    .callsOf('sendMessage')
    .filter((c) => c.status === 200)
    .map((c) => String(c.params.text))

describe('poll ticks (end to end)', () => {
  it('should wake an agent once for a new assignment, and list each project once per unchanged cycle', async () => {
    const t = await start()
    const plane = t.bridge.plane!
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Indexer la doc',
      state: t.state('Todo').id,
    })
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(wakes(t)).toHaveLength(0)

    // Assigned through the API: Plane v1.2 fires no webhook for it (makeplane/plane#6746).
    await plane.workItems.update(t.project.id, item.id, { assignees: [t.users.thot.id] })
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(wakes(t)).toHaveLength(1)
    expect(wakes(t)[0]?.body).toMatchObject({ agentId: 'thot' })

    const before = listRequests(t)
    const report = await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(wakes(t)).toHaveLength(1)
    expect(listRequests(t) - before).toBe(1)
    // The overlap reads the item again: read, not changed.
    expect(report).toMatchObject({ projects: 1, changed: 0, pending: 0, wakes: 0 })
    expect(report.read).toBeGreaterThanOrEqual(1)
  })

  it('should log, not swallow, a bridge user Plane would not name, and read it at the next cycle', async () => {
    const t = await start()
    const kept = bridgeUserKey(t.services.config.PLANE_API_KEY)
    await t.services.store.delete(kept)
    t.plane.faults.failWhen((r) => r.method === 'GET' && r.path.endsWith('/users/me/'), 100, 400)
    await runPollCycle({ ...t.services, ...t.bridge })
    expect(t.services.logs.filter((l) => l.msg === 'bridge user not read')).toEqual([
      expect.objectContaining({ level: 'warn' }),
    ])
    t.plane.faults.clear()
    await runPollCycle({ ...t.services, ...t.bridge })
    expect(await t.services.store.get(kept)).toBe(t.users.bridge.id)
    expect(t.services.logs.filter((l) => l.msg === 'bridge user not read')).toHaveLength(1)
  })

  it('should not list the work items of an archived project', async () => {
    const t = await start()
    const old = t.plane.seed.project({
      name: 'Ancien',
      identifier: 'OLD',
      creator: t.users.bridge.id,
    })
    const record = t.plane.state.projects.get(old.id)!
    record.archived_at = new Date().toISOString()
    await runPollCycle({ ...t.services, ...t.bridge })
    // The poll's listings (the capabilities probe reads one item of some project; that is not a listing).
    const listed = t.plane.requests
      .filter((r) => r.path.endsWith('/work-items/') && r.query.order_by === '-updated_at')
      .map((r) => r.path)
    expect(listed.some((path) => path.includes(old.id))).toBe(false)
    expect(listed.some((path) => path.includes(t.project.id))).toBe(true)
  })

  it('should notify once a completion made through the API, even when a late webhook repeats it', async () => {
    const t = await start({ plane: { version: '1.3' } })
    const plane = t.bridge.plane!
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Livrer la v1',
      state: t.state('In Progress').id,
      assignees: [t.users.imhotep.id],
    })
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    t.webhooks.hold()
    await plane.workItems.update(t.project.id, item.id, { state: t.state('Done').id })
    await t.plane.webhooks.settle()
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(sent(t)).toHaveLength(1)
    expect(sent(t)[0]).toContain('« Livrer la v1 »')
    // v1.3 fired one delivery per changed key; they arrive now, after the poll already told the human.
    const statuses = await t.webhooks.release()
    expect(statuses.length).toBeGreaterThan(0)
    expect(statuses.every((s) => s === 200)).toBe(true)
    await t.settle()
    expect(sent(t)).toHaveLength(1)
  })

  it('should mark an agent whose key was revoked as failed, alert once, and keep the others working', async () => {
    const t = await start({ agentKeys: true })
    t.plane.seed.revokeKey(t.users.thot.apiKey)
    t.plane.seed.workItem(t.project.id, {
      name: 'Pour Imhotep',
      state: t.state('Todo').id,
      assignees: [t.users.imhotep.id],
    })
    const first = await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(first.failedAgents).toEqual(['thot'])
    expect(wakes(t).map((c) => (c.body as { agentId: string }).agentId)).toEqual(['imhotep'])
    const ready = (await (await t.app.request('/ready')).json()) as {
      integrations: Record<string, { ok: boolean; detail?: string }>
    }
    expect(ready.integrations['agent:thot']).toMatchObject({
      ok: false,
      detail: expect.stringContaining('rejected'),
    })
    expect(ready.integrations['agent:imhotep']).toMatchObject({ ok: true })
    const alerts = () => sent(t).filter((text) => text.includes('Thot'))
    expect(alerts()).toHaveLength(1)
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(alerts()).toHaveLength(1)
  })

  it('should finish a tick through a 429 storm, honouring Retry-After, without error logs', async () => {
    const t = await start()
    t.plane.seed.workItem(t.project.id, { name: 'Sous la tempête', state: t.state('Todo').id })
    await t.bridge.directory.refresh()
    t.plane.faults.rateLimitStorm(2, 1)
    const started = Date.now()
    const report = await runPollCycle({ ...t.services, ...t.bridge })
    expect(report.failedProjects).toEqual([])
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    expect(t.services.logs.filter((l) => l.level === 'error')).toEqual([])
  }, 30_000)

  it('should run one cycle with npm run job -- poll and exit 0', async () => {
    const t = await start()
    const { code, lines: out } = await npmRunPoll(t)
    expect(code).toBe(0)
    expect(out[0]).toMatch(
      /^job poll: ok in \d+ ms — 1 projects, 0 items read, 0 changed, 0 wake-ups, \d+ Plane requests$/
    )
  })

  it('should end as an error, never "ok, 0 projects", when Plane refuses the bridge key', async () => {
    const t = await start()
    t.plane.seed.revokeKey(t.users.bridge.apiKey)
    const { code, lines } = await npmRunPoll(t)
    expect(code).toBe(1)
    // Plane's answer, then the setting and its fix (issue 36).
    expect(lines.join('\n')).toMatch(
      /^job poll: failed .*: 403 auth \(Given API token is not valid\) — PLANE_API_KEY refused \(HTTP 403\): regenerate PLANE_API_KEY — a new key for that user in Plane, Profile settings → API tokens$/
    )
    expect(lines.join('\n')).not.toContain('0 projects')
    expect(t.services.metrics.registry.render()).toMatch(
      /plane_bridge_job_runs_total\{job="poll",outcome="error"\} 1/
    )
    const ready = (await (await t.app.request('/ready')).json()) as {
      status: string
      reasons: string[]
    }
    expect(ready.status).toBe('degraded')
    expect(ready.reasons).toContain(
      'job poll failed: Plane GET /api/v1/workspaces/javisi/projects/ failed: 403 auth (Given API token is not valid) — PLANE_API_KEY refused (HTTP 403): regenerate PLANE_API_KEY — a new key for that user in Plane, Profile settings → API tokens'
    )
    // The human is told once what to do, not at every cycle.
    await t.settle()
    const told = () => sent(t).filter((m) => m.includes('PLANE_API_KEY'))
    expect(told()).toEqual([
      '⚠️ Plane refuse la clé PLANE_API_KEY (403 : Given API token is not valid) : régénérez-la dans Plane (Profil → Jetons d’API), mettez-la dans les réglages de plane-bridge et redémarrez-le. Rien n’est suivi d’ici là.',
    ])
    await npmRunPoll(t)
    await t.settle()
    expect(told()).toHaveLength(1)
  })

  it('should tell the human when Plane stops answering for two cycles, once', async () => {
    const t = await start()
    // What a poll that Plane left unanswered throws (the client's retries spent), cycle after cycle.
    const failure = new PlaneApiError(
      'Plane GET /api/v1/workspaces/javisi/projects/ failed: 502 unavailable (Bad Gateway)',
      {
        kind: 'unavailable',
        reason: 'http',
        status: 502,
        method: 'GET',
        path: '/api/v1/workspaces/javisi/projects/',
        body: 'Bad Gateway',
      }
    )
    const down = () => sent(t).filter((m) => m.includes('Plane ne répond pas'))
    await alertPlaneFailure({ ...t.services, ...t.bridge }, failure)
    await t.settle()
    expect(down()).toEqual([])
    await alertPlaneFailure({ ...t.services, ...t.bridge }, failure)
    await t.settle()
    expect(down()).toEqual([
      '⚠️ Plane ne répond pas (Plane GET /api/v1/workspaces/javisi/projects/ failed: 502 unavailable (Bad Gateway)) : le suivi est suspendu depuis deux passages. Vérifiez que Plane tourne ; plane-bridge reprendra seul.',
    ])
    await alertPlaneFailure({ ...t.services, ...t.bridge }, failure)
    await t.settle()
    expect(down()).toHaveLength(1)
    // Back: the next failure starts counting again.
    await npmRunPoll(t)
    expect(await t.services.store.get('alert:plane-down')).toBeNull()
  })

  it('should alert once when Plane stops delivering webhooks for human edits', async () => {
    let skew = 0
    // Not a test of request spacing: four polls an hour apart (cycle lists too) stay well within the timeout.
    // Plane's clock and the bridge's move together: a delivery's arrival is compared with an edit's time.
    const t = await start({
      now: () => Date.now() + skew,
      plane: { now: () => Date.now() + skew },
    })
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Éditée à la main',
      state: t.state('Todo').id,
    })
    const other = t.plane.seed.workItem(t.project.id, {
      name: 'Éditée aussi',
      state: t.state('Todo').id,
    })
    await runPollCycle({ ...t.services, ...t.bridge })
    for (const hook of t.plane.state.webhooks.values()) hook.is_active = false
    const human = t.plane.seed.user({ email: 'moi@javisi.local', display_name: 'moi' })
    t.plane.seed.member(t.project.id, human.id, 20)
    // A person edits two tasks in the web UI; the deactivated webhook reports neither (one alone could be a
    // single lost delivery).
    await t.plane.ui.updateWorkItem(human.id, item.id, { priority: 'urgent' })
    await t.plane.ui.updateWorkItem(human.id, other.id, { priority: 'urgent' })
    skew = 40 * 60 * 1000
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    const alerts = () => sent(t).filter((text) => text.includes('webhook'))
    expect(alerts()).toHaveLength(1)
    await t.plane.ui.updateWorkItem(human.id, item.id, { priority: 'low' })
    skew += 10 * 60 * 1000
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(alerts()).toHaveLength(1)
    // Deliveries resume: the next cycle clears the alert, so a later silence is reported again.
    for (const hook of t.plane.state.webhooks.values()) hook.is_active = true
    await t.plane.ui.updateWorkItem(human.id, item.id, { priority: 'high' })
    await t.plane.webhooks.settle()
    await runPollCycle({ ...t.services, ...t.bridge })
    for (const hook of t.plane.state.webhooks.values()) hook.is_active = false
    await t.plane.ui.updateWorkItem(human.id, item.id, { priority: 'medium' })
    await t.plane.ui.updateWorkItem(human.id, other.id, { priority: 'medium' })
    skew += 40 * 60 * 1000
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(alerts()).toHaveLength(2)
  })

  it('should keep a task waiting on an open dependency and block it once when the dependency is cancelled (OPENCLAW-14)', async () => {
    const t = await start({ plane: { version: '1.3' } })
    const plane = t.bridge.plane!
    const blockedState = await plane.states.create(t.project.id, {
      name: 'Bloqué',
      group: 'started',
      color: '#ff0000',
    })
    const dep = t.plane.seed.workItem(t.project.id, {
      name: 'Choisir le nom',
      state: t.state('Todo').id,
    })
    const task = t.plane.seed.workItem(t.project.id, {
      name: 'Créer le logo',
      state: t.state('Todo').id,
      assignees: [t.users.thot.id],
    })
    await plane.relations.create(t.project.id, task.id, {
      relation_type: 'blocked_by',
      issues: [dep.id],
    })
    const first = await runPollCycle({ ...t.services, ...t.bridge })
    expect(first.failedAgents).toEqual([])
    expect(await t.services.store.get('poll:waiting:thot')).toEqual([
      { id: task.id, projectId: t.project.id },
    ])

    await plane.workItems.update(t.project.id, dep.id, { state: t.state('Cancelled').id })
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    const after = await plane.workItems.get(t.project.id, task.id)
    expect(after.state).toBe(blockedState.id)
    // Besides the run card (Thot's run, woken when its task was seen): one comment saying why.
    const said = async () =>
      (await plane.comments.list(t.project.id, task.id))
        .map((c) => c.comment_html)
        .filter((html) => !html?.includes('plane-bridge:run-card'))
    expect(await said()).toEqual([expect.stringContaining('❌ Dépendance annulée')])
    // One message: the move to Blocked and the comment that explains it (issue 28: it was three).
    const alerts = () => sent(t).filter((text) => text.includes('Créer le logo'))
    expect(alerts()).toHaveLength(1)
    expect(alerts()[0]).toContain('❌ Dépendance annulée : « Choisir le nom »')
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(alerts()).toHaveLength(1)
    expect(await said()).toHaveLength(1)
  }, 40_000)
})
