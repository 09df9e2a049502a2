/** @module Web-UI mutations: the session-API paths that *do* fire webhooks, with web keys (§7.2). */

import { addChildActivity, recordCommentActivity } from './activity-log.ts'
import type { SimClock } from './clock.ts'
import { insertComment, serializeComment } from './comment-ops.ts'
import type { NewProjectInput } from './factories.ts'
import { doesNotExist } from './http-errors.ts'
import { insertProject, serializeProject } from './project-ops.ts'
import { liveIssue } from './queries.ts'
import { workItemView } from './serialize.ts'
import type { IssueRecord, PlaneStore } from './store.ts'
import type { Comment, Project, Uuid, Webhook, WorkItem } from './types.ts'
import type { RegisterWebhookInput } from './webhooks/emitter.ts'
import type { ModelActivity } from './webhooks/model-activity.ts'
import type { WebhookUrlVerdict } from './webhooks/url-rules.ts'
import { validateWorkItemInput } from './work-item-input.ts'
import { insertWorkItem, softDeleteWorkItem, updateWorkItem } from './work-item-ops.ts'

/** Keys the web client sends, mapped to the model fields they write. */
const WEB_TO_MODEL: Record<string, string> = {
  state_id: 'state',
  assignee_ids: 'assignees',
  label_ids: 'labels',
  parent_id: 'parent',
  estimate_point: 'estimate_point',
  type_id: 'type_id',
}

export type WebWorkItemPatch = Record<string, unknown> & {
  name?: string
  description_html?: string
  priority?: string
  state_id?: Uuid | null
  assignee_ids?: Uuid[]
  label_ids?: Uuid[]
  start_date?: string | null
  target_date?: string | null
  parent_id?: Uuid | null
}

/**
 * The web `IssueDetailSerializer` snapshot `model_activity` diffs against: `*_id` keys, and the
 * id arrays aggregated with `ArrayAgg(distinct=True)`, i.e. sorted, so a UI that sends the same
 * assignees in another order still produces an `assignee_ids` delivery.
 */
function webSnapshot(store: PlaneStore, issue: IssueRecord): Record<string, unknown> {
  return {
    id: issue.id,
    name: issue.name,
    state_id: issue.state,
    sort_order: issue.sort_order,
    completed_at: issue.completed_at,
    estimate_point: issue.estimate_point,
    priority: issue.priority,
    start_date: issue.start_date,
    target_date: issue.target_date,
    sequence_id: issue.sequence_id,
    project_id: issue.project,
    parent_id: issue.parent,
    cycle_id:
      store.cycleIssues.find((row) => row.issue === issue.id && row.deleted_at === null)?.cycle ??
      null,
    module_ids: store.moduleIssues
      .filter((row) => row.issue === issue.id && row.deleted_at === null)
      .map((row) => row.module)
      .sort(),
    label_ids: [...issue.labels].sort(),
    assignee_ids: [...issue.assignees].sort(),
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    created_by: issue.created_by,
    updated_by: issue.updated_by,
    is_draft: issue.is_draft,
    archived_at: issue.archived_at,
    description_html: issue.description_html,
    type_id: issue.type,
  }
}

/** What the web UI's webhook form needs from the simulator: the URL rules of its release, and the save. */
export type UiWebhooks = {
  webhookUrl(url: string, requestHost: string): WebhookUrlVerdict
  register(input: RegisterWebhookInput): Webhook
}

export function createUi(
  store: PlaneStore,
  clock: SimClock,
  activity: ModelActivity,
  webhooks?: UiWebhooks
) {
  const ctx = { store, clock }
  const toModelKeys = (patch: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(patch).map(([key, value]) => [WEB_TO_MODEL[key] ?? key, value])
    )

  return {
    /** One `issue` `updated` delivery per changed key, `data` read when the deliveries go out. */
    async updateWorkItem(actorId: Uuid, issueId: Uuid, patch: WebWorkItemPatch): Promise<void> {
      const issue = liveIssue(store, issueId)
      if (!issue) throw doesNotExist()
      const previous = webSnapshot(store, issue)
      const changes = validateWorkItemInput(store, issue.project, toModelKeys(patch), {
        partial: true,
      })
      updateWorkItem(ctx, issue, changes, actorId)
      activity.updated('issue', issue.id, actorId, patch, previous)
    },

    async createWorkItem(
      actorId: Uuid,
      projectId: Uuid,
      input: WebWorkItemPatch & { name: string }
    ): Promise<WorkItem> {
      const changes = validateWorkItemInput(store, projectId, toModelKeys(input), {
        partial: false,
      })
      const issue = insertWorkItem(ctx, projectId, changes, actorId)
      activity.created('issue', issue.id, actorId)
      return workItemView(issue)
    },

    /** makeplane/plane#8054: no webhook for issue deletes, from the web UI either. */
    async deleteWorkItem(actorId: Uuid, issueId: Uuid): Promise<void> {
      softDeleteWorkItem(ctx, issueId, actorId)
    },

    async addComment(actorId: Uuid, issueId: Uuid, commentHtml: string): Promise<Comment> {
      const issue = liveIssue(store, issueId)
      if (!issue) throw doesNotExist()
      const comment = insertComment(
        ctx,
        issue.project,
        issue.id,
        { comment_html: commentHtml },
        actorId
      )
      // The web app's comment view (app/views/issue/comment.py) runs `issue_activity` too: the task is touched.
      addChildActivity(store, clock, actorId, {
        verb: 'created',
        field: 'comment',
        issue: issue.id,
        project: issue.project,
        issue_comment: comment.id,
        comment: 'created a comment',
      })
      activity.created('issue_comment', comment.id, actorId)
      return serializeComment(comment)
    },

    async updateComment(actorId: Uuid, commentId: Uuid, commentHtml: string): Promise<void> {
      const comment = store.comments.get(commentId)
      if (!comment || comment.deleted_at !== null) throw doesNotExist()
      const previous = serializeComment(comment) as Record<string, unknown>
      comment.comment_html = commentHtml
      comment.edited_at = clock.stamp()
      comment.updated_at = comment.edited_at
      comment.updated_by = actorId
      recordCommentActivity(store, clock, actorId, comment, 'updated', {
        changed: previous.comment_html !== commentHtml,
      })
      activity.updated(
        'issue_comment',
        comment.id,
        actorId,
        { comment_html: commentHtml },
        previous
      )
    },

    /** `comment.activity.deleted`: the task touched, no webhook (§7.2). */
    async deleteComment(actorId: Uuid, commentId: Uuid): Promise<void> {
      const comment = store.comments.get(commentId)
      if (!comment || comment.deleted_at !== null) throw doesNotExist()
      comment.deleted_at = clock.stamp()
      recordCommentActivity(store, clock, actorId, comment, 'deleted')
    },

    async createProject(actorId: Uuid, input: NewProjectInput): Promise<Project> {
      const project = insertProject(store, clock, input, actorId)
      activity.created('project', project.id, actorId)
      return serializeProject(store, project, actorId)
    },

    /**
     * Workspace settings → Webhooks → Create (`POST /api/workspaces/<slug>/webhooks/`, the web session): the URL
     * checked by the release's rules; 201 with the webhook, or 400 with DRF's body. `requestHost`: the host the
     * browser reached Plane on (its own domain is refused as a target).
     */
    createWebhook(
      input: RegisterWebhookInput,
      requestHost: string
    ): { status: 201; webhook: Webhook } | { status: 400; body: Record<string, unknown> } {
      if (!webhooks) throw new Error('this simulator has no webhook form')
      const verdict = webhooks.webhookUrl(input.url, requestHost)
      if (!verdict.ok) return { status: 400, body: verdict.body }
      return { status: 201, webhook: webhooks.register(input) }
    },

    async deleteProject(actorId: Uuid, projectId: Uuid): Promise<void> {
      const project = store.projects.get(projectId)
      if (!project || project.deleted_at !== null) throw doesNotExist()
      project.deleted_at = clock.stamp()
      activity.deleted('project', project.id, actorId)
    },
  }
}

export type PlaneSimUi = ReturnType<typeof createUi>
