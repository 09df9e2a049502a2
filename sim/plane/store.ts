/** @module In-memory rows of the simulated Plane database; Map order is creation order. */

import type {
  Activity,
  Attachment,
  Comment,
  Cycle,
  Invitation,
  Label,
  Link,
  Module,
  Project,
  RelationType,
  Role,
  State,
  UserLite,
  Uuid,
  Webhook,
  WorkItem,
} from './types.ts'

export type UserRecord = UserLite & { is_bot: boolean; user_timezone: string }

export type ApiTokenRecord = {
  token: string
  user: Uuid
  is_active: boolean
  /** ms since epoch, or null for no expiry (§1). */
  expired_at: number | null
  is_service: boolean
}

/** The workspace row; `exists` is false on a fresh instance until the web app creates it. */
export type WorkspaceRecord = {
  id: Uuid
  slug: string
  name: string
  owner: Uuid | null
  exists: boolean
  timezone: string
  organization_size: string | null
}

export type WorkspaceMemberRecord = { id: Uuid; member: Uuid; role: Role; is_active: boolean }

/** The project row: `ProjectSerializer` minus the per-caller annotations. */
export type ProjectRecord = Omit<
  Project,
  | 'total_members'
  | 'total_cycles'
  | 'total_modules'
  | 'is_member'
  | 'sort_order'
  | 'member_role'
  | 'is_deployed'
  | 'cover_image_url'
>

export type ProjectMemberRecord = {
  id: Uuid
  project: Uuid
  member: Uuid
  role: Role
  is_active: boolean
  /** Per-user project ordering (`ProjectUserProperty.sort_order`): newest project first. */
  sort_order: number
}

/** The issue row: the API shape plus the columns `IssueSerializer` excludes (§3.1, §7.3). */
export type IssueRecord = WorkItem & {
  description_json: Record<string, unknown>
  description_stripped: string | null
}

export type CommentRecord = Omit<Comment, 'is_member'> & {
  comment_json: Record<string, unknown>
  comment_stripped: string
}

export type CycleRecord = Omit<
  Cycle,
  | 'total_issues'
  | 'cancelled_issues'
  | 'completed_issues'
  | 'started_issues'
  | 'unstarted_issues'
  | 'backlog_issues'
  | 'total_estimates'
  | 'completed_estimates'
  | 'started_estimates'
>

export type ModuleRecord = Omit<
  Module,
  | 'total_issues'
  | 'cancelled_issues'
  | 'completed_issues'
  | 'started_issues'
  | 'unstarted_issues'
  | 'backlog_issues'
>

export type CycleIssueRecord = { id: Uuid; cycle: Uuid; issue: Uuid; deleted_at: string | null }
export type ModuleIssueRecord = { id: Uuid; module: Uuid; issue: Uuid; deleted_at: string | null }

export type RelationRecord = {
  id: Uuid
  project: Uuid
  issue: Uuid
  related_issue: Uuid
  relation_type: RelationType
  deleted_at: string | null
}

export type AttachmentRecord = Attachment & { upload_key: string; uploaded_bytes: number | null }

export type PlaneStore = {
  workspace: WorkspaceRecord
  users: Map<Uuid, UserRecord>
  tokens: Map<string, ApiTokenRecord>
  workspaceMembers: WorkspaceMemberRecord[]
  projects: Map<Uuid, ProjectRecord>
  projectMembers: ProjectMemberRecord[]
  states: Map<Uuid, State>
  labels: Map<Uuid, Label>
  issues: Map<Uuid, IssueRecord>
  /** Last sequence per project; never reused, deleted issues keep theirs (`IssueSequence`). */
  issueSequences: Map<Uuid, number>
  comments: Map<Uuid, CommentRecord>
  links: Map<Uuid, Link>
  attachments: Map<Uuid, AttachmentRecord>
  activities: Activity[]
  cycles: Map<Uuid, CycleRecord>
  cycleIssues: CycleIssueRecord[]
  modules: Map<Uuid, ModuleRecord>
  moduleIssues: ModuleIssueRecord[]
  relations: RelationRecord[]
  invitations: Map<Uuid, Invitation>
  webhooks: Map<Uuid, Webhook>
}

/** `fresh`: a Plane just installed, whose workspace the web app has yet to create. */
export function createStore(slug: string, { fresh = false }: { fresh?: boolean } = {}): PlaneStore {
  return {
    workspace: {
      id: crypto.randomUUID(),
      slug,
      name: slug,
      owner: null,
      exists: !fresh,
      timezone: 'UTC',
      organization_size: null,
    },
    users: new Map(),
    tokens: new Map(),
    workspaceMembers: [],
    projects: new Map(),
    projectMembers: [],
    states: new Map(),
    labels: new Map(),
    issues: new Map(),
    issueSequences: new Map(),
    comments: new Map(),
    links: new Map(),
    attachments: new Map(),
    activities: [],
    cycles: new Map(),
    cycleIssues: [],
    modules: new Map(),
    moduleIssues: [],
    relations: [],
    invitations: new Map(),
    webhooks: new Map(),
  }
}
