/** @module Plane CE v1.2.3 object shapes as the v1 API returns them (plane-api.md §3), in response key order. */

import type { IsoDate, IsoDateTime, Role, Uuid } from './types-scalars.ts'

export type { IsoDate, IsoDateTime, Role, Uuid } from './types-scalars.ts'
export type Priority = 'urgent' | 'high' | 'medium' | 'low' | 'none'
export type StateGroup = 'backlog' | 'unstarted' | 'started' | 'completed' | 'cancelled' | 'triage'

/** `UserLiteSerializer` (§3.3). */
export type UserLite = {
  id: Uuid
  first_name: string
  last_name: string
  email: string
  avatar: string
  avatar_url: string | null
  display_name: string
}

/** `ProjectSerializer` including the per-caller annotations (§3.3). */
export type Project = {
  id: Uuid
  total_members: number
  total_cycles: number
  total_modules: number
  is_member: boolean
  /** Only on the list endpoint (the caller's project ordering). */
  sort_order?: number | null
  member_role: Role | null
  is_deployed: boolean
  cover_image_url: string | null
  created_at: IsoDateTime
  updated_at: IsoDateTime
  deleted_at: IsoDateTime | null
  name: string
  description: string
  description_text: unknown
  description_html: unknown
  network: 0 | 2
  identifier: string
  emoji: string | null
  icon_prop: unknown
  module_view: boolean
  cycle_view: boolean
  issue_views_view: boolean
  page_view: boolean
  intake_view: boolean
  is_time_tracking_enabled: boolean
  is_issue_type_enabled: boolean
  guest_view_all_features: boolean
  cover_image: string | null
  archive_in: number
  close_in: number
  logo_props: Record<string, unknown>
  archived_at: IsoDateTime | null
  timezone: string
  external_source: string | null
  external_id: string | null
  created_by: Uuid | null
  updated_by: Uuid | null
  workspace: Uuid
  default_assignee: Uuid | null
  project_lead: Uuid | null
  cover_image_asset: Uuid | null
  estimate: Uuid | null
  default_state: Uuid | null
}

/** `StateSerializer` (§3.2). `sequence` is a float. */
export type State = {
  id: Uuid
  created_at: IsoDateTime
  updated_at: IsoDateTime
  deleted_at: IsoDateTime | null
  name: string
  description: string
  color: string
  slug: string
  sequence: number
  group: StateGroup
  is_triage: boolean
  default: boolean
  external_source: string | null
  external_id: string | null
  created_by: Uuid | null
  updated_by: Uuid | null
  project: Uuid
  workspace: Uuid
}

/** `LabelSerializer` (§3.3). */
export type Label = {
  id: Uuid
  created_at: IsoDateTime
  updated_at: IsoDateTime
  deleted_at: IsoDateTime | null
  name: string
  description: string
  color: string
  sort_order: number
  external_source: string | null
  external_id: string | null
  created_by: Uuid | null
  updated_by: Uuid | null
  workspace: Uuid
  project: Uuid
  parent: Uuid | null
}

/** `IssueSerializer` (§3.1): assignees/labels are id lists unless expanded. */
export type WorkItem = {
  id: Uuid
  type_id: Uuid | null
  created_at: IsoDateTime
  updated_at: IsoDateTime
  deleted_at: IsoDateTime | null
  point: number | null
  name: string
  description_html: string
  description_binary: string | null
  priority: Priority
  start_date: IsoDate | null
  target_date: IsoDate | null
  sequence_id: number
  sort_order: number
  completed_at: IsoDateTime | null
  archived_at: IsoDate | null
  is_draft: boolean
  external_source: string | null
  external_id: string | null
  created_by: Uuid | null
  updated_by: Uuid | null
  project: Uuid
  workspace: Uuid
  parent: Uuid | null
  state: Uuid | null
  estimate_point: Uuid | null
  type: Uuid | null
  assignees: Uuid[]
  labels: Uuid[]
}

export type {
  Activity,
  Attachment,
  Comment,
  Invitation,
  Link,
  RelationType,
  Webhook,
} from './types-children.ts'
export type { Cycle, Module, ModuleStatus } from './types-planning.ts'
