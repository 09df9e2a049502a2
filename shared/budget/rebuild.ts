/**
 * @module The ledger's upkeep (OPENCLAW-11), the budget job's work: settle the tasks a dead process left half-moved,
 * and rebuild the whole ledger from Plane's run cards when the store lost it (Plane is the system of record: each
 * card carries its task's run record, cost and estimate included). A rebuild lists each project once, reads the
 * cards of the tasks an agent holds or the bridge created (open, or changed in the last month), and goes on where
 * it stopped at the next run when its time is up.
 */

import { AGENT_LABEL_PREFIX } from '../agents/task-vocabulary.ts'
import type { PlaneDirectory } from '../notify/plane-directory.ts'
import type { Logger } from '../observe/log.ts'
import type { PlaneClient } from '../plane/client.ts'
import { listProjectChanges } from '../plane/listing.ts'
import type { PlaneWorkItem } from '../plane/work-item-schemas.ts'
import { BRIDGE_EXTERNAL_SOURCE, type RunStore } from '../runs/records.ts'
import type { Store } from '../store/store.ts'
import type { Budget } from './budget.ts'

export type LedgerUpkeepOptions = {
  store: Store
  budget: Budget
  runs: Pick<RunStore, 'resync'>
  plane: PlaneClient
  directory: Pick<PlaneDirectory, 'projectsOrThrow' | 'agentById'>
  agentIds: readonly string[]
  log: Logger
  now: () => number
  /** When to stop reading cards and leave the rest to the next run (ms, on `now`'s clock). */
  deadline: number
}

export type LedgerUpkeep = { settled: number; rebuilt: number; complete: boolean }

/** Tasks the rebuild has read the card of, so a run cut short goes on from there. */
const REBUILT_KEY = 'budget:rebuild:done'
const REBUILT_TTL_S = 7 * 24 * 60 * 60
/** A closed task counts in a month only if it finished in it: anything changed this long ago or more cannot. */
const CLOSED_LOOKBACK_MS = 32 * 24 * 60 * 60 * 1000

export async function keepLedger(options: LedgerUpkeepOptions): Promise<LedgerUpkeep> {
  const { store, budget, runs, log } = options
  // Left marked by a process that died between a record and its placement: placed again from the record.
  let settled = 0
  for (const { taskId, projectId } of await budget.ledger.marked()) {
    await runs.resync({ id: taskId, projectId, ref: null })
    settled++
  }
  if (await budget.built()) return { settled, rebuilt: 0, complete: true }
  const { rebuilt, complete } = await _rebuild(options)
  if (complete) {
    await budget.markBuilt()
    await store.delete(REBUILT_KEY)
    log.info('budget ledger rebuilt from the run cards', { tasks: rebuilt })
  }
  return { settled, rebuilt, complete }
}

// --- Internal helpers ---

async function _rebuild({
  store,
  runs,
  plane,
  directory,
  agentIds,
  now,
  deadline,
}: LedgerUpkeepOptions): Promise<{ rebuilt: number; complete: boolean }> {
  const agentUsers = new Set(
    (await Promise.all(agentIds.map((id) => directory.agentById(id))))
      .filter((a) => a !== null)
      .map((a) => a.planeUserId)
  )
  const since = now() - CLOSED_LOOKBACK_MS
  let rebuilt = 0
  for (const project of await directory.projectsOrThrow()) {
    // Everything, in Plane's largest pages (v1 lists have no filters): one request per thousand tasks.
    const { items } = await listProjectChanges(plane, project.id, { sinceMs: null })
    const candidates = items.filter((item) => _counts(item, agentUsers, since))
    const done = new Set(
      (await store.sortedRange(REBUILT_KEY, { limit: 100_000 })).map((e) => e.member)
    )
    for (const item of candidates) {
      if (done.has(item.id)) continue
      if (now() > deadline) return { rebuilt, complete: false }
      const ref =
        project.identifier && item.sequence_id != null
          ? `${project.identifier}-${item.sequence_id}`
          : null
      await runs.resync({ id: item.id, projectId: project.id, ref })
      await store.sortedAdd(REBUILT_KEY, item.id, now(), { ttlSeconds: REBUILT_TTL_S })
      rebuilt++
    }
  }
  return { rebuilt, complete: true }
}

/** A task whose card may hold money: an agent's or the bridge's, open, or closed recently enough to count. */
function _counts(item: PlaneWorkItem, agentUsers: ReadonlySet<string>, since: number): boolean {
  const group = typeof item.state === 'object' && item.state ? item.state.group : null
  const closed = group === 'completed' || group === 'cancelled'
  if (closed && !(Date.parse(item.updated_at ?? '') >= since)) return false
  const assignees = (item.assignees ?? []).map((a) => (typeof a === 'string' ? a : a.id))
  const labels = (item.labels ?? []).flatMap((l) => (typeof l === 'string' ? [] : [l.name]))
  return (
    item.external_source === BRIDGE_EXTERNAL_SOURCE ||
    assignees.some((id) => agentUsers.has(id)) ||
    labels.some((name) => name.toLowerCase().startsWith(AGENT_LABEL_PREFIX))
  )
}
