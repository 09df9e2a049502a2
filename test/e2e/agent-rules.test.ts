/** The rules the agent tools enforce, over the HTTP door (fetch on `/bridge/v1`), on the Plane v1.2 simulator. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FINISH_LOOK_DELAY_MS } from '../../shared/projects/finish.ts'
import { runRecordKey } from '../../shared/runs/records.ts'
import { RUN_CARD_MARKER } from '../../shared/runs/run-card.ts'
import {
  DUE_SET,
  assignmentKey as runAssignmentKey,
  unstartedMember,
} from '../../shared/runs/tracker-kit.ts'
import { createMemoryStore, type Store } from '../../shared/store/store.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { SIM_PLANE_VERSION, startE2E } from '../../sim/e2e/harness.ts'
import { virtualClock } from '../helpers/clock.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

async function start(options: Parameters<typeof startE2E>[0] = {}) {
  e2e = await startE2E({
    concierge: true,
    ...options,
    env: { ...options.env },
  })
  const t = e2e
  const as = (agent: 'imhotep' | 'thot' | 'ra') => (tool: string, input: unknown) =>
    callHttp(t.app, tool, t.bridgeTokens[agent] as string, input)
  return { t, ra: as('ra'), imhotep: as('imhotep'), thot: as('thot') }
}

/** Comments on a task that contain `text`, the run card (a bridge-owned comment) left out. */
const commentsWith = (t: E2E, taskId: string, text: string) =>
  [...t.plane.state.comments.values()].filter(
    (c) =>
      c.issue === taskId &&
      !c.deleted_at &&
      c.comment_html.includes(text) &&
      !c.comment_html.includes(RUN_CARD_MARKER)
  )

/** A task in ONB for Imhotep, created by the Concierge: its id. */
async function imhotepTask(
  ra: (tool: string, input: unknown) => Promise<{ body: Record<string, unknown> }>,
  title: string
) {
  const created = await ra('create_task', { project: 'ONB', title, assignee: 'imhotep' })
  return String(created.body.id)
}

/** What the human was told: the messages sent, but for the tasks' live messages (silent, edited as they go). */
const sent = (t: E2E) =>
  t.telegram
    .callsOf('sendMessage')
    .filter((c) => c.status === 200 && c.params.disable_notification !== true)
    .map((c) => String(c.params.text))

describe('agent tool rules (HTTP door)', () => {
  it('should list the Concierge-only tools to the Concierge alone (issue 45: a member saw create_task)', async () => {
    const { t } = await start()
    const names = async (agent: 'imhotep' | 'ra') => {
      const response = await t.app.request('http://127.0.0.1/bridge/v1/tools', {
        headers: { authorization: `Bearer ${t.bridgeTokens[agent]}` },
      })
      expect(response.status).toBe(200)
      const body = (await response.json()) as { tools: Array<{ name: string }> }
      return body.tools.map((tool) => tool.name)
    }
    const member = await names('imhotep')
    expect(member).toContain('update_task_status')
    expect(member).not.toContain('create_task')
    expect(member).not.toContain('create_project')
    expect(await names('ra')).toEqual(expect.arrayContaining(['create_task', 'create_project']))
  })

  it('should refuse create_task to a member and another agent’s task to Thot, naming whose it is', async () => {
    const { ra, imhotep, thot } = await start()
    const denied = await imhotep('create_task', { project: 'ONB', title: 'x', assignee: 'imhotep' })
    expect(denied.status).toBe(403)
    expect(denied.body).toMatchObject({
      error: 'forbidden',
      message: expect.stringContaining('Concierge (Ra)'),
    })

    const created = await ra('create_task', {
      project: 'ONB',
      title: 'Indexer',
      assignee: 'imhotep',
    })
    expect(created.status).toBe(200)
    const other = await thot('update_task_status', { task: 'ONB-1', status: 'in_progress' })
    expect(other.status).toBe(403)
    expect(other.body.message).toContain("Imhotep's task")
    // Reading is allowed: dependencies need context.
    const read = await thot('get_task_details', { task: 'ONB-1' })
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({ ref: 'ONB-1', yours: false })
  })

  it('should still create a task with a dependency when the capability probe fails at that moment', async () => {
    const { t, ra } = await start()
    await ra('create_task', { project: 'ONB', title: 'Schéma', assignee: 'thot' })
    // Plane answers the probe's read of relations with 500s: whether it has them is not known now.
    t.plane.faults.failWhen((r) => r.method === 'GET' && r.path.endsWith('/relations/'), 100)
    const b = await ra('create_task', {
      project: 'ONB',
      title: 'Migration',
      assignee: 'imhotep',
      dependencies: ['ONB-1'],
    })
    expect(b).toMatchObject({
      status: 200,
      body: {
        ref: 'ONB-2',
        dependencies: ['ONB-1'],
        relations: SIM_PLANE_VERSION === '1.3' ? 'recorded' : 'bridge_only',
      },
    })
  })

  it('should refuse to start or finish while a dependency is open, naming it, and allow it once it is done', async () => {
    const { t, ra, imhotep } = await start()
    await ra('create_task', { project: 'ONB', title: 'Schéma', assignee: 'thot' })
    const b = await ra('create_task', {
      project: 'ONB',
      title: 'Migration',
      assignee: 'imhotep',
      dependencies: ['ONB-1'],
    })
    expect(b.body).toMatchObject({
      ref: 'ONB-2',
      dependencies: ['ONB-1'],
      // v1.3 has relations in its API: the dependency is recorded in Plane as well.
      relations: SIM_PLANE_VERSION === '1.3' ? 'recorded' : 'bridge_only',
    })
    // v1.2 is known to have none (the capability probe, kept an hour): no write that can only answer 404.
    const relationWrites = t.plane.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/relations/')
    )
    expect(relationWrites.map((r) => r.status)).toEqual(SIM_PLANE_VERSION === '1.3' ? [201] : [])
    const refused = await imhotep('update_task_status', { task: 'ONB-2', status: 'in_progress' })
    expect(refused.status).toBe(409)
    expect(refused.body).toMatchObject({
      error: 'refused',
      rule: 'dependencies',
      open_dependencies: ['ONB-1'],
    })
    expect(refused.body.message).toContain('ONB-1 (todo)')
    const finish = await imhotep('update_task_status', {
      task: 'ONB-2',
      status: 'done',
      summary: 's',
      confidence: 0.9,
    })
    expect(finish.status).toBe(409)
    // Plane was not touched: the task is still in Todo.
    const issue = t.plane.state.issues.get(String(b.body.id))!
    expect(t.plane.state.states.get(String(issue.state))?.group).toBe('unstarted')

    const thot = (tool: string, input: unknown) =>
      callHttp(t.app, tool, t.bridgeTokens.thot as string, input)
    expect(
      (await thot('update_task_status', { task: 'ONB-1', status: 'in_progress' })).status
    ).toBe(200)
    const done = await thot('update_task_status', {
      task: 'ONB-1',
      status: 'done',
      summary: 'ok',
      confidence: 0.8,
    })
    expect(done.status).toBe(200)
    expect(
      (await imhotep('update_task_status', { task: 'ONB-2', status: 'in_progress' })).status
    ).toBe(200)
    const listed = await imhotep('list_my_tasks', {})
    expect(listed.body.tasks).toMatchObject([
      { ref: 'ONB-2', dependencies: [{ ref: 'ONB-1', status: 'done' }] },
    ])
  })

  it('should list the open tasks by priority, then due date, then reference in numeric order', async () => {
    const { t, imhotep } = await start()
    const seed = (name: string, over: Record<string, unknown> = {}) =>
      t.plane.seed.workItem(t.project.id, {
        name,
        assignees: [t.users.imhotep.id],
        state: t.state('Todo').id,
        priority: 'low',
        ...over,
      })
    // ONB-1 … ONB-11: the low ones differ by reference alone, ONB-2 before ONB-10 (numbers, not text).
    for (let n = 1; n <= 11; n++) {
      if (n === 3) seed('Urgente', { priority: 'urgent' })
      else if (n === 4) seed('Haute, le 2', { priority: 'high', target_date: '2026-12-02' })
      else if (n === 5) seed('Haute, le 1er', { priority: 'high', target_date: '2026-12-01' })
      else if (n === 6) seed('Finie', { priority: 'urgent', state: t.state('Done').id })
      else seed(`Basse ${n}`)
    }
    const listed = await imhotep('list_my_tasks', {})
    expect(listed.status).toBe(200)
    const refs = (listed.body.tasks as Array<{ ref: string }>).map((task) => task.ref)
    expect(refs).toEqual([
      'ONB-3',
      'ONB-5',
      'ONB-4',
      'ONB-1',
      'ONB-2',
      'ONB-7',
      'ONB-8',
      'ONB-9',
      'ONB-10',
      'ONB-11',
    ])
  })

  it('should return the 50 most urgent of 60 open tasks with the total, all on asking, and check every one in', async () => {
    const { t, imhotep } = await start()
    const ids: string[] = []
    for (let n = 1; n <= 60; n++)
      ids.push(
        t.plane.seed.workItem(t.project.id, {
          name: `Tâche ${n}`,
          assignees: [t.users.imhotep.id],
          state: t.state('Todo').id,
          priority: n === 60 ? 'urgent' : 'low',
        }).id
      )
    const commentReads = () =>
      t.plane.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/comments/')).length
    const before = commentReads()
    const page = await imhotep('list_my_tasks', {})
    expect(page.status).toBe(200)
    // Sixty runs to start, none recorded yet: their run cards are looked for after the answer, not before it.
    expect(commentReads() - before).toBe(0)
    expect(page.body).toMatchObject({ count: 50, total: 60 })
    const refs = (page.body.tasks as Array<{ ref: string }>).map((task) => task.ref)
    expect(refs.slice(0, 3)).toEqual(['ONB-60', 'ONB-1', 'ONB-2'])
    expect(refs.at(-1)).toBe('ONB-49')
    // Counted, so checked in (just after the answer): the ten beyond the page are the agent's as much as the
    // fifty it read.
    for (const id of [ids[50], ids[58]])
      await vi.waitFor(async () =>
        expect(
          await t.services.store.get<{ checkedInAt: number | null }>(
            runAssignmentKey(id as string, 'imhotep')
          )
        ).toMatchObject({ checkedInAt: expect.any(Number) })
      )
    const all = await imhotep('list_my_tasks', { limit: 250 })
    expect(all.body).toMatchObject({ count: 60, total: 60 })
    for (const limit of [0, 251, 2.5])
      expect((await imhotep('list_my_tasks', { limit })).status).toBe(400)
  })

  it("should check a listing's tasks in without a read or a write per task while their runs are under way (issue 39)", async () => {
    const clock = virtualClock()
    const memory = createMemoryStore()
    // Reads of one task's run, assignment or mention at a time, and writes of run records.
    const ops = { taskReads: 0, runWrites: 0 }
    const store: Store = {
      ...memory,
      get: (key) => {
        if (key.startsWith('run:')) ops.taskReads++
        return memory.get(key)
      },
      set: (key, value, options) => {
        if (key.startsWith('run:record:')) ops.runWrites++
        return memory.set(key, value, options)
      },
    }
    const { t, imhotep } = await start({
      store,
      now: clock.now,
      sleep: clock.sleep,
      plane: { now: clock.now },
    })
    for (let n = 1; n <= 60; n++)
      t.plane.seed.workItem(t.project.id, {
        name: `Tâche ${n}`,
        assignees: [t.users.imhotep.id],
        state: t.state('Todo').id,
      })
    expect((await imhotep('list_my_tasks', { limit: 250 })).body).toMatchObject({ total: 60 })
    await t.settle()
    const runs = async () =>
      (
        await store.getMany<{ state: string; lastActivityAt: string | null }>(
          [...t.plane.state.issues.keys()].map((id) => runRecordKey(id))
        )
      ).filter((r) => r !== null)
    // Listed, not started: each run checked in ("seen").
    expect((await runs()).map((r) => r.state)).toEqual(Array(60).fill('seen'))
    // Two minutes on, the same listing twice at once: the check-ins are read together (one read of many keys) and
    // write nothing (each heartbeat is recent enough: a sixth of RUN_STALE_MINUTES). Before: three reads and one
    // heartbeat per task, each listing.
    clock.advance(2 * 60_000)
    ops.taskReads = 0
    ops.runWrites = 0
    await Promise.all([imhotep('list_my_tasks', {}), imhotep('list_my_tasks', {})])
    await t.settle()
    expect(ops).toEqual({ taskReads: 0, runWrites: 0 })
    // Three of them started: their runs are under way, the other 57 still seen.
    for (const ref of ['ONB-1', 'ONB-2', 'ONB-3'])
      expect(
        (await imhotep('update_task_status', { task: ref, status: 'in_progress' })).status
      ).toBe(200)
    await t.settle()
    const underWay = async () => (await runs()).filter((r) => r.state === 'active')
    expect(await underWay()).toHaveLength(3)
    // A seen run's not-started deadline lost (a write that failed): the next listing past the heartbeat sets it again.
    const seenId = [...t.plane.state.issues.values()].find((i) => i.sequence_id === 10)
      ?.id as string
    await store.sortedRemove(DUE_SET, unstartedMember(seenId))
    // Past the heartbeat, a listing is the heartbeat of every run under way, once; a seen run has none to keep (nothing
    // reads its activity time): 57 record writes a listing saved.
    clock.advance(5 * 60_000)
    ops.runWrites = 0
    await Promise.all([imhotep('list_my_tasks', {}), imhotep('list_my_tasks', {})])
    await t.settle()
    expect(ops.runWrites).toBe(3)
    const beat = new Date(clock.now() - 60_000).toISOString()
    for (const run of await underWay()) expect(run.lastActivityAt! > beat).toBe(true)
    expect(await store.sortedScore(DUE_SET, unstartedMember(seenId))).not.toBeNull()
  })

  it('should refuse done without a confidence, and ask for one review when the confidence is 0.55', async () => {
    const clock = virtualClock()
    const { t, ra, imhotep } = await start({ now: clock.now })
    await ra('create_task', { project: 'ONB', title: 'Sauvegardes', assignee: 'imhotep' })
    await imhotep('update_task_status', { task: 'ONB-1', status: 'in_progress' })
    const refused = await imhotep('update_task_status', {
      task: 'ONB-1',
      status: 'done',
      summary: 'fait',
    })
    expect(refused.status).toBe(409)
    expect(refused.body).toMatchObject({ error: 'refused', rule: 'completion_criteria' })
    expect(refused.body.message).toContain('confidence')

    const done = await imhotep('update_task_status', {
      task: 'ONB-1',
      status: 'done',
      summary: 'Sauvegardes en place, restauration non testée',
      confidence: 0.55,
    })
    expect(done.status).toBe(200)
    await t.settle()
    // The project's only task is done: its end is told a moment after the task's own message, when the settle
    // above took that long, or once the clock passes it below.
    const aboutTasks = () => sent(t).filter((m) => !m.includes('🏁'))
    const reviews = aboutTasks().filter((m) => m.includes('Revue demandée'))
    expect(reviews).toHaveLength(1)
    // One completion, one message: the review's question sits on the completion, the confidence said once.
    expect(aboutTasks()).toHaveLength(1)
    expect(reviews[0]).toContain('Confiance : 0,55')
    expect(reviews[0]?.match(/0,55/g)).toHaveLength(1)
    expect(reviews[0]).toContain('Sauvegardes en place, restauration non testée')
    // The webhook echo of the done comment and a later poll add nothing; the project's end is told once, with the
    // review still asked.
    clock.advance(FINISH_LOOK_DELAY_MS + 1_000)
    await t.settle()
    expect(aboutTasks()).toHaveLength(1)
    const finished = sent(t).filter((m) => m.includes('🏁'))
    expect(finished).toHaveLength(1)
    expect(finished[0]).toContain('Revues encore demandées : ONB-1')
  })

  it('should answer 401 to a wrong or missing token, with WWW-Authenticate, and log nothing of it', async () => {
    const { t } = await start()
    const wrong = 'pbt_not-a-real-token-0123456789abcdefghijk'
    const response = await callHttp(t.app, 'list_my_tasks', wrong, {})
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain('Bearer')
    expect(response.body).toMatchObject({ error: 'unauthorized' })
    expect((await callHttp(t.app, 'list_my_tasks', null, {})).status).toBe(401)
    const mcpPost = (headers: Record<string, string>) =>
      t.app.request('http://127.0.0.1/mcp', {
        method: 'POST',
        headers: {
          host: '127.0.0.1:8787',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      })
    const mcp = await mcpPost({ authorization: `Bearer ${wrong}` })
    expect(mcp.status).toBe(401)
    // GET /mcp as docs/reference.md says (issue 45): 401 without a token, 405 with one (stateless).
    const get = (headers: Record<string, string>) =>
      t.app.request('http://127.0.0.1/mcp', {
        headers: { host: '127.0.0.1:8787', accept: 'text/event-stream', ...headers },
      })
    expect((await get({})).status).toBe(401)
    expect((await get({ authorization: `Bearer ${t.bridgeTokens.imhotep}` })).status).toBe(405)
    expect(mcp.headers.get('www-authenticate')).toContain('Bearer')
    // DNS rebinding: a browser page elsewhere, or a Host that is not ours, is refused even with a good token.
    const good = { authorization: `Bearer ${t.bridgeTokens.imhotep}` }
    expect((await mcpPost({ ...good, origin: 'https://evil.example' })).status).toBe(403)
    // Issue 45: the refusal names the setting that allows a host, in the answer and in the log.
    const refused = await mcpPost({ ...good, host: 'plane-bridge:8787' })
    expect(refused.status).toBe(403)
    const answer = (await refused.json()) as { error: { message: string } }
    expect(answer.error.message).toMatch(
      /^Invalid Host: plane-bridge: add plane-bridge to MCP_ALLOWED_HOSTS in plane-bridge's settings/
    )
    expect(t.services.logs).toContainEqual(
      expect.objectContaining({
        msg: 'mcp request refused: host not allowed',
        host: 'plane-bridge',
        setting: 'MCP_ALLOWED_HOSTS',
      })
    )
    const logs = t.services.rawLogs.join('\n')
    expect(logs).not.toContain(wrong)
    expect(logs).not.toContain(t.bridgeTokens.imhotep as string)
  })

  it('should answer clear 400s and 404s: unknown tool, unknown task, bad fields named, malformed JSON', async () => {
    const { t, imhotep } = await start()
    const unknownTool = await imhotep('do_everything', {})
    expect(unknownTool.status).toBe(404)
    expect(unknownTool.body.message).toContain('list_my_tasks')
    // A member is offered its own tools, not the Concierge's (they would only answer 403).
    expect(unknownTool.body.message).not.toContain('create_task')
    expect(unknownTool.body.message).not.toContain('create_project')
    const unknownTask = await imhotep('get_task_details', { task: 'ONB-999' })
    expect(unknownTask).toMatchObject({ status: 404, body: { error: 'not_found' } })
    const bad = await imhotep('update_task_status', {
      task: 'ONB-1',
      status: 'finished',
      confidence: 3,
    })
    expect(bad.status).toBe(400)
    const fields = (bad.body.fields as Array<{ field: string }>).map((f) => f.field).sort()
    expect(fields).toEqual(['confidence', 'status'])
    const malformed = await t.app.request('http://bridge.test/bridge/v1/list_my_tasks', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.bridgeTokens.imhotep}`,
        'content-type': 'application/json',
      },
      body: '{"status":',
    })
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ error: 'invalid_input' })
  })

  it('should rebuild time spent, confidence and deliverables from the run card when the store has lost them', async () => {
    const { t, ra, imhotep } = await start()
    const created = await ra('create_task', { project: 'ONB', title: 'Doc', assignee: 'imhotep' })
    await imhotep('update_task_status', { task: 'ONB-1', status: 'in_progress' })
    await imhotep('upload_deliverable', {
      task: 'ONB-1',
      filename: 'notes.txt',
      content_base64: Buffer.from('hello').toString('base64'),
    })
    await imhotep('update_task_status', {
      task: 'ONB-1',
      status: 'done',
      summary: 'Doc écrite',
      confidence: 0.75,
      cost: 0.12,
    })
    const before = await imhotep('get_task_details', { task: 'ONB-1' })
    // The card follows the record within its coalescing delay (runs:cards:due); settled, it holds all of it.
    await t.settle()

    await t.services.store.delete(runRecordKey(String(created.body.id)))
    const after = await imhotep('get_task_details', { task: 'ONB-1' })
    expect(after.status).toBe(200)
    for (const field of [
      'time_spent_seconds',
      'confidence_score',
      'cost',
      'deliverables',
      'summary',
      'run_state',
    ])
      expect(after.body[field]).toEqual(before.body[field])
    expect(after.body).toMatchObject({
      confidence_score: 0.75,
      run_state: 'done',
      deliverables: [{ name: 'notes.txt', mime_type: 'text/plain', size_bytes: 5 }],
    })
  })

  it('should move a blocked task to the Blocked state and tell the human once, with the reason', async () => {
    const { t, ra, imhotep } = await start()
    await t.bridge.plane!.states.create(t.project.id, {
      name: 'Bloqué',
      group: 'started',
      color: '#e5484d',
    })
    await ra('create_task', { project: 'ONB', title: 'Certificats', assignee: 'imhotep' })
    await imhotep('update_task_status', { task: 'ONB-1', status: 'in_progress' })
    const noReason = await imhotep('update_task_status', { task: 'ONB-1', status: 'blocked' })
    expect(noReason).toMatchObject({ status: 409, body: { rule: 'blocked_reason' } })
    const blocked = await imhotep('update_task_status', {
      task: 'ONB-1',
      status: 'blocked',
      reason: 'le DNS du domaine ne répond pas',
    })
    expect(blocked.body).toMatchObject({
      status: 'blocked',
      state: 'Bloqué',
      timer_running_since: null,
    })
    await t.settle()
    const messages = sent(t).filter((m) => m.includes('Certificats'))
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain('le DNS du domaine ne répond pas')
  })

  it('should say that Plane failed, not that the agent is no member, when the workspace cannot be read', async () => {
    const { t, imhotep } = await start()
    // The members listing fails (a Django 500, not retried) the first time the bridge needs it.
    t.plane.faults.failWhen((r) => r.method === 'GET' && r.path.endsWith('/members/'), 100, 500)
    const call = await imhotep('list_my_tasks', {})
    expect(call.status).toBe(503)
    expect(call.body).toMatchObject({ error: 'plane_unavailable' })
    expect(call.body.message).toContain('/members/')
    expect(call.body.message).not.toContain('not a member')
    t.plane.faults.clear()
  })

  it('should write a status change’s comment once when the call is repeated after Plane took the change without it', async () => {
    const { t, ra, imhotep } = await start()
    const taskId = await imhotepTask(ra, 'Index')
    const finish = { task: 'ONB-1', status: 'done', summary: 'Index reconstruit.', confidence: 0.9 }
    const summaries = () => commentsWith(t, taskId, 'Index reconstruit.')
    // Plane takes the state, then answers the comment 500 (not retried: Plane's catch-all for deterministic
    // failures): the call fails after the change, as one that died there would.
    t.plane.faults.failWhen((r) => r.method === 'POST' && r.path.endsWith('/comments/'), 100, 500)
    const failed = await imhotep('update_task_status', finish)
    expect(failed.status).toBe(503)
    expect(t.plane.state.issues.get(taskId)?.state).toBe(t.state('Done').id)
    expect(summaries()).toHaveLength(0)
    t.plane.faults.clear()

    // The agent tries again: the task is already Done, and the summary is written now.
    const again = await imhotep('update_task_status', finish)
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ changed: false, comment_id: expect.any(String) })
    expect(summaries()).toHaveLength(1)
    // Once recorded, a repeat is a no-op.
    const repeat = await imhotep('update_task_status', finish)
    expect(repeat.body).toMatchObject({ changed: false, comment_id: null })
    expect(summaries()).toHaveLength(1)
  })

  it('should write a comment once when the agent repeats a call whose answer it lost, and tell the human once', async () => {
    const { t, ra, imhotep } = await start()
    const taskId = await imhotepTask(ra, 'Licence')
    const question = { task: 'ONB-1', kind: 'question', text: 'MIT ou Apache ?' }
    const written = (text: string) => commentsWith(t, taskId, text)
    // Plane saves the comment, then fails (its activity task cannot reach the broker) and answers 500, which
    // is not retried: the agent is told the call failed and, as it should, calls again.
    t.plane.faults.failAfterWhen((r) => r.method === 'POST' && r.path.endsWith('/comments/'), 1)
    const failed = await imhotep('add_comment', question)
    expect(failed.status).toBe(503)
    expect(written('MIT ou Apache ?')).toHaveLength(1)

    const again = await imhotep('add_comment', question)
    expect(again.status).toBe(200)
    const first = written('MIT ou Apache ?')
    expect(first).toHaveLength(1)
    expect(again.body).toMatchObject({ comment_id: first[0]?.id, human_notification: 'queued' })
    const third = await imhotep('add_comment', question)
    expect(third.body.comment_id).toBe(first[0]?.id)
    expect(written('MIT ou Apache ?')).toHaveLength(1)
    await t.settle()
    expect(sent(t).filter((text) => text.includes('MIT ou Apache ?'))).toHaveLength(1)

    // Another comment, or the same one from another kind, is a new comment.
    const note = await imhotep('add_comment', { ...question, kind: 'note' })
    expect(note.status).toBe(200)
    expect(note.body.comment_id).not.toBe(first[0]?.id)
    expect(written('MIT ou Apache ?')).toHaveLength(2)
  })

  it('should create one task when the Concierge repeats a create_task whose answer it lost, and wake once', async () => {
    const { t, ra } = await start()
    const dep = await ra('create_task', { project: 'ONB', title: 'Schéma', assignee: 'thot' })
    const input = {
      project: 'ONB',
      title: 'Migrer la base',
      assignee: 'imhotep',
      dependencies: [String(dep.body.ref)],
    }
    const named = () =>
      [...t.plane.state.issues.values()].filter((i) => i.name === 'Migrer la base' && !i.deleted_at)
    const wakes = () =>
      t.openclaw.calls.filter(
        (c) =>
          c.path === '/hooks/agent' &&
          (c.body as { agentId?: string }).agentId === 'imhotep' &&
          String((c.body as { message?: string }).message).includes('Migrer la base')
      )
    // Plane saves the work item, then answers 500 (not retried): the Concierge is told it failed.
    t.plane.faults.failAfterWhen((r) => r.method === 'POST' && r.path.endsWith('/work-items/'), 1)
    const failed = await ra('create_task', input)
    expect(failed.status).toBe(503)
    expect(named()).toHaveLength(1)

    const again = await ra('create_task', input)
    expect(again.status).toBe(200)
    expect(named()).toHaveLength(1)
    expect(again.body).toMatchObject({ id: named()[0]?.id, dependencies: [dep.body.ref] })
    const third = await ra('create_task', input)
    expect(third.body.id).toBe(named()[0]?.id)
    await t.settle()
    expect(named()).toHaveLength(1)
    expect(wakes()).toHaveLength(1)

    // Another title is another task.
    const other = await ra('create_task', { ...input, title: 'Migrer la base (2)' })
    expect(other.body.id).not.toBe(named()[0]?.id)
  })

  it('should create and set up a project, refuse someone else’s even when asked twice, and finish a repeat whose answer was lost', async () => {
    // Setting up two projects (and the webhook's own pass at each) takes more than Plane's 60 requests a minute
    // per key, which would only add a minute of waiting for the window here: a Plane with a raised limit.
    const { t, ra } = await start({
      plane: { rateLimitPerMinute: 1000 },
      env: { PLANE_API_RATE_LIMIT: '1000/minute' },
    })
    const projects = (identifier: string) =>
      [...t.plane.state.projects.values()].filter((p) => p.identifier === identifier)
    const setUp = (projectId: string) => {
      const members = t.plane.state.projectMembers
        .filter((m) => m.project === projectId && m.is_active)
        .map((m) => m.member)
      const labels = [...t.plane.state.labels.values()]
        .filter((l) => l.project === projectId && !l.deleted_at)
        .map((l) => l.name)
      return { members, labels }
    }
    const created = await ra('create_project', { name: 'Marketing', identifier: 'mkt' })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ identifier: 'MKT', name: 'Marketing', provisioned: true })
    expect(setUp(String(created.body.id))).toMatchObject({
      members: expect.arrayContaining([t.users.imhotep.id, t.users.thot.id]),
      labels: expect.arrayContaining(['agent:imhotep', 'agent:thot']),
    })

    // Someone else's project (here: the one just made, asked for again under another name) is refused.
    const taken = await ra('create_project', { name: 'Autre', identifier: 'MKT' })
    expect(taken.status).toBe(409)
    expect(taken.body).toMatchObject({ error: 'refused', message: expect.stringContaining('MKT') })
    // A person's project, asked for again word for word: refused both times, never taken over as a repeat.
    await t.plane.ui.createProject(t.users.ra!.id, { name: 'Support', identifier: 'SUP' })
    for (let i = 0; i < 2; i++) {
      const theirs = await ra('create_project', { name: 'Support', identifier: 'SUP' })
      expect(theirs.status).toBe(409)
      expect(theirs.body).toMatchObject({ error: 'refused' })
    }

    // Plane creates the project, then answers 500: the Concierge is told it failed and asks again.
    t.plane.faults.failAfterWhen((r) => r.method === 'POST' && r.path.endsWith('/projects/'), 1)
    const input = { name: 'Ventes', identifier: 'VEN', description: 'Le pipeline commercial.' }
    const failed = await ra('create_project', input)
    expect(failed.status).toBe(503)
    expect(projects('VEN')).toHaveLength(1)
    const again = await ra('create_project', input)
    expect(again.status).toBe(200)
    expect(projects('VEN')).toHaveLength(1)
    expect(again.body).toMatchObject({ id: projects('VEN')[0]?.id, provisioned: true })
    expect(setUp(String(again.body.id)).labels).toEqual(
      expect.arrayContaining(['agent:imhotep', 'agent:thot'])
    )
  })

  it('should let the bridge into a project the Concierge makes with its own key, and set it up (issue 46)', async () => {
    const { t, ra } = await start({
      agentKeys: true,
      plane: { rateLimitPerMinute: 1000 },
      env: { PLANE_API_RATE_LIMIT: '1000/minute' },
    })
    const members = (projectId: string) =>
      t.plane.state.projectMembers
        .filter((m) => m.project === projectId && m.is_active)
        .map((m) => ({ member: m.member, role: m.role }))
    const before = t.plane.requests.length
    const created = await ra('create_project', { name: 'Lancement', identifier: 'LAN' })
    expect(created).toMatchObject({ status: 200, body: { identifier: 'LAN', provisioned: true } })
    const id = String(created.body.id)
    // The set-up once (Plane's project.created delivery leaves it to the call), in the Concierge's window (its
    // project: only an Admin adds members) but for each agent's label, made with the agent's own key; the bridge's
    // key only reads, and the project is not listed again (read back already).
    const call = t.plane.requests.slice(before)
    const writes = (key: string) =>
      call
        .filter((r) => r.apiKey === key && r.method !== 'GET')
        .map((r) => `${r.method} ${r.path.replace(/^.*\/projects\/([^/]+\/)?/, '')}`)
        .sort()
    expect(writes(t.users.ra!.apiKey)).toEqual([
      'POST ', // the project
      'POST labels/', // agent:ra
      ...Array(1 + 2).fill('POST members/'), // the bridge, then two agents (Ra made it)
      'POST states/',
    ])
    expect(writes(t.users.imhotep.apiKey)).toEqual(['POST labels/'])
    expect(writes(t.users.thot.apiKey)).toEqual(['POST labels/'])
    expect(writes(t.users.bridge.apiKey)).toEqual([])
    const labels = [...t.plane.state.labels.values()]
      .filter((l) => l.project === id && !l.deleted_at)
      .map((l) => l.name)
    expect(labels.sort()).toEqual(['agent:imhotep', 'agent:ra', 'agent:thot'])
    const listings = call.filter(
      (r) => r.apiKey === t.users.ra!.apiKey && r.method === 'GET' && r.path.endsWith('/projects/')
    )
    expect(listings).toEqual([])
    expect(call.filter((r) => r.status >= 400)).toEqual([])
    // Made with Ra's key (its creator), the bridge let in as Admin, then the agents by the set-up.
    expect(t.plane.state.projects.get(id)?.created_by).toBe(t.users.ra!.id)
    expect(members(id)).toEqual(
      expect.arrayContaining([
        { member: t.users.bridge.id, role: 20 },
        { member: t.users.imhotep.id, role: 15 },
        { member: t.users.thot.id, role: 15 },
      ])
    )
    // Plane creates the next one, then answers 500: the repeat finds the bridge out still, and lets it in once.
    t.plane.faults.failAfterWhen((r) => r.method === 'POST' && r.path.endsWith('/projects/'), 1)
    const input = { name: 'Ventes', identifier: 'VEN' }
    expect((await ra('create_project', input)).status).toBe(503)
    // (Plane's project.created delivery of the failed call: set up on sight, with the bridge's key, meanwhile.)
    await t.settle()
    const beforeVen = t.plane.requests.length
    const again = await ra('create_project', input)
    expect(again).toMatchObject({ status: 200, body: { identifier: 'VEN', provisioned: true } })
    // Who the bridge's user is was kept in the store: the bridge's key is not asked again.
    const asked = t.plane.requests
      .slice(beforeVen)
      .filter((r) => r.apiKey === t.users.bridge.apiKey && r.path.endsWith('/users/me/'))
    expect(asked).toEqual([])
    const bridgeRows = members(String(again.body.id)).filter((m) => m.member === t.users.bridge.id)
    expect(bridgeRows).toEqual([{ member: t.users.bridge.id, role: 20 }])
    // And once more, the bridge already in: nothing added twice, the set-up done.
    const third = await ra('create_project', input)
    expect(third).toMatchObject({ status: 200, body: { provisioned: true } })
  })

  it("should name the Concierge's own key when Plane refuses it during create_project's set-up, and finish on the repeat", async () => {
    const { t, ra } = await start({
      agentKeys: true,
      plane: { rateLimitPerMinute: 1000 },
      env: { PLANE_API_RATE_LIMIT: '1000/minute' },
    })
    // A first project: the bridge's user is known from now on (its key is not asked who it is again).
    expect((await ra('create_project', { name: 'Lancement', identifier: 'LAN' })).status).toBe(200)
    // The set-up's first read with Ra's key (who it is) waits; meanwhile the operator revokes Ra's key in Plane.
    const held = t.plane.faults.holdWhen((r) => r.method === 'GET' && r.path.endsWith('/users/me/'))
    const input = { name: 'Ventes', identifier: 'VEN' }
    const call = ra('create_project', input)
    await held.reached
    const raKey = t.users.ra?.apiKey as string
    t.plane.seed.revokeKey(raKey)
    held.release()
    const refused = await call
    // Plane's refusal, said as one (was a 500 internal_error, its log naming the bridge's key).
    expect(refused).toMatchObject({ status: 502, body: { error: 'plane_error' } })
    const message = String(refused.body.message)
    expect(message).toContain('Project VEN was created, but its set-up stopped')
    expect(message).toContain('Plane refuses PLANE_TOKEN_RA')
    expect(message).toContain('set it in PLANE_TOKEN_RA')
    expect(message).not.toContain('PLANE_API_KEY')
    expect(message).not.toContain(raKey)
    // Ra's key works again (the operator's fix): the same call returns the project and finishes its set-up.
    const token = t.plane.state.tokens.get(raKey)
    if (token) token.is_active = true
    const again = await ra('create_project', input)
    expect(again).toMatchObject({ status: 200, body: { identifier: 'VEN', provisioned: true } })
    const projects = [...t.plane.state.projects.values()].filter((p) => p.identifier === 'VEN')
    expect(projects).toHaveLength(1)
  })

  it('should attach a deliverable once when the agent repeats an upload whose answer it lost', async () => {
    const { t, ra, imhotep } = await start()
    const taskId = await imhotepTask(ra, 'Rapport')
    const upload = {
      task: 'ONB-1',
      filename: 'rapport.md',
      content_base64: Buffer.from('# Rapport\n').toString('base64'),
    }
    const attached = () =>
      [...t.plane.state.attachments.values()].filter(
        (a) => a.issue === taskId && a.is_uploaded && !a.deleted_at
      )
    const linked = () => commentsWith(t, taskId, 'rapport.md')
    // Plane marks the upload done (step 3), then answers 500: the file is there, the call failed.
    t.plane.faults.failAfterWhen((r) => r.method === 'PATCH' && r.path.includes('/attachments/'), 1)
    expect((await imhotep('upload_deliverable', upload)).status).toBe(503)
    expect(attached()).toHaveLength(1)
    const again = await imhotep('upload_deliverable', upload)
    expect(again.status).toBe(200)
    expect(attached()).toHaveLength(1)
    expect(again.body).toMatchObject({ attachment_id: attached()[0]?.id })
    expect(linked()).toHaveLength(1)

    // Its link comment saved, then a 500: the repeat returns that comment, not a second one.
    t.plane.faults.failAfterWhen((r) => r.method === 'POST' && r.path.endsWith('/comments/'), 1)
    const second = { ...upload, filename: 'annexe.md' }
    expect((await imhotep('upload_deliverable', second)).status).toBe(503)
    const repeat = await imhotep('upload_deliverable', second)
    expect(repeat.status).toBe(200)
    expect(attached()).toHaveLength(2)
    const annexLinks = commentsWith(t, taskId, 'annexe.md')
    expect(annexLinks.map((c) => c.id)).toEqual([repeat.body.comment_id])
    const details = await imhotep('get_task_details', { task: 'ONB-1' })
    expect(details.body.deliverables).toHaveLength(2)
  })

  it('should make an agent a project member when Plane silently dropped it as assignee (makeplane/plane#9517)', async () => {
    const { t, ra } = await start({
      extraAgents: (plane) => {
        plane.seed.user({
          email: 'seshat@javisi.local',
          display_name: 'seshat',
          first_name: 'Seshat',
        })
        return [
          {
            id: 'seshat',
            name: 'Seshat',
            role: 'member',
            planeUser: 'seshat@javisi.local',
            openclawAgentId: 'seshat',
            tags: [],
          },
        ]
      },
    })
    const seshat = [...t.plane.state.users.values()].find((u) => u.email === 'seshat@javisi.local')!
    const isMember = () =>
      t.plane.state.projectMembers.some((m) => m.project === t.project.id && m.member === seshat.id)
    expect(isMember()).toBe(false)
    const created = await ra('create_task', {
      project: 'ONB',
      title: 'Archiver',
      assignee: 'seshat',
    })
    expect(created.status).toBe(200)
    expect(isMember()).toBe(true)
    expect(t.plane.state.issues.get(String(created.body.id))?.assignees).toContain(seshat.id)
  })

  it('should record dependencies as Plane relations on v1.3 and gate on them too', async () => {
    const { t, ra, imhotep } = await start({ plane: { version: '1.3' } })
    await ra('create_task', { project: 'ONB', title: 'Schéma', assignee: 'thot' })
    const b = await ra('create_task', {
      project: 'ONB',
      title: 'Migration',
      assignee: 'imhotep',
      dependencies: ['ONB-1'],
    })
    expect(b.body).toMatchObject({ relations: 'recorded' })
    expect(t.plane.state.relations.length).toBeGreaterThan(0)
    // The bridge's own record lost: Plane's relation still holds the gate.
    await t.services.store.delete(runRecordKey(String(b.body.id)))
    const cards = [...t.plane.state.comments.values()].filter((c) => c.issue === b.body.id)
    for (const card of cards) t.plane.state.comments.delete(card.id)
    const refused = await imhotep('update_task_status', { task: 'ONB-2', status: 'in_progress' })
    expect(refused).toMatchObject({ status: 409, body: { open_dependencies: ['ONB-1'] } })
  })
})
