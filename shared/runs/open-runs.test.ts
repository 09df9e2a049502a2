/**
 * The open runs' indexes at the team's scale: ten agents who listed ~250 tasks each have ~2,500 runs "seen" (checked
 * in, not started). Those are kept apart from the runs under way, so that a run started after them is never cut off
 * by a bounded read of the oldest (it was, with every open run in one index read 500 or 2,000 at a time), and their
 * counts need no record read.
 */
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../observe/log.ts'
import { createPlaneClient } from '../plane/client.ts'
import { UNLIMITED_RATE } from '../plane/request-window.ts'
import { createKeyedLocks } from '../store/keyed-lock.ts'
import { createMemoryStore } from '../store/store.ts'
import { readBridgeRecords } from '../workspace/bridge-records.ts'
import {
  countOpenRuns,
  createRunStore,
  OPEN_RUNS_SET,
  readOpenRuns,
  runRecordKey,
  SEEN_RUNS_SET,
} from './records.ts'
import type { RunRecord } from './types.ts'

const AGENTS = [
  'imhotep',
  'thot',
  'bastet',
  'anubis',
  'horus',
  'isis',
  'osiris',
  'seth',
  'ptah',
  'sobek',
]

function setup() {
  let clock = Date.UTC(2026, 10, 28, 8, 0, 0)
  const now = () => clock
  const store = createMemoryStore({ now })
  // Never asked: every record here is made with `created` (no card to rebuild from).
  const plane = createPlaneClient({
    baseUrl: 'http://plane.invalid',
    apiKey: 'plane_api_unused',
    workspaceSlug: 'acme',
    fetch: async () => {
      throw new Error('no Plane request expected')
    },
    rateLimit: UNLIMITED_RATE,
    now,
  })
  const runs = createRunStore({
    store,
    locks: createKeyedLocks({ store }),
    plane,
    log: silentLogger,
    locale: 'fr',
    now,
  })
  const set = (id: string, change: Partial<RunRecord>) =>
    runs.update({ id, projectId: 'p1', ref: null }, (r) => ({ ...r, ...change }), {
      agentName: null,
      card: false,
      created: true,
    })
  return {
    store,
    runs,
    set,
    advance: (ms: number) => {
      clock += ms
    },
  }
}

describe('open runs at the team scale', () => {
  it('should find a run started after 2,500 seen ones, and count the seen ones by agent without reading them', async () => {
    const { store, runs, set, advance } = setup()
    for (const agentId of AGENTS)
      for (let i = 0; i < 250; i++) await set(crypto.randomUUID(), { state: 'seen', agentId })
    advance(60_000)
    const started = crypto.randomUUID()
    const timerAt = new Date(Date.UTC(2026, 10, 28, 8, 1, 0)).toISOString()
    await set(started, { state: 'active', agentId: 'thot', timerStartedAt: timerAt })

    // The default read (500) and get_team_status's (2,000) both hold it.
    expect((await readOpenRuns(store)).underWay.map((r) => [r.taskId, r.state])).toEqual([
      [started, 'active'],
    ])
    const { underWay, seen } = await runs.open(2_000)
    expect(underWay.map((r) => r.taskId)).toEqual([started])
    expect(seen).toHaveLength(2_500)
    expect(seen.filter((r) => r.agentId === 'thot')).toHaveLength(250)
    expect(seen[0]?.since).toBe(Date.UTC(2026, 10, 28, 8, 0, 0))

    const records = await readBridgeRecords(store, {
      identifiers: new Map(),
      taskNames: new Map([[started, 'Rédiger la FAQ']]),
      now: () => Date.UTC(2026, 10, 28, 8, 2, 0),
    })
    expect(records.timers).toEqual([
      {
        agentId: 'thot',
        taskRef: null,
        taskName: 'Rédiger la FAQ',
        startedAt: Date.parse(timerAt),
      },
    ])
    expect(records.runs.filter((r) => r.state === 'active').map((r) => r.taskId)).toEqual([started])
    expect(records.runs.filter((r) => r.state === 'seen')).toHaveLength(2_500)
    expect(await countOpenRuns(store)).toEqual({
      pending: 0,
      seen: 2_500,
      active: 1,
      awaiting: 0,
      stale: 0,
    })
  })

  it('should move a run between the indexes as its state and agent change, and drop it once finished', async () => {
    const { store, runs, set, advance } = setup()
    const id = crypto.randomUUID()
    const where = async () => ({
      open: (await store.sortedRange(OPEN_RUNS_SET)).map((e) => e.member),
      seen: (await store.sortedRange(SEEN_RUNS_SET)).map((e) => e.member),
    })
    await set(id, { state: 'pending', agentId: 'thot' })
    expect(await where()).toEqual({ open: [id], seen: [] })
    advance(1_000)
    await set(id, { state: 'seen', agentId: 'thot' })
    expect(await where()).toEqual({ open: [], seen: [`thot|${id}`] })
    // A heartbeat on a seen run: where it is.
    advance(1_000)
    await set(id, { lastActivityAt: new Date().toISOString() })
    expect(await where()).toEqual({ open: [], seen: [`thot|${id}`] })
    // Given to another agent without a change of state: its seen run is the other agent's.
    await set(id, { agentId: 'bastet' })
    expect(await where()).toEqual({ open: [], seen: [`bastet|${id}`] })
    expect((await runs.open()).seen.map((r) => r.agentId)).toEqual(['bastet'])
    await set(id, { state: 'active' })
    expect(await where()).toEqual({ open: [id], seen: [] })
    await set(id, { state: 'done' })
    expect(await where()).toEqual({ open: [], seen: [] })
  })

  it('should count a seen run an earlier version kept among the runs under way once, and move it out when it starts', async () => {
    const { store, runs, set } = setup()
    const legacy = crypto.randomUUID()
    const record: RunRecord = {
      ...(await set(legacy, { state: 'seen', agentId: 'thot' })),
    }
    // As an earlier version left it: in `runs:open`, not in `runs:seen`.
    await store.sortedRemove(SEEN_RUNS_SET, `thot|${legacy}`)
    await store.sortedAdd(OPEN_RUNS_SET, legacy, Date.parse(record.stateSince ?? ''))
    expect(await store.get(runRecordKey(legacy))).toMatchObject({ state: 'seen' })

    expect(await countOpenRuns(store)).toMatchObject({ seen: 1 })
    expect(await readOpenRuns(store)).toEqual({
      underWay: [],
      seen: [{ taskId: legacy, agentId: 'thot', since: Date.parse(record.stateSince ?? '') }],
    })
    const view = await readBridgeRecords(store, {
      identifiers: new Map(),
      taskNames: new Map(),
      now: () => 0,
    })
    expect(view.runs.map((r) => [r.taskId, r.state])).toEqual([[legacy, 'seen']])

    await set(legacy, { state: 'active' })
    expect((await store.sortedRange(OPEN_RUNS_SET)).map((e) => e.member)).toEqual([legacy])
    expect((await runs.open()).seen).toEqual([])
    expect(await countOpenRuns(store)).toMatchObject({ seen: 0, active: 1 })
  })
})
