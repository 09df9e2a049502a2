/** @module The poll bench's presentation: one row per cycle kind × agent count, and issue 5's bound checked on them. */
import { formatTable } from './report.ts'

export type PollCycleKind = 'first' | 'unchanged' | 'one changed'

export type PollCycleRow = {
  cycle: PollCycleKind
  agents: number
  /** `GET …/projects/{id}/work-items/` listing changes, from the simulator's log. */
  listRequests: number
  /** The same path with `fields=id`: the deletion check's listing of a project's ids. */
  idListRequests: number
  /** Every other request of the cycle, any key (directory, users/me, capability probe, agents' token checks). */
  otherRequests: number
  /** Of all requests, those made with an agent's own key (its token check, at most once an hour). */
  agentKeyRequests: number
  /** What the bridge counted with its own key (the cycle report's `planeRequests`). */
  bridgeKeyRequests: number
  /** With a Plane client that does not space its requests: the bridge's own cost. */
  wallMs: number
  /** User + system CPU of this process during that cycle: the bridge and the simulator serving it. */
  cpuMs: number
  /** Least time that window puts between the bridge key's first and last request. */
  throttleFloorS: number
  changed: number
  pending: number
  wakes: number
}

export type PollVerdict = { met: boolean; text: string }

const COLUMNS = [
  'cycle',
  'agents',
  'list req',
  'id lists',
  'other req',
  'agent-key req',
  'wall',
  'CPU',
  "in Plane's window",
  'changed',
  'pending',
  'wakes',
]

export function formatPollTable(
  header: string,
  rows: readonly PollCycleRow[],
  verdict: PollVerdict
): string {
  return `${header}\n${formatTable(COLUMNS, rows.map(_row))}\n  ${verdict.text}\n`
}

/**
 * Issue 5: "an unchanged cycle needs ≤ 3 list requests (one per project) plus a constant, independent of the number
 * of agents": at most one listing of changes per project, and the same total for every agent count measured. Since
 * Plane sends no webhook when a work item is deleted, the cycle also lists the ids of each project whose tasks matter
 * when its listing of changes did not hold them all: one page of 1,000 ids per thousand tasks, never one per agent.
 */
export function pollVerdict(
  rows: readonly PollCycleRow[],
  {
    projects,
    idPages,
    agentCounts,
  }: {
    projects: number
    /** Pages of ids one project's deletion check reads: its tasks over the page of 1,000. */
    idPages: number
    agentCounts: number
  }
): PollVerdict {
  const unchanged = rows.filter((r) => r.cycle === 'unchanged')
  const totals = unchanged.map((r) => r.listRequests + r.idListRequests + r.otherRequests)
  const listsOk = unchanged.every(
    (r) => r.listRequests <= projects && r.idListRequests <= projects * idPages
  )
  const constant = totals.every((t) => t === totals[0])
  const met = listsOk && constant && unchanged.length === agentCounts
  const counts = unchanged
    .map(
      (r) =>
        `${r.agents} agent${r.agents === 1 ? '' : 's'}: ${r.listRequests} list + ${r.idListRequests} id lists + ` +
        `${r.otherRequests} other`
    )
    .join(', ')
  return {
    met,
    text:
      `unchanged cycle: ${counts} → issue 5 (≤ ${projects} list requests + ≤ ${projects * idPages} pages of ids for ` +
      `deletions + a constant, independent of agents) ${met ? 'MET' : 'NOT MET'}`,
  }
}

// --- Internal helpers ---

function _row(r: PollCycleRow): string[] {
  return [
    r.cycle,
    String(r.agents),
    String(r.listRequests),
    String(r.idListRequests),
    String(r.otherRequests),
    String(r.agentKeyRequests),
    _duration(r.wallMs),
    _duration(r.cpuMs),
    `≥ ${r.throttleFloorS} s`,
    String(r.changed),
    String(r.pending),
    String(r.wakes),
  ]
}

function _duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`
}
