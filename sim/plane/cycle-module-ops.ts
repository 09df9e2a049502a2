/** @module Cycle and module rows with their count annotations (plane-api.md §2, §3.3). */

import { isListedIssue } from './queries.ts'
import type { CycleRecord, IssueRecord, ModuleRecord, PlaneStore } from './store.ts'
import type { Cycle, Module, ModuleStatus, Uuid } from './types.ts'
import type { WriteContext } from './work-item-ops.ts'

export const MODULE_STATUSES: readonly ModuleStatus[] = [
  'backlog',
  'planned',
  'in-progress',
  'paused',
  'completed',
  'cancelled',
]

// Cycle.save / Module.save: a new row sorts before the others (min sort_order − 10000).
function nextSortOrder(
  rows: Iterable<{ project: Uuid; sort_order: number; deleted_at: string | null }>,
  projectId: Uuid
) {
  const orders = [...rows]
    .filter((row) => row.project === projectId && row.deleted_at === null)
    .map((row) => row.sort_order)
  return orders.length ? Math.min(...orders) - 10000 : 65535
}

export function insertCycle(
  ctx: WriteContext,
  projectId: Uuid,
  p: Partial<CycleRecord> & { name: string },
  actorId: Uuid
): CycleRecord {
  const at = ctx.clock.stamp()
  const cycle: CycleRecord = {
    id: crypto.randomUUID(),
    created_at: at,
    updated_at: at,
    deleted_at: null,
    name: p.name,
    description: p.description ?? '',
    start_date: p.start_date ?? null,
    end_date: p.end_date ?? null,
    view_props: {},
    sort_order: nextSortOrder(ctx.store.cycles.values(), projectId),
    external_source: p.external_source ?? null,
    external_id: p.external_id ?? null,
    progress_snapshot: {},
    archived_at: null,
    logo_props: {},
    timezone: p.timezone ?? 'UTC',
    version: 1,
    created_by: actorId,
    updated_by: null,
    project: projectId,
    workspace: ctx.store.workspace.id,
    owned_by: p.owned_by ?? actorId,
  }
  ctx.store.cycles.set(cycle.id, cycle)
  return cycle
}

export function insertModule(
  ctx: WriteContext,
  projectId: Uuid,
  p: Partial<ModuleRecord> & { name: string },
  actorId: Uuid
): ModuleRecord {
  const at = ctx.clock.stamp()
  const module: ModuleRecord = {
    id: crypto.randomUUID(),
    members: p.members ?? [],
    created_at: at,
    updated_at: at,
    deleted_at: null,
    name: p.name,
    description: p.description ?? '',
    description_text: null,
    description_html: null,
    start_date: p.start_date ?? null,
    target_date: p.target_date ?? null,
    status: p.status ?? 'planned',
    view_props: {},
    sort_order: nextSortOrder(ctx.store.modules.values(), projectId),
    external_source: p.external_source ?? null,
    external_id: p.external_id ?? null,
    archived_at: null,
    logo_props: {},
    created_by: actorId,
    updated_by: null,
    project: projectId,
    workspace: ctx.store.workspace.id,
    lead: p.lead ?? null,
  }
  ctx.store.modules.set(module.id, module)
  return module
}

function groupCounts(store: PlaneStore, issues: IssueRecord[]) {
  const count = (group: string) =>
    issues.filter((issue) => issue.state && store.states.get(issue.state)?.group === group).length
  return {
    total_issues: issues.length,
    cancelled_issues: count('cancelled'),
    completed_issues: count('completed'),
    started_issues: count('started'),
    unstarted_issues: count('unstarted'),
    backlog_issues: count('backlog'),
  }
}

function linkedIssues(store: PlaneStore, links: Array<{ issue: Uuid; deleted_at: string | null }>) {
  return links.flatMap((link) => {
    const issue = link.deleted_at === null ? store.issues.get(link.issue) : undefined
    return issue && isListedIssue(store, issue) ? [issue] : []
  })
}

export function serializeCycle(store: PlaneStore, cycle: CycleRecord): Cycle {
  const issues = linkedIssues(
    store,
    store.cycleIssues.filter((row) => row.cycle === cycle.id)
  )
  const { id, ...rest } = cycle
  return {
    id,
    ...groupCounts(store, issues),
    total_estimates: 0,
    completed_estimates: 0,
    started_estimates: 0,
    ...rest,
  }
}

export function serializeModule(store: PlaneStore, module: ModuleRecord): Module {
  const issues = linkedIssues(
    store,
    store.moduleIssues.filter((row) => row.module === module.id)
  )
  const { id, members, ...rest } = module
  return { id, members: [...members], ...groupCounts(store, issues), ...rest }
}

/** `cycle_view` buckets by the cycle's dates against now. */
export function cycleBucket(
  cycle: CycleRecord,
  nowMs: number
): 'current' | 'upcoming' | 'completed' | 'draft' {
  if (!cycle.start_date || !cycle.end_date) return 'draft'
  const start = Date.parse(cycle.start_date)
  const end = Date.parse(cycle.end_date)
  if (start > nowMs) return 'upcoming'
  if (end < nowMs) return 'completed'
  return 'current'
}
