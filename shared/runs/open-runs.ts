/**
 * @module The open runs' indexes: those under way (`runs:open`) and those only seen (`runs:seen`), kept in step with
 * each run record as it changes (under the task's lock), and read whole without a key listing: `/plane status`'s
 * view, get_team_status, the `plane_bridge_runs` gauge and the stale runs' pass.
 */
import type { Store } from '../store/store.ts'
import { readRunRecords } from './record-keys.ts'
import type { RunRecord } from './types.ts'

/** Runs not finished: under way (`runs:open`) or seen (`runs:seen`). */
export const OPEN_RUN_STATES: ReadonlySet<RunRecord['state']> = new Set([
  'pending',
  'seen',
  'active',
  'awaiting',
  'stale',
])
/**
 * Runs under way (pending, active, awaiting, stale) by task id, score: when their state last changed. Seen runs are
 * not in it: ten agents who list ~250 tasks each have ~2,500, and a bounded read of the oldest under way would
 * then hold only them (a run started after them, its timer, were missing from `/plane status` and get_team_status).
 * An earlier version kept them here: such a run leaves with its next change of state, and is read as seen until then.
 */
export const OPEN_RUNS_SET = 'runs:open'
/** Seen runs (checked in, not started), member `<agent>|<task>`, score: since when: counted and listed without a record read. */
export const SEEN_RUNS_SET = 'runs:seen'
/** Seen runs read at most (ten agents × 1,000 listed tasks); past it the oldest are shown and counted. */
export const SEEN_RUNS_READ = 10_000
/** Runs under way read at most to count them (the `plane_bridge_runs` gauge). */
const UNDER_WAY_COUNT_READ = 5_000

/** A seen run as its index holds it: no record read. */
export type SeenRun = { taskId: string; agentId: string; since: number }
export type OpenRuns = { underWay: RunRecord[]; seen: SeenRun[] }

/**
 * Open runs from their indexes, no key listing: the records of those under way (at most `limit`, oldest state change
 * first) and, unless `seen: false`, the seen ones as their index holds them (an earlier version's, kept among those
 * under way, from their records), oldest first.
 */
export async function readOpenRuns(
  store: Store,
  limit = 500,
  { seen: withSeen = true }: { seen?: boolean } = {}
): Promise<OpenRuns> {
  const [entries, seenEntries] = await Promise.all([
    store.sortedRange(OPEN_RUNS_SET, { limit }),
    withSeen ? store.sortedRange(SEEN_RUNS_SET, { limit: SEEN_RUNS_READ }) : [],
  ])
  // One read for all of them (one MGET on Redis): 2,500 open runs (ten agents' listings) were 2,500 round trips.
  const records = await readRunRecords(
    store,
    entries.map((e) => e.member)
  )
  const underWay: RunRecord[] = []
  const seen = seenEntries.flatMap(({ member, score }) => {
    const at = member.lastIndexOf('|')
    return at > 0
      ? [{ taskId: member.slice(at + 1), agentId: member.slice(0, at), since: score }]
      : []
  })
  const indexed = new Set(seen.map((r) => r.taskId))
  for (const r of records) {
    if (r === null || !OPEN_RUN_STATES.has(r.state)) continue
    if (r.state !== 'seen' || !r.agentId) underWay.push(r)
    else if (!indexed.has(r.taskId))
      seen.push({ taskId: r.taskId, agentId: r.agentId, since: _since(r) })
  }
  seen.sort((a, b) => a.since - b.since)
  return { underWay, seen }
}

/** Open runs by state (the `plane_bridge_runs` gauge): the seen ones by their index's size, no record read. */
export async function countOpenRuns(store: Store): Promise<Record<string, number>> {
  // The seen index is counted, not read; `seen` here holds only an earlier version's, found among those under way.
  const [{ underWay, seen }, indexed] = await Promise.all([
    readOpenRuns(store, UNDER_WAY_COUNT_READ, { seen: false }),
    store.sortedSize(SEEN_RUNS_SET),
  ])
  const counts: Record<string, number> = { pending: 0, seen: 0, active: 0, awaiting: 0, stale: 0 }
  for (const r of underWay) counts[r.state] = (counts[r.state] ?? 0) + 1
  counts.seen = indexed + seen.length
  return counts
}

/**
 * The run's indexes follow its record (under the task's lock, after the record is saved): out of the one it was
 * in, into the one it is in now, scored by its change of state.
 */
export async function reindexOpenRun(
  store: Store,
  before: RunRecord,
  changed: RunRecord,
  moved: boolean,
  at: number
): Promise<void> {
  const from = _indexOf(before)
  const to = _indexOf(changed)
  const same = from !== null && to !== null && from.key === to.key && from.member === to.member
  if (from && !same) await store.sortedRemove(from.key, from.member)
  // A run an earlier version indexed under way while seen leaves that index with its next change too.
  if (from?.key === SEEN_RUNS_SET && (moved || !same))
    await store.sortedRemove(OPEN_RUNS_SET, changed.taskId)
  // A record found finished whose run was never seen finished (a lost record, rebuilt): out of the index all the same.
  if (!from && !to && moved) await store.sortedRemove(OPEN_RUNS_SET, changed.taskId)
  if (to && (moved || !same))
    await store.sortedAdd(to.key, to.member, to.key === SEEN_RUNS_SET ? _since(changed) || at : at)
}

// --- Internal helpers ---

/** Where an open run is indexed: seen runs by agent, the others under way; null once finished. */
function _indexOf(r: RunRecord): { key: string; member: string } | null {
  if (!OPEN_RUN_STATES.has(r.state)) return null
  if (r.state === 'seen' && r.agentId)
    return { key: SEEN_RUNS_SET, member: `${r.agentId}|${r.taskId}` }
  return { key: OPEN_RUNS_SET, member: r.taskId }
}

function _since(r: RunRecord): number {
  return Date.parse(r.stateSince ?? '') || 0
}
