/** @module `createPlaneClient`: the Plane v1 API client, endpoint groups wired over one transport. */

import { createAttachmentEndpoints } from './attachments.ts'
import { type CapabilitiesCache, createCapabilitiesProbe } from './capabilities.ts'
import type { PlaneEndpointContext } from './endpoints/context.ts'
import { createProjectSetupEndpoints } from './endpoints/project-setup.ts'
import { createWorkItemChildEndpoints } from './endpoints/work-item-children.ts'
import { createWorkItemEndpoints } from './endpoints/work-items.ts'
import { createWorkspaceEndpoints } from './endpoints/workspace.ts'
import { createPaginator } from './paginate.ts'
import { normaliseBaseUrl } from './paths.ts'
import { createKeyWindows, type RequestPriority } from './request-window.ts'
import { createPlaneTransport, type PlaneTransportOptions } from './transport.ts'

export type PlaneClientOptions = PlaneTransportOptions & {
  /** The workspace every path is scoped to (v1 cannot list workspaces). */
  workspaceSlug: string
  /** Where capabilities outlive this client (the store): a fresh process costs no probe within the hour. */
  capabilitiesCache?: CapabilitiesCache
}

/** The endpoint groups over one transport (one priority). */
type PlaneEndpoints = ReturnType<typeof _endpoints>

export interface PlaneClient extends PlaneEndpoints {
  /**
   * The same client whose requests wait with another priority when the key's window is full: a
   * person's action (`human`), an agent's tool call (`agent`), background work (the default). One window.
   */
  withPriority(priority: RequestPriority): PlaneClient
  /**
   * The same client (its priority, its window), whose requests not yet started when `signal` aborts are given up
   * with `RequestNotStarted`: work that must end by a deadline (a job's last writes before its process exits). A
   * request already sent is never abandoned.
   */
  withStartSignal(signal: AbortSignal): PlaneClient
}

/**
 * Build a Plane client. Reads, PATCHes and external-id creates retry after 1 s/5 s/15 s on transport
 * errors, timeouts (30 s), 429 (after Retry-After) and 502/503/504 (OPENCLAW-15); other writes are sent
 * once. Every request starts within the key's sliding window, as Plane counts it (request-window.ts). Failures are
 * `PlaneApiError`s whose text never holds the key.
 * @example
 * const plane = createPlaneClient({ baseUrl: 'https://work.example', apiKey, workspaceSlug: 'acme' })
 * const item = await plane.workItems.getByIdentifier('ONB-12', { expand: ['state', 'assignees'] })
 */
export function createPlaneClient(given: PlaneClientOptions): PlaneClient {
  // Its priority views count the same window: one set of key windows for them all, the runtime's when it gives one.
  const options = given.keyWindows ? given : { ...given, keyWindows: createKeyWindows() }
  const views = new Map<RequestPriority, PlaneClient>()
  const signalled = new WeakMap<AbortSignal, PlaneClient>()
  const own = options.priority ?? 'background'
  const client: PlaneClient = {
    ..._endpoints(options),
    withPriority(priority) {
      if (priority === own) return client
      let view = views.get(priority)
      if (!view) {
        view = createPlaneClient({ ...options, priority })
        views.set(priority, view)
      }
      return view
    },
    withStartSignal(signal) {
      // One view per signal (a runtime's shutdown signal is asked for at every pass of its cards).
      let view = signalled.get(signal)
      if (!view) {
        view = createPlaneClient({ ...options, priority: own, startSignal: signal })
        signalled.set(signal, view)
      }
      return view
    },
  }
  return client
}

// --- Internal helpers ---

function _endpoints(options: PlaneClientOptions) {
  const { workspaceSlug, capabilitiesCache, ...transportOptions } = options
  const transport = createPlaneTransport(transportOptions)
  const paginator = createPaginator(transport)
  const context: PlaneEndpointContext = {
    transport,
    paginator,
    workspaceSlug,
    baseUrl: normaliseBaseUrl(transportOptions.baseUrl),
  }
  const children = createWorkItemChildEndpoints(context)
  return {
    workspaceSlug,
    ...createWorkspaceEndpoints(context),
    ...createProjectSetupEndpoints(context),
    workItems: createWorkItemEndpoints(context),
    comments: children.comments,
    links: children.links,
    activities: children.activities,
    relations: children.relations,
    attachments: createAttachmentEndpoints(context),
    capabilities: createCapabilitiesProbe(context, {
      ...(capabilitiesCache ? { cache: capabilitiesCache } : {}),
      ...(transportOptions.now ? { now: transportOptions.now } : {}),
    }),
    /** Escape hatches for routes without a method: same request window, retries and errors. */
    request: transport.request,
    paginate: paginator.paginate,
    listAll: paginator.listAll,
  }
}
