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
  baseUrl: string
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
