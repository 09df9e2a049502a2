/** @module What every route module receives, and small helpers for their handlers. */

import type { Context, Hono } from 'hono'
import type { createGuard, SimEnv } from '../access.ts'
import type { SimClock } from '../clock.ts'
import { doesNotExist } from '../http-errors.ts'
import { liveProject } from '../queries.ts'
import type { PlaneStore, ProjectRecord } from '../store.ts'
import type { ModelActivity } from '../webhooks/model-activity.ts'

export type PlaneVersion = '1.2' | '1.3'

export type RouteDeps = {
  store: PlaneStore
  clock: SimClock
  guard: ReturnType<typeof createGuard>
  activity: ModelActivity
  version: PlaneVersion
  /** The exact release (`1.3.1`), for /api/instances/ and the webhook URL rules. */
  release: string
  baseUrl: string
  /** `FILE_SIZE_LIMIT` (default ATTACHMENT_SIZE_LIMIT). */
  fileSizeLimitBytes: number
}

export type SimApp = Hono<SimEnv>
export type SimContext = Context<SimEnv>

export const V1 = '/api/v1'
export const WS = `${V1}/workspaces/:slug`
export const PROJECT = `${WS}/projects/:project_id`

/** `Project.objects.get(pk=project_id)`; permission already proved membership. */
export function requireProject(deps: RouteDeps, c: SimContext): ProjectRecord {
  const project = liveProject(deps.store, c.req.param('project_id') ?? '')
  if (!project) throw doesNotExist()
  return project
}

export function noContent(c: SimContext) {
  return c.body(null, 204)
}

/** The live rows (comments, links) of the work item in the path, newest first, as Plane lists them. */
export function workItemChildren<
  T extends { deleted_at: string | null; project: string; issue: string },
>(c: SimContext, rows: Iterable<T>): T[] {
  return [...rows]
    .filter(
      (row) =>
        row.deleted_at === null &&
        row.project === c.req.param('project_id') &&
        row.issue === c.req.param('issue_id')
    )
    .reverse()
}

/** The row named by `:pk` among them, or Plane's 404. */
export function findWorkItemChild<
  T extends { id: string; deleted_at: string | null; project: string; issue: string },
>(c: SimContext, rows: Iterable<T>): T {
  const row = workItemChildren(c, rows).find((r) => r.id === c.req.param('pk'))
  if (!row) throw doesNotExist()
  return row
}
