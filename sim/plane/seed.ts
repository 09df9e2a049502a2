/** @module Direct fixtures: rows created as if by the web UI or an admin, without HTTP or webhooks. */

import { addActivity } from './activity-log.ts'
import type { SimClock } from './clock.ts'
import { insertComment } from './comment-ops.ts'
import { insertCycle, insertModule, serializeCycle, serializeModule } from './cycle-module-ops.ts'
import { addProjectMember, newApiToken, newLabel, newUser } from './factories.ts'
import { insertProject, serializeProject } from './project-ops.ts'
import { workItemView } from './serialize.ts'
import type { SessionState } from './session/state.ts'
import type { PlaneStore, UserRecord } from './store.ts'
import type {
  Comment,
  Cycle,
  Label,
  Module,
  Project,
  Role,
  UserLite,
  Uuid,
  WorkItem,
} from './types.ts'
import { validateWorkItemInput } from './work-item-input.ts'
import { insertWorkItem } from './work-item-ops.ts'

export type SeedUserInput = Partial<UserLite> & {
  apiKey?: string
  /** Workspace role, default 15 (Member). */
  role?: Role
  is_bot?: boolean
  /** A password to sign in with through the session API. */
  password?: string
}

export function createSeed(store: PlaneStore, clock: SimClock, session?: SessionState) {
  const ctx = { store, clock }
  const firstAdmin = () => store.workspaceMembers.find((row) => row.role === 20)?.member

  return {
    /** A workspace member (role 15 unless given) with an active API token. */
    user(p: SeedUserInput = {}): UserLite & { apiKey: string } {
      const { apiKey = newApiToken(), role = 15, password, ...fields } = p
      const user: UserRecord = newUser(fields)
      store.users.set(user.id, user)
      if (password !== undefined) session?.passwords.set(user.id, password)
      store.workspaceMembers.push({
        id: crypto.randomUUID(),
        member: user.id,
        role,
        is_active: true,
      })
      store.tokens.set(apiKey, {
        token: apiKey,
        user: user.id,
        is_active: true,
        expired_at: null,
        is_service: false,
      })
      store.workspace.owner ??= user.id
      const { is_bot: _bot, user_timezone: _tz, ...lite } = user
      return { ...lite, apiKey }
    },

    /** Like `POST projects/`: default states incl. Triage, the creator becomes an Admin member. */
    project(p: {
      name: string
      identifier: string
      creator?: Uuid
      network?: 0 | 2
      default_assignee?: Uuid
    }): Project {
      const creator = p.creator ?? firstAdmin() ?? store.workspaceMembers[0]?.member ?? null
      const project = insertProject(store, clock, p, creator)
      return serializeProject(store, project, creator ?? '')
    },

    member(projectId: Uuid, userId: Uuid, role: Role = 15): void {
      addProjectMember(store, projectId, userId, role)
    },

    /**
     * A work item through the same write path as v1 POST (assignee filtering, default state,
     * sequence, sort_order), plus fields only the web UI can set (`is_draft`, `archived_at`).
     * `state` may name a triage state here, as intake does.
     */
    workItem(projectId: Uuid, p: Partial<WorkItem> & { name: string }): WorkItem {
      const actor = p.created_by ?? store.projects.get(projectId)?.created_by ?? ''
      const { state, ...rest } = p
      const changes = validateWorkItemInput(store, projectId, rest as Record<string, unknown>, {
        partial: false,
      })
      // The state bypasses validation so that fixtures can park items in Triage (intake).
      const issue = insertWorkItem(
        ctx,
        projectId,
        { ...changes, ...(state ? { state } : {}), created_by: actor || undefined },
        actor
      )
      if (p.completed_at !== undefined) issue.completed_at = p.completed_at
      return workItemView(issue)
    },

    label(projectId: Uuid, p: { name: string; color?: string; description?: string }): Label {
      const label = newLabel(
        store,
        clock,
        projectId,
        p,
        store.projects.get(projectId)?.created_by ?? null
      )
      store.labels.set(label.id, label)
      return label
    },

    cycle(projectId: Uuid, p: Partial<Cycle> & { name: string }): Cycle {
      const owner = p.owned_by ?? store.projects.get(projectId)?.created_by ?? ''
      return serializeCycle(store, insertCycle(ctx, projectId, p, owner))
    },

    /** Work items put in a cycle, as the web UI's "Add to cycle" does (one cycle per item: it moves). */
    cycleItems(cycleId: Uuid, issueIds: readonly Uuid[]): void {
      for (const issue of issueIds) {
        for (const row of store.cycleIssues)
          if (row.issue === issue && row.deleted_at === null) row.deleted_at = clock.stamp()
        store.cycleIssues.push({ id: crypto.randomUUID(), cycle: cycleId, issue, deleted_at: null })
      }
    },

    module(projectId: Uuid, p: Partial<Module> & { name: string }): Module {
      const owner = store.projects.get(projectId)?.created_by ?? ''
      return serializeModule(store, insertModule(ctx, projectId, p, owner))
    },

    comment(projectId: Uuid, issueId: Uuid, p: { comment_html: string; actor?: Uuid }): Comment {
      const actor = p.actor ?? store.projects.get(projectId)?.created_by ?? ''
      const comment = insertComment(
        ctx,
        projectId,
        issueId,
        { comment_html: p.comment_html },
        actor
      )
      addActivity(store, clock, actor, {
        verb: 'created',
        field: 'comment',
        issue: issueId,
        project: projectId,
        issue_comment: comment.id,
        comment: 'created a comment',
      })
      const { comment_json: _json, comment_stripped: _stripped, ...view } = comment
      return view
    },

    /** Deactivate or expire a token (§1: inactive or expired keys are 403). */
    revokeKey(apiKey: string, { expiredAt }: { expiredAt?: number } = {}): void {
      const token = store.tokens.get(apiKey)
      if (!token) return
      if (expiredAt === undefined) token.is_active = false
      else token.expired_at = expiredAt
    },
  }
}

export type PlaneSimSeed = ReturnType<typeof createSeed>
