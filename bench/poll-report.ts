/** @module The poll bench's presentation: one row per cycle kind × agent count, and issue 5's bound checked on them. */
import { formatTable } from './report.ts'

export type PollCycleKind = 'first' | 'unchanged' | 'one changed'

export type PollCycleRow = {
  cycle: PollCycleKind
  agents: number
  /** `GET …/projects/{id}/work-items/`, from the simulator's log. */
  listRequests: number
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
  /** The same cycle with the product's client (Plane's window, 60 requests/min per key); null when not run (quick). */
  throttledWallMs: number | null
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
  'other req',
  'agent-key req',
  'wall',
  'CPU',
  'wall in window',
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
 * of agents": at most one list request per project, and the same total for every agent count measured.
 */
export function pollVerdict(
  rows: readonly PollCycleRow[],
  projects: number,
  agentCounts: number
): PollVerdict {
  const unchanged = rows.filter((r) => r.cycle === 'unchanged')
  const totals = unchanged.map((r) => r.listRequests + r.otherRequests)
  const listsOk = unchanged.every((r) => r.listRequests <= projects)
  const constant = totals.every((t) => t === totals[0])
  const met = listsOk && constant && unchanged.length === agentCounts
  const counts = unchanged
    .map(
      (r) =>
        `${r.agents} agent${r.agents === 1 ? '' : 's'}: ${r.listRequests} list + ${r.otherRequests} other`
    )
    .join(', ')
  return {
    met,
    text:
      `unchanged cycle: ${counts} → issue 5 (≤ ${projects} list requests + a constant, independent of agents) ` +
      `${met ? 'MET' : 'NOT MET'}`,
  }
}

// --- Internal helpers ---

function _row(r: PollCycleRow): string[] {
  return [
    r.cycle,
    String(r.agents),
    String(r.listRequests),
    String(r.otherRequests),
    String(r.agentKeyRequests),
    _duration(r.wallMs),
    _duration(r.cpuMs),
    // Quick runs skip the throttled pass: the floor is what it would at least take.
    r.throttledWallMs === null ? `≥ ${r.throttleFloorS} s (est.)` : _duration(r.throttledWallMs),
    String(r.changed),
    String(r.pending),
    String(r.wakes),
  ]
}

function _duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`
}
