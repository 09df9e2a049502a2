/** @module One agent's tick: its token still works, its newly assigned tasks wake it. Isolated: it fails alone. */

import { agentsOfTask, isAgentTask, isOpenForAgent } from '../agents/task-vocabulary.ts'
import type { Services } from '../core/function.ts'
import type { Parts } from '../core/parts.ts'
import type { TaskSnapshot } from '../events.ts'
import type { AgentRef } from '../notify/directory.ts'
import type { ProjectRef } from '../notify/messages.ts'
import { createPlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { escapeHtml } from '../telegram/html.ts'
import { clearAlert, raiseAlert } from './alerts.ts'
import { checkDependencies, type DependencyParts } from './dependencies.ts'

/** What an agent's tick uses: its dependency checks' parts, the agents' own keys, the run tracker. */
export type AgentTickParts = DependencyParts &
  Pick<Services, 'agentTokens'> &
  Pick<Parts, 'tracker' | 'planeWindows'>

export type AgentTickInput = {
  agent: AgentRef
  /** Tasks changed since this agent's checkpoint, as the cycle's shared listing saw them. */
  tasks: readonly TaskSnapshot[]
  projects: ReadonlyMap<string, ProjectRef>
  /**
   * Tasks this cycle saw for the first time, by reading them (a fresh deploy's backlog, a task never seen before):
   * started ones are adopted, not woken. A task the bridge already knew (a webhook, a tool's write) is not.
   */
  firstSeen?: ReadonlySet<string>
}

export type AgentTickResult = {
  wakes: number
  tokenChecked: boolean
  planeRequests: number
  /** OPENCLAW-14: tasks waiting for a dependency (re-checked next tick), and tasks blocked by a cancelled one. */
  waiting: string[]
  blocked: string[]
}

/** A permanent failure: the tick is marked failed with this reason until it goes away. */
export class AgentTickError extends Error {
  override name = 'AgentTickError'
}

/** An agent's own key is checked at most this often (users/me costs one request of its 60/min). */
const TOKEN_CHECK_INTERVAL_S = 60 * 60

export async function runAgentTick(
  parts: AgentTickParts,
  input: AgentTickInput
): Promise<AgentTickResult> {
  const { agent, tasks } = input
  const tokenCheck = await _checkToken(parts, agent)
  let wakes = 0
  for (const task of tasks) {
    if (!isAgentTask(task, agent) || !isOpenForAgent(task)) continue
    // OPENCLAW-16: whichever path records the assignment first (webhook flush, this tick) wakes the agent.
    const outcome = await parts.tracker.assigned(task, agent, {
      firstSighting: input.firstSeen?.has(task.id) ?? false,
    })
    if (outcome === 'woken') wakes++
  }
  const deps = await checkDependencies(parts, agent, tasks)
  return {
    wakes,
    tokenChecked: tokenCheck.tokenChecked,
    planeRequests: tokenCheck.planeRequests + deps.planeRequests,
    waiting: deps.waiting,
    blocked: deps.blocked,
  }
}

// --- Internal helpers ---

/** OPENCLAW-15: a rejected token is permanent — the tick fails with the reason, one alert, no repetition. */
async function _checkToken(
  parts: AgentTickParts,
  agent: AgentRef
): Promise<{ tokenChecked: boolean; planeRequests: number }> {
  const token = parts.agentTokens[agent.id]
  const { config, store } = parts
  if (!token || !config.PLANE_BASE_URL || !config.PLANE_WORKSPACE_SLUG)
    return { tokenChecked: false, planeRequests: 0 }
  if (await store.has(`poll:token-ok:${agent.id}`)) return { tokenChecked: false, planeRequests: 0 }
  let requests = 0
  const client = createPlaneClient({
    baseUrl: config.PLANE_BASE_URL,
    apiKey: token,
    workspaceSlug: config.PLANE_WORKSPACE_SLUG,
    rateLimit: config.PLANE_API_RATE_LIMIT,
    sharedWindow: store,
    // The agent's key counts in one window with its writer's (the runtime's key windows).
    keyWindows: parts.planeWindows,
    onRequest: () => {
      requests++
    },
  })
  try {
    const me = await client.users.me()
    if (me.id !== agent.planeUserId) {
      throw new AgentTickError(
        `its Plane key belongs to another user (${me.display_name ?? me.id})`
      )
    }
    await store.set(`poll:token-ok:${agent.id}`, true, { ttlSeconds: TOKEN_CHECK_INTERVAL_S })
    await clearAlert(store, `agent-token:${agent.id}`)
    return { tokenChecked: true, planeRequests: requests }
  } catch (error) {
    const rejected =
      error instanceof PlaneApiError && (error.kind === 'auth' || error.kind === 'forbidden')
    if (!rejected && !(error instanceof AgentTickError)) throw error
    const reason =
      error instanceof AgentTickError
        ? error.message
        : 'its Plane key was rejected (revoked or expired)'
    const fr = config.LOCALE !== 'en'
    await raiseAlert(parts, {
      key: `agent-token:${agent.id}`,
      html: fr
        ? `⚠️ Agent <b>${escapeHtml(agent.name)}</b> : ${escapeHtml(_fr(reason))}. Ses tâches ne sont plus suivies en son nom.`
        : `⚠️ Agent <b>${escapeHtml(agent.name)}</b>: ${escapeHtml(reason)}. Its work is no longer attributed to it.`,
      conciergeText: `plane-bridge: the Plane API key of agent ${agent.id} is not usable (${reason}); regenerate it.`,
    })
    throw new AgentTickError(reason)
  }
}

function _fr(reason: string): string {
  if (reason.startsWith('its Plane key was rejected'))
    return 'sa clé Plane est refusée (révoquée ou expirée)'
  return reason.replace(
    'its Plane key belongs to another user',
    'sa clé Plane appartient à un autre utilisateur'
  )
}

/**
 * A task first seen by a read that is already under way (a deploy's backlog) is adopted by its agents: a run
 * without a wake; an assignment claimed before the sighting that it ends (`tracker.firstSeen`) ends. The poll does
 * it for the tasks of its cycle; a tool's listing calls this for its own.
 */
export async function adoptBacklog(
  { directory, tracker }: Pick<Parts, 'directory' | 'tracker'>,
  task: TaskSnapshot
): Promise<void> {
  await tracker.firstSeen(task, await directory.agents())
  if (task.state?.group !== 'started') return
  for (const agent of await agentsOfTask(directory, task))
    await tracker.assigned(task, agent, { firstSighting: true })
}
