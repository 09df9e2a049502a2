/**
 * A task deleted in Plane (issue 37): Plane sends no webhook for it (makeplane/plane#8054), so the poll (or a 404 on
 * a tool's read, or an `issue.deleted` delivery if Plane ever sends one) notices it: the task leaves the index, its
 * run is cancelled (reason deleted) and its deadlines dropped, its agent told to stop, the task that waited for it
 * released, and the human told when an agent was working on it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { signPlaneBody } from '../../shared/plane/webhook-signature.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { runRecordKey } from '../../shared/runs/records.ts'
import { DUE_SET } from '../../shared/runs/tracker.ts'
import type { RunRecord } from '../../shared/runs/types.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { type E2E, startE2E, WEBHOOK_SECRET } from '../../sim/e2e/harness.ts'
import { virtualClock } from '../helpers/clock.ts'

let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

async function start() {
  const clock = virtualClock()
  const t = await startE2E({
    concierge: true,
    now: clock.now,
    sleep: clock.sleep,
    plane: { now: clock.now },
  })
  e2e = t
  const as = (agent: 'imhotep' | 'thot' | 'ra') => async (tool: string, input: unknown) => {
    const result = await callHttp(t.app, tool, t.bridgeTokens[agent] as string, input)
    return result
  }
  const poll = async () => {
    clock.advance(5 * 60_000)
    const report = await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    return report
  }
  return { t, clock, poll, ra: as('ra'), imhotep: as('imhotep'), thot: as('thot') }
}

const wakesTo = (t: E2E, agent: string) =>
  t.openclaw.calls
    .filter((c) => c.path === '/hooks/agent' && (c.body as { agentId?: string }).agentId === agent)
    .map((c) => String((c.body as { message?: string }).message))
const sent = (t: E2E) =>
  t.telegram
    .callsOf('sendMessage')
    .filter((c) => c.status === 200)
    .map((c) => String(c.params.text))
const record = (t: E2E, taskId: string) => t.services.store.get<RunRecord>(runRecordKey(taskId))

describe('tasks deleted in Plane (issue 37)', () => {
  it('should forget a task deleted in Plane at the next poll: its agent stopped, its run cancelled, its dependent released, the human told once', async () => {
    const { t, poll, ra, imhotep, thot } = await start()
    const first = await ra('create_task', {
      project: 'ONB',
      title: 'Préparer',
      assignee: 'imhotep',
    })
    const ref = String(first.body.ref)
    const second = await ra('create_task', {
      project: 'ONB',
      title: 'Livrer',
      assignee: 'thot',
      dependencies: [ref],
    })
    await t.settle()
    const firstId = String(first.body.id)
    const secondId = String(second.body.id)
    // Imhotep takes its task; Thot's waits for it (start refused).
    expect((await imhotep('update_task_status', { task: ref, status: 'in_progress' })).status).toBe(
      200
    )
    expect(
      (await thot('update_task_status', { task: String(second.body.ref), status: 'in_progress' }))
        .status
    ).toBe(409)
    await poll()
    expect((await record(t, firstId))?.state).toBe('active')
    const listed = await imhotep('list_my_tasks', {})
    expect(JSON.stringify(listed.body)).toContain(ref)

    // A person deletes it in Plane's web UI: no webhook (makeplane/plane#8054).
    await t.plane.ui.deleteWorkItem(t.users.bridge.id, firstId)
    await t.settle()
    expect(t.plane.webhooks.deliveries.filter((d) => d.action === 'deleted')).toEqual([])
    const before = wakesTo(t, 'imhotep').length

    const report = await poll()
    expect(report.deleted).toEqual([firstId])
    const stop = wakesTo(t, 'imhotep').slice(before)
    expect(stop).toHaveLength(1)
    expect(stop[0]).toContain('supprimée dans Plane')
    const closed = await record(t, firstId)
    expect(closed?.state).toBe('cancelled')
    expect(closed?.previous?.at(-1)).toMatchObject({ agentId: 'imhotep', reason: 'deleted' })
    const due = await t.services.store.sortedRange(DUE_SET)
    expect(due.filter((d) => d.member.includes(firstId))).toEqual([])
    expect(JSON.stringify((await imhotep('list_my_tasks', {})).body)).not.toContain(ref)
    // Thot's task no longer waits for a task that cannot be done: released once, and it may start.
    const released = wakesTo(t, 'thot').filter((w) => w.includes('débloquée'))
    expect(released).toHaveLength(1)
    expect(released[0]).toContain(ref)
    expect(
      (await thot('update_task_status', { task: String(second.body.ref), status: 'in_progress' }))
        .status
    ).toBe(200)
    expect((await record(t, secondId))?.dependencies).toEqual([])
    const told = sent(t).filter((text) => text.includes('supprimée dans Plane'))
    expect(told).toHaveLength(1)
    expect(told[0]).toContain('Imhotep')

    // Another poll: nothing more, and the task is not back.
    await poll()
    expect(sent(t).filter((text) => text.includes('supprimée dans Plane'))).toHaveLength(1)
    expect(wakesTo(t, 'imhotep').slice(before)).toHaveLength(1)
    expect(await t.bridge.pipeline.snapshot(firstId)).toBeNull()
  })

  it('should forget a task an agent reads after its deletion (404), and tell nobody about a task no agent worked on', async () => {
    const { t, imhotep } = await start()
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Oubliée',
      assignees: [t.users.imhotep.id],
      state: t.state('Todo').id,
    })
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    const ref = `ONB-${item.sequence_id}`
    await t.plane.ui.deleteWorkItem(t.users.bridge.id, item.id)
    // The agent was woken for it but never checked in: its run was only pending.
    const read = await imhotep('get_task_details', { task: ref })
    expect(read.status).toBe(404)
    await t.settle()
    expect(await t.bridge.pipeline.snapshot(item.id)).toBeNull()
    expect(JSON.stringify((await imhotep('list_my_tasks', {})).body)).not.toContain(ref)
    expect((await record(t, item.id))?.state).toBe('cancelled')
    expect(sent(t).some((text) => text.includes('supprimée'))).toBe(false)
    const due = await t.services.store.sortedRange(DUE_SET)
    expect(due.filter((d) => d.member.includes(item.id))).toEqual([])
  })

  it('should forget a task on an issue.deleted delivery, should Plane send one', async () => {
    const { t } = await start()
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Supprimée par webhook',
      assignees: [t.users.thot.id],
      state: t.state('In Progress').id,
    })
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(await t.bridge.index.openTasks('thot')).toEqual([item.id])
    const body = JSON.stringify({
      event: 'issue',
      action: 'deleted',
      webhook_id: crypto.randomUUID(),
      workspace_id: crypto.randomUUID(),
      data: { id: item.id },
      activity: { field: null, new_value: null, old_value: null, actor: null },
    })
    const res = await t.app.request('/webhooks/plane', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-plane-signature': await signPlaneBody(body, WEBHOOK_SECRET),
      },
    })
    expect(res.status).toBe(200)
    await t.settle()
    expect(await t.bridge.index.openTasks('thot')).toEqual([])
    expect(await t.bridge.pipeline.snapshot(item.id)).toBeNull()
    // Adopted at the deploy (started, first seen by a poll): Thot's run was under way.
    expect(sent(t).filter((text) => text.includes('supprimée dans Plane'))).toHaveLength(1)
  })
})
