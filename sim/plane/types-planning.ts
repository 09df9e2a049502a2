/** @module Cycles and modules as the v1 API returns them (plane-api.md §2, §3.3). */

import type { IsoDate, IsoDateTime, Uuid } from './types-scalars.ts'

/** `CycleSerializer` with its count annotations. */
export type Cycle = {
  id: Uuid
  total_issues: number
  cancelled_issues: number
  completed_issues: number
  started_issues: number
  unstarted_issues: number
  backlog_issues: number
  total_estimates: number
  completed_estimates: number
  started_estimates: number
  created_at: IsoDateTime
  updated_at: IsoDateTime
  deleted_at: IsoDateTime | null
  name: string
  description: string
  start_date: IsoDateTime | null
  end_date: IsoDateTime | null
  view_props: Record<string, unknown>
  sort_order: number
  external_source: string | null
  external_id: string | null
  progress_snapshot: Record<string, unknown>
  archived_at: IsoDateTime | null
  logo_props: Record<string, unknown>
  timezone: string
  version: number
  created_by: Uuid | null
  updated_by: Uuid | null
  project: Uuid
  workspace: Uuid
  owned_by: Uuid
}

export type ModuleStatus =
  | 'backlog'
  | 'planned'
  | 'in-progress'
  | 'paused'
  | 'completed'
  | 'cancelled'

/** `ModuleSerializer` with its count annotations. */
export type Module = {
  id: Uuid
  members: Uuid[]
  total_issues: number
  cancelled_issues: number
  completed_issues: number
  started_issues: number
  unstarted_issues: number
  backlog_issues: number
  created_at: IsoDateTime
  updated_at: IsoDateTime
  deleted_at: IsoDateTime | null
  name: string
  description: string
  description_text: unknown
  description_html: unknown
  start_date: IsoDate | null
  target_date: IsoDate | null
  status: ModuleStatus
  view_props: Record<string, unknown>
  sort_order: number
  external_source: string | null
  external_id: string | null
  archived_at: IsoDateTime | null
  logo_props: Record<string, unknown>
  created_by: Uuid | null
  updated_by: Uuid | null
  project: Uuid
  workspace: Uuid
  lead: Uuid | null
}
