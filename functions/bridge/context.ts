/** @module A tool call's context: the caller resolved to its Plane user, its Plane client, the run store. */
import type { AgentConfig } from '../../shared/agents.ts'
import type { Bridge } from '../../shared/bridge.ts'
import type { Services } from '../../shared/function.ts'
import type { PlaneClient } from '../../shared/plane/client.ts'
import type { RunStore } from '../../shared/runs/records.ts'
import { ToolError } from './errors.ts'
import type { ToolContext } from './tool.ts'

export async function toolContext(services: Services, agent: AgentConfig): Promise<ToolContext> {
  const bridge = services.bridge
  // An agent's tool call waits before background work (polls, run cards) when the key's window is full.
  const plane = bridge.plane?.withPriority('agent')
  // The bridge builds its run store with its Plane client: one goes with the other.
  const runs = bridge.runs
  if (!plane || !runs)
    throw new ToolError('not_configured', 'plane-bridge has no Plane settings (PLANE_BASE_URL…).')
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
    return _context(services, agent, again, plane, runs)
  }
  return _context(services, agent, ref, plane, runs)
}

// --- Internal helpers ---

function _context(
  services: Services,
  agent: AgentConfig,
  ref: NonNullable<Awaited<ReturnType<Bridge['directory']['agentById']>>>,
  plane: PlaneClient,
  runs: RunStore
): ToolContext {
  // The agent's own client (its key's own window, as Plane counts it), or null without a key.
  const own = services.bridge.agentWriters.writerFor(agent.id)
  return {
    services,
    bridge: services.bridge,
    me: { ...ref, config: agent },
    plane,
    writer: own ?? plane,
    ownKey: own !== null,
    runs,
    now: services.now,
    upload: null,
    touched: new Map(),
  }
}
