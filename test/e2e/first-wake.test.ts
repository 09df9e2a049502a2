/**
 * The first wake after a deploy never waits for the set-up jobs' Plane requests. `check` and `provision`, run as
 * their own processes on the server's store, count every request of the bridge's key in its window, at background
 * work's share (40 of 60); the server's start lists what a wake names (projects, members); what a wake still asks of
 * Plane goes at an agent's priority, in the share background work never takes. A wake that waits all the same is
 * logged. A user saw 41.7 s once: the run card read before the wake waited at background priority behind the jobs.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { probeAtStart } from '../../shared/check/start-probe.ts'
import {
  createRequestWindow,
  DEFAULT_RATE_LIMIT,
  lateness,
  sharedWindowKey,
  windowCeiling,
} from '../../shared/plane/request-window.ts'
import { WINDOW_WAIT_REPORTED_MS } from '../../shared/plane/transport.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { type E2E, sideRuntime, startE2E } from '../../sim/e2e/harness.ts'
import { runJobCli } from './run-cli.ts'

let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

/** Projects beside ONB: enough for `check` and `provision` to spend what the user's workspace had them spend. */
const MORE_PROJECTS = 6

async function deployed() {
  // One clock for the bridge's processes and Plane's throttle: a wait for the window moves it instead of sleeping.
  let offset = 0
  const now = () => Date.now() + offset
  const sleep = async (ms: number) => {
    offset += ms
  }
  /** The server's waits, each as long as it was. */
  const waits: number[] = []
  const t = await startE2E({
    now,
    sleep: async (ms) => {
      waits.push(ms)
      await sleep(ms)
    },
    plane: { now },
  })
  e2e = t
  for (let i = 1; i <= MORE_PROJECTS; i++)
    t.plane.seed.project({ name: `Projet ${i}`, identifier: `PR${i}`, creator: t.users.bridge.id })
  const human = t.plane.seed.user({ email: 'human@javisi.local', display_name: 'human', role: 20 })
  const task = t.plane.seed.workItem(t.project.id, {
    name: 'Configurer Redis',
    state: t.state('Todo').id,
  })
  const bridgeKey = t.users.bridge.apiKey
  const span = DEFAULT_RATE_LIMIT.windowMs + lateness(DEFAULT_RATE_LIMIT.windowMs)
  return {
    t,
    now,
    sleep,
    human,
    task,
    waits,
    /** Requests of the bridge's key Plane saw, from an index into its request log. */
    bridgeRequests: (from = 0) =>
      t.plane.requests.slice(from).filter((r) => r.apiKey === bridgeKey),
    /**
     * Starts of the bridge's key in its window as the store counts it for every process. Read as a take with a
     * ceiling of 1, refused once the window holds a start (the server's probe makes the first): it takes none.
     */
    async inWindow() {
      const window = sharedWindowKey(bridgeKey, DEFAULT_RATE_LIMIT)
      const read = await t.services.store.windowTake(window, {
        nowMs: now(),
        windowMs: span,
        ceiling: 1,
      })
      expect(read.taken).toBe(false)
      return read.count
    },
    /**
     * Another process spends the bridge's key, at a person's priority (no Plane request is made), until the window
     * holds `count` starts; returns what it holds then. Read again after each spending: the clock is real time plus
     * the jumps of every wait (provision's waits for background work's share among them), so the oldest starts may
     * leave the window while it spends (a loaded CI read 49 after spending up to 50).
     */
    async fillTo(count: number) {
      const other = createRequestWindow({ apiKey: bridgeKey, shared: t.services.store, now, sleep })
      for (let round = 0; round < 5; round++) {
        const held = await this.inWindow()
        if (held >= count) return held
        for (let i = held; i < count; i++) await other.acquire('human')
      }
      return this.inWindow()
    },
  }
}

type Deployed = Awaited<ReturnType<typeof deployed>>

/**
 * A person's change in Plane's UI that gives Imhotep the task named `name`: the bridge's Plane requests and the
 * server's waits from the webhook until OpenClaw admitted the wake.
 */
async function wakeOn(d: Deployed, name: string, change: () => Promise<unknown>) {
  const { t } = d
  const from = t.plane.requests.length
  const waitsFrom = d.waits.length
  const admitted = () =>
    t.openclaw.calls.filter(
      (c) =>
        c.path === '/hooks/agent' &&
        c.status < 300 &&
        String((c.body as { message?: string }).message).includes(name)
    )
  await change()
  // Polled, not timed: the requests made before the wake are the ones it waited on.
  await vi.waitFor(() => expect(admitted()).toHaveLength(1), { timeout: 30_000, interval: 5 })
  return { requests: d.bridgeRequests(from), waits: d.waits.slice(waitsFrom) }
}

const assign = (d: Deployed) =>
  wakeOn(d, 'Configurer Redis', () =>
    d.t.plane.ui.updateWorkItem(d.human.id, d.task.id, { assignee_ids: [d.t.users.imhotep.id] })
  )

const waitedForWindow = (t: E2E) =>
  t.services.logs.filter((l) => l.msg === "waited for Plane's window")
const path = (r: { method: string; path: string }) =>
  `${r.method} ${r.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')}`

describe('the first wake after a deploy (check and provision just run)', () => {
  it('should wake the agent with no wait for the key’s window, its few Plane requests at an agent’s priority', async () => {
    const d = await deployed()
    const { t } = d
    // The server starts: its probe lists the workspace (the directory's listing too).
    await probeAtStart({ ...t.services, ...t.bridge })
    // The set-up jobs, each its own process on the server's store.
    const jobs = await sideRuntime(t, { store: t.services.store, now: d.now, sleep: d.sleep })
    const check = await runJobCli(jobs, ['check'])
    expect(check.out).toContain('✓ plane workspace')
    // Every request the check made counted in the window every process shares, as Plane counts them.
    expect(await d.inWindow()).toBe(d.bridgeRequests().length)
    const provision = await runJobCli(jobs, ['provision'])
    expect(provision.out).toMatch(/job provision: ok/)
    // Provision waited for background work's share like any background work: no more of the window is theirs.
    expect(await d.inWindow()).toBeLessThanOrEqual(
      windowCeiling('background', DEFAULT_RATE_LIMIT.requests)
    )
    // The window as the user's report had it: 50 of the key's 60 requests spent this minute.
    expect(await d.fillTo(50)).toBe(50)

    const wake = await assign(d)
    // Not a millisecond on the server's clock: nothing on the wake's way waited for the window.
    expect(wake.waits).toEqual([])
    // Its agent label (listed, written, read back) and the run card a lost record is rebuilt from; not the
    // directory (the start listed it). Before: 6 requests, the card's read at background priority, which waited
    // behind the set-up jobs' 40.
    expect(wake.requests.map(path)).toEqual([
      'GET /api/v1/workspaces/javisi/projects/:id/labels/',
      'PATCH /api/v1/workspaces/javisi/projects/:id/work-items/:id/',
      'GET /api/v1/workspaces/javisi/projects/:id/work-items/:id/',
      'GET /api/v1/workspaces/javisi/projects/:id/work-items/:id/comments/',
    ])
    expect(waitedForWindow(t)).toEqual([])
    // Nothing the bridge sent went past Plane's own count.
    expect(t.plane.requests.filter((r) => r.status === 429)).toEqual([])
  }, 60_000)

  it('should read no run card for a task a person creates already assigned: the change made it, none can exist', async () => {
    const d = await deployed()
    const { t } = d
    await probeAtStart({ ...t.services, ...t.bridge })
    const jobs = await sideRuntime(t, { store: t.services.store, now: d.now, sleep: d.sleep })
    expect((await runJobCli(jobs, ['provision'])).out).toMatch(/job provision: ok/)
    const wake = await wakeOn(d, 'Écrire la doc', () =>
      t.plane.ui.createWorkItem(d.human.id, t.project.id, {
        name: 'Écrire la doc',
        state_id: t.state('Todo').id,
        assignee_ids: [t.users.imhotep.id],
      })
    )
    expect(wake.requests.map(path)).toEqual([
      'GET /api/v1/workspaces/javisi/projects/:id/labels/',
      'PATCH /api/v1/workspaces/javisi/projects/:id/work-items/:id/',
      'GET /api/v1/workspaces/javisi/projects/:id/work-items/:id/',
    ])
    expect(wake.waits).toEqual([])
  })

  it('should read a deploy backlog’s run cards at background work’s share, leaving the agents’ share free', async () => {
    const d = await deployed()
    const { t } = d
    // The backlog a first poll finds: more open tasks given to agents than the agents' share of a minute.
    const backlog = windowCeiling('agent', DEFAULT_RATE_LIMIT.requests) + 3
    for (let i = 0; i < backlog; i++)
      t.plane.seed.workItem(t.project.id, {
        name: `Tâche ${i}`,
        state: t.state('Todo').id,
        assignees: [i % 2 === 0 ? t.users.imhotep.id : t.users.thot.id],
      })
    await probeAtStart({ ...t.services, ...t.bridge })
    const from = t.plane.requests.length
    // The key's starts as every process counts them (the shared window in the store), each with the ceiling of the
    // priority that took it. Counted at the start, not at Plane: the test's one clock jumps when a request waits,
    // and a request already sent arrives after the jump, so Plane's log squeezes starts into a minute that, on a
    // real clock, only network latency would separate (the window's lateness margin covers that).
    const window = sharedWindowKey(t.users.bridge.apiKey, DEFAULT_RATE_LIMIT)
    const take = t.services.store.windowTake.bind(t.services.store)
    const starts: Array<{ at: number; ceiling: number }> = []
    vi.spyOn(t.services.store, 'windowTake').mockImplementation(async (key, options) => {
      const read = await take(key, options)
      if (key === window && read.taken) starts.push({ at: options.nowMs, ceiling: options.ceiling })
      return read
    })
    const report = await runPollCycle({ ...t.services, ...t.bridge })
    expect(report.wakes).toBe(backlog)
    // Each task's run card was looked for (the store knew no run of it)...
    const cards = d.bridgeRequests(from).filter((r) => path(r).endsWith('/comments/'))
    expect(cards.length).toBeGreaterThanOrEqual(backlog)
    // ...at background work's share: every start of the cycle was taken under background's ceiling, and no minute
    // held more, so what an agent asks meanwhile starts at once. At an agent's priority they took the agents' share
    // up to its ceiling, and the Concierge's create_task waited 48 s behind them in the deploy bench.
    expect(starts.length).toBe(d.bridgeRequests(from).length)
    const background = windowCeiling('background', DEFAULT_RATE_LIMIT.requests)
    expect(starts.filter((s) => s.ceiling > background)).toEqual([])
    const busiestMinute = Math.max(
      ...starts.map(
        ({ at }) =>
          starts.filter((s) => s.at >= at && s.at < at + DEFAULT_RATE_LIMIT.windowMs).length
      )
    )
    expect(busiestMinute).toBeLessThanOrEqual(background)
    expect(waitedForWindow(t).filter((l) => l.priority === 'agent')).toEqual([])
  }, 60_000)

  it('should say how long a wake waited when the window had no room even for it, and whose key, never the key', async () => {
    const d = await deployed()
    const { t } = d
    await probeAtStart({ ...t.services, ...t.bridge })
    // Past an agent's ceiling (56 of 60): only a person's requests may start this minute.
    const ceiling = windowCeiling('agent', DEFAULT_RATE_LIMIT.requests)
    expect(await d.fillTo(ceiling)).toBe(ceiling)
    const wake = await assign(d)
    expect(wake.waits.length).toBeGreaterThan(0)
    const said = waitedForWindow(t)
    expect(said.length).toBeGreaterThan(0)
    for (const line of said) {
      expect(line).toMatchObject({
        level: 'info',
        key: 'bridge',
        priority: 'agent',
        cause: 'window',
      })
      expect(line.waitedMs).toBeGreaterThanOrEqual(WINDOW_WAIT_REPORTED_MS)
    }
    // What the wake waited (the oldest start of the minute to leave the window) is what the line says.
    expect(said[0]?.waitedMs).toBeGreaterThanOrEqual(Math.max(...wake.waits))
    expect(t.services.rawLogs.join('\n')).not.toContain(t.users.bridge.apiKey)
  }, 60_000)
})
