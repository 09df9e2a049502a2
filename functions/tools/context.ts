/** @module A tool call's context: the caller resolved to its Plane user, its Plane clients, and the parts tools read. */
import type { AgentConfig } from '../../shared/agents/registry.ts'
import type { Services } from '../../shared/core/function.ts'
import type { Parts } from '../../shared/core/parts.ts'
import type { PlaneClient } from '../../shared/plane/client.ts'
import type { RunStore } from '../../shared/runs/records.ts'
import { ToolError } from '../../shared/tasks/errors.ts'
import type { Caller } from '../../shared/tasks/task-context.ts'
import type { ToolContext, ToolParts } from './tool.ts'

/** The parts a tool call reads (call.ts, context.ts): the tools' own, the clients a call is made with, its gate. */
export type CallParts = ToolParts & Pick<Parts, 'plane' | 'runs' | 'agentWriters' | 'toolGate'>

export async function toolContext(
  services: Services,
  parts: CallParts,
  agent: AgentConfig
): Promise<ToolContext> {
  // An agent's tool call waits before background work (polls, run cards) when the key's window is full.
  const plane = parts.plane?.withPriority('agent')
  // The bridge builds its run store with its Plane client: one goes with the other.
  const runs = parts.runs
  if (!plane || !runs)
    throw new ToolError('not_configured', 'plane-bridge has no Plane settings (PLANE_BASE_URL…).')
  const ref = await parts.directory.agentById(agent.id)
  if (!ref) {
    await parts.directory.refresh()
    // A Plane that refuses the key or does not answer is that failure, not an agent missing from the workspace.
    const again = await parts.directory.agentByIdOrThrow(agent.id)
    if (!again)
      throw new ToolError(
        'not_configured',
        `Agent "${agent.id}" has no Plane user: ${agent.planeUser} is not a member of the workspace. The operator must invite it and run \`npm run job -- provision\`.`
      )
    return _context(services, parts, { ...again, config: agent }, plane, runs)
  }
  return _context(services, parts, { ...ref, config: agent }, plane, runs)
}

// --- Internal helpers ---

function _context(
  services: Services,
  parts: CallParts,
  me: Caller,
  plane: PlaneClient,
  runs: RunStore
): ToolContext {
  // The agent's own client (its key's own window, as Plane counts it), or null without a key.
  const own = parts.agentWriters.writerFor(me.id)
  const { config, store, log, now, background, hashing, agents } = services
  const { directory, pipeline, index, tracker, freshener, taskReads, labels, projectStates } = parts
  const { chatId, holds } = parts
  return {
    config,
    store,
    log,
    now,
    background,
    hashing,
    agents,
    directory,
    pipeline,
    index,
    tracker,
    freshener,
    taskReads,
    labels,
    projectStates,
    taskDeleted: (taskId) => parts.taskDeleted(taskId),
    kick: () => parts.kick(),
    chatId,
    holds,
    budget: parts.budget,
    agentWriters: parts.agentWriters,
    agentCalls: parts.agentCalls,
    live: parts.live,
    author: { kind: 'agent', agent: me },
    me,
    plane,
    writer: own ?? plane,
    ownKey: own !== null,
    runs,
    upload: null,
    spilled: null,
    touched: new Map(),
  }
}
