/**
 * Fast tools, frugal with Plane (issue 32), at the size the issue measured: two projects of 1,500 finished tasks (a
 * workspace months old), ten agents, Plane's own throttle on (60 requests a minute per key, sliding window) and the
 * bridge keeping to it. list_my_tasks answers from the index of work items: a storm of ten agents right after a deploy
 * costs one listing per project and no 429; once the index is fresh, a call costs no Plane request at all.
 */
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { AgentConfig } from '../../shared/agents/registry.ts'
import { createRequestWindow } from '../../shared/plane/request-window.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { startE2E } from '../../sim/e2e/harness.ts'
import type { PlaneSim } from '../../sim/plane/index.ts'
import { virtualClock } from '../helpers/clock.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

const NAMES = ['anubis', 'bastet', 'horus', 'isis', 'osiris', 'ptah', 'sekhmet', 'sobek']
const tokenOf = (id: string) => `pbt_${id}_0123456789abcdefghijklmnopqrstuvwxyz`

/** Eight more agents (ten with Imhotep and Thot), each a Plane user with its bridge token. */
function moreAgents(plane: PlaneSim): AgentConfig[] {
  return NAMES.map((id) => {
    plane.seed.user({ email: `${id}@javisi.local`, display_name: id })
    return {
      id,
      name: id[0]?.toUpperCase() + id.slice(1),
      role: 'member' as const,
      planeUser: `${id}@javisi.local`,
      openclawAgentId: id,
      tags: [],
      bridgeTokenSha256: createHash('sha256').update(tokenOf(id)).digest('hex'),
    }
  })
}

/** 1,500 finished tasks in each of two projects, and two open tasks per agent spread over them. */
function monthsOfHistory(t: E2E): { open: Map<string, string[]> } {
  const design = t.plane.seed.project({
    name: 'Design',
    identifier: 'DES',
    creator: t.users.bridge.id,
  })
  const users = [...t.plane.state.users.values()]
  const agentIds = ['imhotep', 'thot', ...NAMES]
  for (const project of [t.project.id, design.id])
    for (const user of users) t.plane.seed.member(project, user.id, 15)
  const stateOf = (project: string, name: string) =>
    [...t.plane.state.states.values()].find((s) => s.project === project && s.name === name)?.id
  for (const project of [t.project.id, design.id]) {
    const done = stateOf(project, 'Done')
    for (let i = 0; i < 1500; i++)
      t.plane.seed.workItem(project, {
        name: `Tâche finie ${i}`,
        state: done,
        assignees: [users[i % users.length]?.id ?? ''],
      })
  }
  const open = new Map<string, string[]>()
  for (const [i, agent] of agentIds.entries()) {
    const user = users.find((u) => u.email === `${agent}@javisi.local`)
    for (const project of [t.project.id, design.id]) {
      const item = t.plane.seed.workItem(project, {
        name: `À faire par ${agent} (${i})`,
        state: stateOf(project, 'Todo'),
        assignees: [user?.id ?? ''],
      })
      open.set(agent, [...(open.get(agent) ?? []), item.id])
    }
  }
  return { open }
}

const tokens = (t: E2E, agent: string) => t.bridgeTokens[agent] ?? tokenOf(agent)

describe('list_my_tasks from the index (issue 32)', () => {
  it('should answer a storm of ten agents after a deploy with one listing per project and no 429, then with no Plane request', async () => {
    // Plane's window on a clock the waits move: the run cards the check-ins marked are written at settle, in the
    // background share of the bridge key's window, without the test waiting a real minute for it.
    const clock = virtualClock()
    e2e = await startE2E({
      extraAgents: moreAgents,
      now: clock.now,
      sleep: clock.sleep,
      plane: { now: clock.now },
    })
    const t = e2e
    const { open } = monthsOfHistory(t)
    const agents = ['imhotep', 'thot', ...NAMES]

    const before = t.plane.requests.length
    const answers = await Promise.all(
      agents.map((a) => callHttp(t.app, 'list_my_tasks', tokens(t, a), {}))
    )
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).toBe(200)
      const ids = (answer.body.tasks as Array<{ id: string }>).map((task) => task.id).sort()
      expect(ids).toEqual([...(open.get(agents[i] as string) ?? [])].sort())
    }
    const storm = t.plane.requests.slice(before)
    expect(storm.filter((r) => r.status === 429)).toEqual([])
    // Each project listed once for all ten (1,502 items: two pages of Plane's largest), not once per agent.
    const listings = storm.filter(
      (r) => r.method === 'GET' && /\/projects\/[^/]+\/work-items\/$/.test(r.path)
    )
    expect(listings.length).toBeLessThanOrEqual(4)

    // A listing checks each task's run in without a run card: twenty cards would spend the bridge key's window
    // on tasks the agents have only seen.
    await t.settle()
    const cards = t.plane.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.path.endsWith('/comments/'))
    expect(cards).toEqual([])
    // The index is fresh now: the same calls ask Plane nothing.
    const quiet = t.plane.requests.length
    const again = await Promise.all(
      agents.map((a) => callHttp(t.app, 'list_my_tasks', tokens(t, a), {}))
    )
    expect(again.every((a) => a.status === 200 && a.body.count === 2)).toBe(true)
    expect(again[0]?.body.as_of).toEqual(expect.any(String))
    await t.settle()
    expect(t.plane.requests.slice(quiet)).toEqual([])
  }, 60_000)

  it('should see a task given to an agent through the API (no webhook on v1.2) once the index is stale', async () => {
    let offset = 0
    // v1.2: an API write fires no webhook (v1.3 would tell the bridge at once).
    e2e = await startE2E({ now: () => Date.now() + offset, plane: { version: '1.2' } })
    const t = e2e
    await runPollCycle({ ...t.services, ...t.bridge })
    const first = await callHttp(t.app, 'list_my_tasks', t.bridgeTokens.thot as string, {})
    expect(first.body.count).toBe(0)
    // Another client assigns a task to Thot through the API: Plane v1.2 tells nobody.
    const item = t.plane.seed.workItem(t.project.id, { name: 'Relire', state: t.state('Todo').id })
    await t.bridge.plane?.workItems.update(t.project.id, item.id, {
      assignees: [t.users.thot.id],
    })
    // Within the poll interval the index is trusted as it is...
    const fresh = await callHttp(t.app, 'list_my_tasks', t.bridgeTokens.thot as string, {})
    expect(fresh.body.count).toBe(0)
    // ...past it, one incremental listing brings the task in.
    offset += 7 * 60_000
    const stale = await callHttp(t.app, 'list_my_tasks', t.bridgeTokens.thot as string, {})
    expect(stale.body).toMatchObject({ count: 1, tasks: [{ title: 'Relire', status: 'todo' }] })
  })
})

describe('Plane’s request window shared by a poll and a tool call (issue 32)', () => {
  it('should answer a tool call while a poll waits for the bridge key’s window, ahead of it', async () => {
    // Sleeps are held while `holding`: the poll stays parked on the full window, as it would for a real minute.
    const clock = virtualClock()
    let holding = true
    const parked: Array<() => void> = []
    const sleep = (ms: number) =>
      holding
        ? new Promise<void>((resolve) =>
            parked.push(() => {
              clock.advance(ms)
              resolve()
            })
          )
        : clock.sleep(ms)
    e2e = await startE2E({ now: clock.now, sleep, plane: { now: clock.now } })
    const t = e2e
    const task = t.plane.seed.workItem(t.project.id, {
      name: 'Relire la charte',
      state: t.state('In Progress').id,
      assignees: [t.users.imhotep.id],
    })
    const plane = t.bridge.plane
    if (!plane) throw new Error('no Plane client')
    // Background work spends its share of the window (40 of 60): the 41st of these and the poll's first request
    // wait for the window to slide.
    const filling = Promise.all(Array.from({ length: 41 }, () => plane.projects.list()))
    // The bridge key's window as every client of the key in this runtime shares it (request-window.ts: one window state per key
    // in the runtime's key windows).
    const window = createRequestWindow({
      apiKey: t.users.bridge.apiKey,
      shared: t.services.store,
      keyWindows: t.bridge.planeWindows,
      now: clock.now,
    })
    await expect.poll(() => window.state()).toEqual({ inWindow: 40, waiting: 1 })
    const poll = runPollCycle({ ...t.services, ...t.bridge })
    // The poll's listing waits too (its directory refresh, read at an agent's priority, went through).
    await expect.poll(() => window.state().waiting).toBeGreaterThan(1)
    const before = t.plane.requests.length

    const details = await callHttp(t.app, 'get_task_details', t.bridgeTokens.imhotep as string, {
      task: `ONB-${task.sequence_id}`,
    })
    expect(details.status).toBe(200)
    const during = t.plane.requests.slice(before)
    // The call went ahead of the poll: the window did not slide (no sleep was let go), the poll's listing and
    // the 41st request still wait, and every request Plane got meanwhile was the bridge key's, none refused.
    expect(parked).toHaveLength(1)
    expect(window.state().waiting).toBeGreaterThan(0)
    expect(during.some((r) => r.path.endsWith(`/work-items/${task.id}/comments/`))).toBe(true)
    expect(during.every((r) => r.apiKey === t.users.bridge.apiKey && r.status !== 429)).toBe(true)

    holding = false
    for (const wake of parked.splice(0)) wake()
    await filling
    const report = await poll
    expect(report.failedProjects).toEqual([])
    expect(t.plane.requests.filter((r) => r.status === 429)).toEqual([])
  })
})
