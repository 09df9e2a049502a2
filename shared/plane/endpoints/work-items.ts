/** @module Work item endpoints: list (one page, all pages), get, get by identifier or external id, create, update, search. */

import { PlaneApiError } from '../errors.ts'
import type { PaginateOptions, PlaneListResult, PlanePage } from '../paginate.ts'
import { joinList, planeIdSegment, planePath } from '../paths.ts'
import type { PlaneQuery } from '../transport.ts'
import {
  type PlaneWorkItem,
  type PlaneWorkItemPartial,
  type PlaneWorkItemSearch,
  planeWorkItemPartialSchema,
  planeWorkItemSchema,
  planeWorkItemSearchSchema,
} from '../work-item-schemas.ts'
import { createOrResolve, type PlaneEndpointContext } from './context.ts'

/** Keys `expand=` turns from ids into objects (plane-api.md §3.1). */
export type WorkItemExpand =
  | 'assignees'
  | 'labels'
  | 'state'
  | 'project'
  | 'parent'
  | 'created_by'
  | 'updated_by'
  | 'workspace'
  | 'estimate_point'

export type WorkItemReadOptions = {
  expand?: readonly WorkItemExpand[]
  /** Only these keys come back (`id` is always added), typed as a partial work item. */
  fields?: readonly string[]
}

export type WorkItemListOptions = WorkItemReadOptions & {
  /** Any model field, `-` for descending, e.g. `-updated_at` for polling (there are no filters). */
  orderBy?: string
  perPage?: number
  cursor?: string
}

/** The full item, or a partial one when `fields` was given. */
export type WorkItemFor<O> = O extends { fields: readonly string[] }
  ? PlaneWorkItemPartial
  : PlaneWorkItem

export type PlanePriority = 'urgent' | 'high' | 'medium' | 'low' | 'none'

/** Plane's write keys; use `state`, not `state_id` (unknown keys are silently ignored, plane-api.md §0.9). */
export type WorkItemCreateInput = {
  name: string
  description_html?: string
  priority?: PlanePriority
  state?: string
  parent?: string | null
  /** Non-members and Guests are dropped silently (makeplane/plane#9517). */
  assignees?: string[]
  labels?: string[]
  start_date?: string | null
  target_date?: string | null
  estimate_point?: string | null
  type_id?: string | null
  is_draft?: boolean
  sort_order?: number
  external_id?: string
  external_source?: string
}

/** Absolute values only (full `assignees`/`labels` lists), which is what makes a replayed PATCH safe. */
export type WorkItemUpdateInput = Partial<WorkItemCreateInput>

export type WorkItemSearchOptions = {
  projectId?: string
  limit?: number
  workspaceSearch?: boolean
}

export function createWorkItemEndpoints(context: PlaneEndpointContext) {
  const { transport, paginator, workspaceSlug: slug } = context
  const listPath = (projectId: string) =>
    planePath('workspaces', slug, 'projects', planeIdSegment(projectId), 'work-items')
  const itemPath = (projectId: string, id: string) =>
    planePath(
      'workspaces',
      slug,
      'projects',
      planeIdSegment(projectId),
      'work-items',
      planeIdSegment(id)
    )

  async function list<O extends WorkItemListOptions>(
    projectId: string,
    options?: O
  ): Promise<PlanePage<WorkItemFor<O>>> {
    const { perPage, cursor } = options ?? {}
    return paginator.fetchPage(listPath(projectId), _listQuery(options), _schemaFor(options), {
      ...(perPage === undefined ? {} : { perPage }),
      ...(cursor === undefined ? {} : { cursor }),
    }) as Promise<PlanePage<WorkItemFor<O>>>
  }

  async function* pages<O extends WorkItemListOptions & PaginateOptions>(
    projectId: string,
    options?: O
  ): AsyncGenerator<PlanePage<WorkItemFor<O>>, void, void> {
    const path = listPath(projectId)
    const schema = _schemaFor(options)
    yield* paginator.paginate(path, _listQuery(options), schema, options) as AsyncGenerator<
      PlanePage<WorkItemFor<O>>,
      void,
      void
    >
  }

  async function listAll<O extends WorkItemListOptions & PaginateOptions>(
    projectId: string,
    options?: O
  ): Promise<PlaneListResult<WorkItemFor<O>>> {
    const query = _listQuery(options)
    return paginator.listAll(listPath(projectId), query, _schemaFor(options), options) as Promise<
      PlaneListResult<WorkItemFor<O>>
    >
  }

  async function get<O extends WorkItemReadOptions>(
    projectId: string,
    workItemId: string,
    options?: O
  ): Promise<WorkItemFor<O>> {
    return transport.request('GET', itemPath(projectId, workItemId), _schemaFor(options), {
      query: _readQuery(options),
    }) as Promise<WorkItemFor<O>>
  }

  /** `ONB-12` → `workspaces/{slug}/work-items/ONB-12/`, no project id needed. */
  async function getByIdentifier<O extends WorkItemReadOptions>(
    identifier: string,
    options?: O
  ): Promise<WorkItemFor<O>> {
    const path = planePath('workspaces', slug, 'work-items', identifier.trim().toUpperCase())
    return transport.request('GET', path, _schemaFor(options), {
      query: _readQuery(options),
    }) as Promise<WorkItemFor<O>>
  }

  /** The item created with this external pair, or null. Plane answers one object (not a page) or 404. */
  async function findByExternalId(
    projectId: string,
    { externalId, externalSource }: { externalId: string; externalSource: string }
  ): Promise<PlaneWorkItem | null> {
    try {
      return await transport.request('GET', listPath(projectId), planeWorkItemSchema, {
        query: { external_id: externalId, external_source: externalSource },
      })
    } catch (error) {
      if (error instanceof PlaneApiError && error.kind === 'not_found') return null
      throw error
    }
  }

  /** With `external_id`+`external_source` the create is idempotent (see `createOrResolve`). */
  async function create(projectId: string, input: WorkItemCreateInput): Promise<PlaneWorkItem> {
    return createOrResolve(context, listPath(projectId), planeWorkItemSchema, input, (id) =>
      itemPath(projectId, id)
    )
  }

  /** PATCH, retried on transient failures: every key carries an absolute value. */
  async function update(
    projectId: string,
    workItemId: string,
    patch: WorkItemUpdateInput
  ): Promise<PlaneWorkItem> {
    return transport.request('PATCH', itemPath(projectId, workItemId), planeWorkItemSchema, {
      body: patch,
    })
  }

  async function search(
    text: string,
    { projectId, limit = 10, workspaceSearch = projectId === undefined }: WorkItemSearchOptions = {}
  ): Promise<PlaneWorkItemSearch> {
    const path = planePath('workspaces', slug, 'work-items', 'search')
    const query = { search: text, limit, workspace_search: workspaceSearch, project_id: projectId }
    return transport.request('GET', path, planeWorkItemSearchSchema, { query })
  }

  return { list, pages, listAll, get, getByIdentifier, findByExternalId, create, update, search }
}

// --- Internal helpers ---

function _schemaFor(options: WorkItemReadOptions | undefined) {
  return options?.fields ? planeWorkItemPartialSchema : planeWorkItemSchema
}

function _readQuery(options: WorkItemReadOptions | undefined): PlaneQuery {
  const fields = options?.fields
    ? joinList(['id', ...options.fields.filter((f) => f !== 'id')])
    : undefined
  return { expand: joinList(options?.expand), fields }
}

function _listQuery(options: WorkItemListOptions | undefined): PlaneQuery {
  return { ..._readQuery(options), order_by: options?.orderBy }
}
