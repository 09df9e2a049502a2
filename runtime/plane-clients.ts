/**
 * @module The runtime's Plane clients: the bridge's key (its window shared through the store with every process,
 * Plane's capabilities cached there, each answer counted and reported to the status ledger) and each agent's own key,
 * all counting one set of key windows (each key's spending is its own, as Plane counts it).
 */
import type { Services } from '../shared/core/function.ts'
import { type AgentWriters, createAgentWriters } from '../shared/plane/agent-writers.ts'
import { CAPABILITIES_MAX_AGE_MS, type PlaneCapabilities } from '../shared/plane/capabilities.ts'
import { createPlaneClient, type PlaneClient } from '../shared/plane/client.ts'
import { diagnosePlaneFailure } from '../shared/plane/diagnose.ts'
import { createKeyWindows, type KeyWindows } from '../shared/plane/request-window.ts'
import type { PlaneWindowWait } from '../shared/plane/transport.ts'

/** Plane's capabilities (relations, worklogs…), shared by every process on the store for an hour. */
const CAPABILITIES_KEY = 'plane:capabilities'

export type PlaneClients = {
  /** The bridge's own client; null without Plane settings. */
  plane: PlaneClient | null
  planeWindows: KeyWindows
  agentWriters: AgentWriters
  /** Requests the bridge's key has sent so far. */
  requestCount: () => number
}

export function buildPlaneClients(services: Services): PlaneClients {
  const { config, store, metrics, status, log, now, sleep } = services
  const planeRequests = metrics.registry.counter(
    'plane_bridge_plane_requests_total',
    'Requests to the Plane API by status class.'
  )
  let requests = 0
  // Every Plane client of this runtime counts its key's window in these: the bridge's, each agent's own.
  const planeWindows = createKeyWindows()
  // How every key of this runtime counts its window: the bridge's and each agent's alike.
  const windows = {
    rateLimit: config.PLANE_API_RATE_LIMIT,
    // The key's window counted with every process on the store (a `npm run job`, other replicas).
    sharedWindow: store,
    keyWindows: planeWindows,
    // One clock for the window and its waits: a test's virtual clock moves both.
    now,
    sleep,
  }
  // A person or an agent kept waiting by a key's window is what the shares are there to prevent: said every time,
  // with whose key it was (never the key) and the class that waited, so a slow wake or answer explains itself.
  const waited = (key: string, { priority, waitedMs, cause }: PlaneWindowWait) =>
    log.info("waited for Plane's window", { key, priority, waitedMs, cause })
  const plane =
    config.PLANE_BASE_URL && config.PLANE_API_KEY && config.PLANE_WORKSPACE_SLUG
      ? createPlaneClient({
          baseUrl: config.PLANE_BASE_URL,
          apiKey: config.PLANE_API_KEY,
          workspaceSlug: config.PLANE_WORKSPACE_SLUG,
          ...windows,
          // Kept in the store: a `npm run job` process or a Workers isolate probes no more than a long-lived one.
          capabilitiesCache: {
            read: () => store.get<PlaneCapabilities>(CAPABILITIES_KEY),
            write: (value) =>
              store.set(CAPABILITIES_KEY, value, {
                ttlSeconds: CAPABILITIES_MAX_AGE_MS / 1000,
              }),
          },
          onWindowWait: (wait) => waited('bridge', wait),
          onRequest: ({ status: code, error }) => {
            requests++
            planeRequests.inc({ status: code === 0 ? 'none' : `${Math.floor(code / 100)}xx` })
            // A refused key or an unknown workspace is a failure that names its fix, not "HTTP 403, ok";
            // a 404 on one task, or a 403 on a project the bridge is not admin of, is Plane answering.
            const diagnosis = error
              ? diagnosePlaneFailure(error, { slug: config.PLANE_WORKSPACE_SLUG })
              : null
            const failing =
              code === 0 ||
              code >= 500 ||
              diagnosis?.cause === 'key' ||
              diagnosis?.cause === 'workspace' ||
              diagnosis?.cause === 'url'
            status.contact(
              'plane',
              !failing,
              failing && diagnosis ? diagnosis.detail : code === 0 ? 'no answer' : `HTTP ${code}`
            )
          },
        })
      : null
  const agentWriters = createAgentWriters({
    agentTokens: services.agentTokens,
    baseUrl: config.PLANE_BASE_URL,
    workspaceSlug: config.PLANE_WORKSPACE_SLUG,
    ...windows,
    onWindowWait: (agentId, wait) => waited(`agent ${agentId}`, wait),
  })
  return { plane, planeWindows, agentWriters, requestCount: () => requests }
}
