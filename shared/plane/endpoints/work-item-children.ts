/** @module Endpoints under one work item: comments, links, activities, relations (v1.3.0+). */

import * as z from 'zod'
import { isRouteMissing, PlaneUnsupportedError } from '../errors.ts'
import type { PaginateOptions, PlaneListResult } from '../paginate.ts'
import { planeIdSegment, planePath } from '../paths.ts'
import {
  type PlaneActivity,
  type PlaneComment,
  type PlaneLink,
  type PlaneRelations,
  planeActivitySchema,
  planeCommentSchema,
  planeLinkSchema,
  planeRelationsSchema,
} from '../work-item-schemas.ts'
import { createOrResolve, type PlaneEndpointContext } from './context.ts'

export type CommentCreateInput = {
  comment_html: string
  access?: 'INTERNAL' | 'EXTERNAL'
  external_id?: string
  external_source?: string
}

export type CommentUpdateInput = { comment_html: string; access?: 'INTERNAL' | 'EXTERNAL' }

export type LinkCreateInput = { url: string; title?: string }

export type PlaneRelationType =
  | 'blocking'
  | 'blocked_by'
  | 'relates_to'
  | 'duplicate'
  | 'start_before'
  | 'start_after'
  | 'finish_before'
  | 'finish_after'

export type RelationCreateInput = { relation_type: PlaneRelationType; issues: string[] }

const RELATIONS_SINCE = 'work item relations need Plane v1.3.0 or later (makeplane/plane PR #8763)'

export function createWorkItemChildEndpoints(context: PlaneEndpointContext) {
  const { transport, paginator, workspaceSlug: slug } = context
  const under = (projectId: string, workItemId: string, ...rest: string[]) =>
    planePath(
      'workspaces',
      slug,
      'projects',
      planeIdSegment(projectId),
      'work-items',
      planeIdSegment(workItemId),
      ...rest
    )

  const comments = {
    /** Newest first, always (the view orders by its URL kwargs, so `order_by` is not honoured). */
    list: async function listComments(
      projectId: string,
      workItemId: string,
      options?: PaginateOptions
    ): Promise<PlaneComment[]> {
      const path = under(projectId, workItemId, 'comments')
      return (await paginator.listAll(path, {}, planeCommentSchema, options)).results
    },
    /** Sent once, unless it carries `external_id`+`external_source` (then replayed and resolved on 409). */
    create: async function createComment(
      projectId: string,
      workItemId: string,
      input: CommentCreateInput
    ): Promise<PlaneComment> {
      const path = under(projectId, workItemId, 'comments')
      return createOrResolve(context, path, planeCommentSchema, input, (id) =>
        under(projectId, workItemId, 'comments', id)
      )
    },
    update: async function updateComment(
      projectId: string,
      workItemId: string,
      commentId: string,
      patch: CommentUpdateInput
    ): Promise<PlaneComment> {
      const path = under(projectId, workItemId, 'comments', commentId)
      return transport.request('PATCH', path, planeCommentSchema, { body: patch })
    },
  }

  const links = {
    list: async function listLinks(projectId: string, workItemId: string): Promise<PlaneLink[]> {
      const path = under(projectId, workItemId, 'links')
      return (await paginator.listAll(path, {}, planeLinkSchema)).results
    },
    /** A URL already on the item answers 400 (not 409), so this is sent once. */
    create: async function createLink(
      projectId: string,
      workItemId: string,
      input: LinkCreateInput
    ): Promise<PlaneLink> {
      const path = under(projectId, workItemId, 'links')
      return transport.request('POST', path, planeLinkSchema, { body: input })
    },
  }

  const activities = {
    /** Oldest first (Plane's default order); `truncated` tells when the page cap cut the history. */
    list: async function listActivities(
      projectId: string,
      workItemId: string,
      options?: PaginateOptions
    ): Promise<PlaneListResult<PlaneActivity>> {
      const path = under(projectId, workItemId, 'activities')
      return paginator.listAll(path, {}, planeActivitySchema, options)
    },
  }

  const relations = {
    /** Related item ids keyed by relation type. Throws `PlaneUnsupportedError` on CE before v1.3.0. */
    list: async function listRelations(
      projectId: string,
      workItemId: string
    ): Promise<PlaneRelations> {
      try {
        return await transport.request(
          'GET',
          under(projectId, workItemId, 'relations'),
          planeRelationsSchema
        )
      } catch (error) {
        if (isRouteMissing(error)) throw new PlaneUnsupportedError('relations', RELATIONS_SINCE)
        throw error
      }
    },
    create: async function createRelation(
      projectId: string,
      workItemId: string,
      input: RelationCreateInput
    ): Promise<void> {
      try {
        const path = under(projectId, workItemId, 'relations')
        await transport.request('POST', path, z.unknown(), { body: input })
      } catch (error) {
        if (isRouteMissing(error)) throw new PlaneUnsupportedError('relations', RELATIONS_SINCE)
        throw error
      }
    },
  }

  return { comments, links, activities, relations }
}
