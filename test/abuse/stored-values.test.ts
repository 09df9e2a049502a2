/**
 * What a delivery, a listing or a tool call may put in the store (issue 38): names cut to Plane's 255 characters,
 * junk ids refused before they reach the store, the index or a Plane URL, on the real app and its simulators.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { COMPACT_MIN_BYTES, JOURNAL_FILE } from '../../runtime/node-journal.ts'
import { createNodeStore } from '../../runtime/node-store.ts'
import { loadConfig } from '../../shared/core/config.ts'
import type { TaskSnapshot } from '../../shared/events.ts'
import { LIST_MAX_ITEMS, PLANE_NAME_MAX_CHARS } from '../../shared/plane/limits.ts'
import { snapshotFromWorkItem } from '../../shared/plane/normalize.ts'
import { signPlaneBody } from '../../shared/plane/webhook-signature.ts'
import { listUnreadable } from '../../shared/poll/webhook-unreadable.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { startE2E, WEBHOOK_SECRET } from '../../sim/e2e/harness.ts'
import { makeIssueWebhook, makeUuid, makeWorkItem } from '../fixtures/plane.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const JUNK_IDS = ['NaN', 'undefined', 'x'.repeat(200_000)]
const shown = (id: string) => (id.length > 20 ? `a ${id.length}-character string` : id)

/** A work item delivery for the simulated project, as Plane signs it. */
async function deliver(t: E2E, data: Record<string, unknown>) {
  const todo = t.state('Todo')
  const body = JSON.stringify(
    makeIssueWebhook({
      action: 'updated',
      data: {
        project: t.project.id,
        state: { id: todo.id, name: 'Todo', color: '#fff', group: 'unstarted' },
        labels: [],
        assignees: [],
        ...data,
      },
      activity: { field: 'name', old_value: 'before', new_value: null, actor: null },
    })
  )
  const response = await t.app.request('/webhooks/plane', {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-plane-event': 'issue',
      'x-plane-signature': await signPlaneBody(body, WEBHOOK_SECRET),
    },
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('what a delivery may put in the store', () => {
  it('should store 71 deliveries of a 900 KB name cut to 255 characters, in a small journal that loads again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-abuse-'))
    dirs.push(dir)
    const config = loadConfig({ DATA_DIR: dir })
    const t = await startE2E({ store: (hooks) => createNodeStore(config, hooks) })
    e2e = t
    const ids = Array.from({ length: 71 }, (_, i) => makeUuid(0x71000 + i))
    for (const [i, id] of ids.entries()) {
      const outcome = await deliver(t, {
        id,
        sequence_id: 100 + i,
        name: `${i} ${'n'.repeat(900_000)}`,
        updated_at: new Date(Date.UTC(2026, 2, 2, 10, 0, i)).toISOString(),
      })
      expect(outcome).toEqual({ status: 200, body: { status: 'accepted' } })
    }
    await t.settle()
    const names = await Promise.all(
      ids.map(async (id) => (await t.bridge.pipeline.snapshot(id))?.name)
    )
    for (const [i, name] of names.entries()) {
      expect(name).toHaveLength(PLANE_NAME_MAX_CHARS)
      expect(name?.startsWith(`${i} nnn`)).toBe(true)
      expect(name?.endsWith('…')).toBe(true)
    }
    // The bodies pass through the journal as they came (64 MB in all), each removed once read: compaction keeps the
    // file near its threshold, a body or two over it, where the snapshots and pending changes hold the cut names.
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBeLessThan(COMPACT_MIN_BYTES + 2 * 1024 * 1024)
    await t.stop()
    e2e = null
    const again = createNodeStore(config)
    const snapshot = await again.get<TaskSnapshot>(`task:snapshot:${ids[70]}`)
    expect(snapshot?.name).toHaveLength(PLANE_NAME_MAX_CHARS)
    await again.dispose()
  })

  it.each(JUNK_IDS.map((id) => [shown(id), id]))(
    'should keep apart a delivery whose work item id is %s, storing nothing of it elsewhere',
    async (_name, junk) => {
      const t = await startE2E()
      e2e = t
      const before = await t.services.store.keys()
      expect(await deliver(t, { id: junk, name: 'Junk' })).toMatchObject({ status: 200 })
      const assigned = await deliver(t, {
        id: makeUuid(0x7100),
        name: 'Assigned to a junk member',
        assignees: [{ id: junk, display_name: 'imhotep' }],
      })
      expect(assigned.status).toBe(200)
      await t.settle()
      const kept = await listUnreadable(t.services.store, t.services.now)
      expect(kept.map((k) => k.message).sort()).toEqual([
        expect.stringContaining('assignees.0.id: must be a Plane id (a UUID)'),
        expect.stringContaining('id: must be a Plane id (a UUID)'),
      ])
      for (const { message } of kept) expect(message.length).toBeLessThan(1000)
      const keys = await t.services.store.keys()
      expect(keys.filter((key) => key.includes(junk.slice(0, 30)))).toEqual([])
      // No snapshot, pending change, index nor run: the delivery's own marks, the entries kept apart, the message
      // that told the human and its contact record.
      const added = keys.filter((key) => !before.includes(key))
      const own =
        /^(webhook:|index:webhook-unreadable$|alert:webhook-unreadable$|outbox:|status:contact)/
      expect(added.filter((key) => !own.test(key))).toEqual([])
      expect(await t.bridge.index.openTasks('imhotep')).toEqual([])
    }
  )
})

describe('what a tool call may ask of Plane', () => {
  it.each(JUNK_IDS.map((id) => [shown(id), id]))(
    'should answer invalid_input to the task %s, asking Plane nothing with it',
    async (_name, junk) => {
      const t = await startE2E({ concierge: true })
      e2e = t
      const call = (agent: 'imhotep' | 'ra', tool: string, input: unknown) =>
        callHttp(t.app, tool, t.bridgeTokens[agent] as string, input)
      const calls = [
        await call('imhotep', 'get_task_details', { task: junk }),
        await call('imhotep', 'update_task_status', { task: junk, status: 'in_progress' }),
        await call('imhotep', 'add_comment', { task: junk, text: 'hello' }),
        await call('imhotep', 'start_timer', { task: junk }),
        await call('ra', 'create_task', { project: 'ONB', title: 'x', dependencies: [junk] }),
      ]
      for (const answer of calls) {
        expect(answer.status).toBe(400)
        expect(answer.body.error).toBe('invalid_input')
        expect(JSON.stringify(answer.body).length).toBeLessThan(1000)
      }
      const asked = t.plane.requests.filter((r) => r.path.includes(junk.slice(0, 30)))
      expect(asked).toEqual([])
    }
  )

  it('should never ask Plane for work-items/undefined/ when a junk id sits in the index from before', async () => {
    const t = await start()
    const { store } = t.services
    const todo = t.state('Todo')
    // What a delivery of an earlier version left: `undefined` and `NaN` as Imhotep's open tasks.
    for (const junk of ['undefined', 'NaN']) {
      const snapshot: TaskSnapshot = {
        id: junk,
        projectId: t.project.id,
        sequenceId: 999,
        name: 'junk',
        state: { id: todo.id, name: 'Todo', group: 'unstarted' },
        assigneeIds: [t.users.imhotep.id],
        labels: [],
        priority: 'none',
        targetDate: null,
        completedAt: null,
        updatedAt: '2026-03-01T10:00:00.000Z',
      }
      await store.set(`task:snapshot:${junk}`, snapshot)
      await store.sortedAdd('index:open:imhotep', junk, 1)
    }
    const listed = await callHttp(t.app, 'list_my_tasks', t.bridgeTokens.imhotep as string, {})
    expect(listed.status).toBe(200)
    expect(listed.body.tasks).toEqual([])
    await t.settle()
    const asked = t.plane.requests.filter((r) => /\/work-items\/(undefined|NaN)\//.test(r.path))
    expect(asked).toEqual([])
    expect(await store.sortedRange('index:open:imhotep')).toEqual([])
  })
})

describe("what the poll keeps of Plane's listing", () => {
  it('should cut names and lists, and drop an item whose id is not a Plane id', () => {
    for (const junk of JUNK_IDS) {
      expect(snapshotFromWorkItem(makeWorkItem({ id: junk }))).toBeNull()
      expect(snapshotFromWorkItem(makeWorkItem({ project: junk }))).toBeNull()
    }
    const labels = Array.from({ length: 1000 }, (_, i) => ({
      id: makeUuid(0x8000 + i),
      name: `label-${String(i).padStart(4, '0')}-${'l'.repeat(10_000)}`,
    }))
    const snapshot = snapshotFromWorkItem(
      makeWorkItem({
        name: 'n'.repeat(900_000),
        labels,
        assignees: [makeUuid(0xc2), 'NaN', 'x'.repeat(200_000)],
        state: { id: makeUuid(0xd1), name: 's'.repeat(10_000), group: 'started' },
        priority: 'p'.repeat(10_000),
      })
    )
    expect(snapshot?.name).toHaveLength(PLANE_NAME_MAX_CHARS)
    expect(snapshot?.state?.name).toHaveLength(PLANE_NAME_MAX_CHARS)
    expect(snapshot?.labels).toHaveLength(LIST_MAX_ITEMS)
    expect(snapshot?.labels.every((l) => l.length === PLANE_NAME_MAX_CHARS)).toBe(true)
    expect(snapshot?.assigneeIds).toEqual([makeUuid(0xc2)])
    expect(JSON.stringify(snapshot).length).toBeLessThan(LIST_MAX_ITEMS * 300)
  })
})

async function start() {
  e2e = await startE2E()
  return e2e
}
