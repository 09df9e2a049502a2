/** @module A tool call's context: the caller resolved to its Plane user, its Plane client, the run store. */
import type { AgentConfig } from '../../shared/agents.ts'
import type { Bridge } from '../../shared/bridge.ts'
import type { Services } from '../../shared/function.ts'
import { createPlaneClient, type PlaneClient } from '../../shared/plane/client.ts'
import { createRunStore, type RunStore } from '../../shared/runs/records.ts'
import { ToolError } from './errors.ts'
import type { ToolContext } from './tool.ts'

type PerServices = { writers: Map<string, PlaneClient>; runs: RunStore }

/** Keyed on the runtime's bridge, which every copy of its services shares. */
const cache = new WeakMap<object, PerServices>()

export async function toolContext(services: Services, agent: AgentConfig): Promise<ToolContext> {
  const bridge = services.bridge
  // An agent's tool call waits before background work (polls, run cards) when the key's window is full.
  const plane = bridge.plane?.withPriority('agent')
  if (!plane)
    throw new ToolError('not_configured', 'plane-bridge has no Plane settings (PLANE_BASE_URL…).')
  const parts = _parts(services, plane)
  const ref = await bridge.directory.agentById(agent.id)
  if (!ref) {
    await bridge.directory.refresh()
    // A Plane that refuses the key or does not answer is that failure, not an agent missing from the workspace.
    const again = await bridge.directory.agentByIdOrThrow(agent.id)
    if (!again)
      throw new ToolError(
        'not_configured',
        `Agent "${agent.id}" has no Plane user: ${agent.planeUser} is not a member of the workspace. The operator must invite it and run \`npm run job -- provision\`.`
      )
    return _context(services, agent, again, plane, parts)
  }
  return _context(services, agent, ref, plane, parts)
}

// --- Internal helpers ---

function _context(
  services: Services,
  agent: AgentConfig,
  ref: NonNullable<Awaited<ReturnType<Bridge['directory']['agentById']>>>,
  plane: PlaneClient,
  parts: PerServices
): ToolContext {
  const own = _writer(services, agent, parts)
  return {
    services,
    bridge: services.bridge,
    me: { ...ref, config: agent },
    plane,
    writer: own ?? plane,
    ownKey: own !== null,
    runs: parts.runs,
    now: services.now,
    upload: null,
    touched: new Map(),
  }
}

function _parts(services: Services, plane: PlaneClient): PerServices {
  let parts = cache.get(services.bridge)
  if (!parts) {
    parts = {
      writers: new Map(),
      // The bridge's run store: the tracker (wakes, stale runs) and the tools share one record per task.
      runs:
        services.bridge.runs ??
        createRunStore({
          store: services.store,
          plane,
          log: services.log,
          locale: services.config.LOCALE,
          now: services.now,
        }),
    }
    cache.set(services.bridge, parts)
  }
  return parts
}

/** The agent's own Plane client (its key's own window, as Plane counts it), or null without a key. */
function _writer(services: Services, agent: AgentConfig, parts: PerServices): PlaneClient | null {
  const key = services.agentTokens[agent.id]
  const { PLANE_BASE_URL, PLANE_WORKSPACE_SLUG } = services.config
  if (!key || !PLANE_BASE_URL || !PLANE_WORKSPACE_SLUG) return null
  let client = parts.writers.get(agent.id)
  if (!client) {
    client = createPlaneClient({
      baseUrl: PLANE_BASE_URL,
      apiKey: key,
      workspaceSlug: PLANE_WORKSPACE_SLUG,
      rateLimit: services.config.PLANE_API_RATE_LIMIT,
      sharedWindow: services.store,
      priority: 'agent',
      now: services.now,
      sleep: services.sleep,
    })
    parts.writers.set(agent.id, client)
  }
  return client
}
