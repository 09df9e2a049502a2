/**
 * @module zod schemas for Plane v1 workspace and project objects (plane-api.md §3). Tolerant on purpose:
 * loose objects keep unknown keys, nearly every field is nullish, so a Plane upgrade that adds or nulls
 * a field breaks nothing.
 */

import * as z from 'zod'
import { flag, num, ref, text } from './schema-fields.ts'

export const planeUserLiteSchema = z.looseObject({
  id: z.string(),
  first_name: text,
  last_name: text,
  email: text,
  avatar: text,
  avatar_url: text,
  display_name: text,
})

/** Workspace members: UserLite plus the workspace role (20 admin, 15 member, 5 guest). */
export const planeMemberSchema = planeUserLiteSchema.extend({ role: num })

export const planeStateSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  color: text,
  /** backlog | unstarted | started | completed | cancelled | triage (kept a string for forward compatibility). */
  group: z.string(),
  description: text,
  sequence: num,
  default: flag,
  is_triage: flag,
  project: text,
  workspace: text,
  external_id: text,
  external_source: text,
  created_at: text,
  updated_at: text,
})

export const planeStateLiteSchema = z.looseObject({
  id: z.string(),
  name: text,
  color: text,
  group: text,
})

export const planeLabelSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  color: text,
  description: text,
  parent: text,
  sort_order: num,
  project: text,
  workspace: text,
  external_id: text,
  external_source: text,
})

export const planeProjectSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  identifier: z.string(),
  description: text,
  network: num,
  workspace: text,
  project_lead: ref(planeUserLiteSchema),
  default_assignee: ref(planeUserLiteSchema),
  default_state: text,
  archived_at: text,
  is_member: flag,
  member_role: num,
  total_members: num,
  intake_view: flag,
  cycle_view: flag,
  module_view: flag,
  is_time_tracking_enabled: flag,
  is_issue_type_enabled: flag,
  timezone: text,
  external_id: text,
  external_source: text,
  created_at: text,
  updated_at: text,
})

/** The ProjectMember row from `POST …/members/`: its `id` is the membership id, not the user id. */
export const planeProjectMembershipSchema = z.looseObject({
  id: z.string(),
  member: ref(planeUserLiteSchema),
  role: num,
  project: text,
  workspace: text,
})

export const planeCycleSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: text,
  /** Date-times in v1.2 (the project's day boundaries, in UTC); plain dates on older servers. */
  start_date: text,
  end_date: text,
  timezone: text,
  owned_by: ref(planeUserLiteSchema),
  status: text,
  /** Count annotations of list and detail reads (absent from a create's answer). */
  total_issues: num,
  completed_issues: num,
  cancelled_issues: num,
  project: text,
  workspace: text,
  archived_at: text,
  external_id: text,
  external_source: text,
  created_at: text,
  updated_at: text,
})

export const planeModuleSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: text,
  /** backlog | planned | in-progress | paused | completed | cancelled */
  status: text,
  start_date: text,
  target_date: text,
  lead: ref(planeUserLiteSchema),
  members: z.array(z.union([z.string(), planeUserLiteSchema])).nullish(),
  project: text,
  workspace: text,
  archived_at: text,
  external_id: text,
  external_source: text,
  created_at: text,
  updated_at: text,
})

export const planeInvitationSchema = z.looseObject({
  id: z.string(),
  email: z.string(),
  role: num,
  accepted: flag,
  responded_at: text,
  workspace: text,
  created_at: text,
})

export type PlaneUserLite = z.infer<typeof planeUserLiteSchema>
export type PlaneMember = z.infer<typeof planeMemberSchema>
export type PlaneState = z.infer<typeof planeStateSchema>
export type PlaneStateLite = z.infer<typeof planeStateLiteSchema>
export type PlaneLabel = z.infer<typeof planeLabelSchema>
export type PlaneProject = z.infer<typeof planeProjectSchema>
export type PlaneProjectMembership = z.infer<typeof planeProjectMembershipSchema>
export type PlaneCycle = z.infer<typeof planeCycleSchema>
export type PlaneModule = z.infer<typeof planeModuleSchema>
export type PlaneInvitation = z.infer<typeof planeInvitationSchema>
