/**
 * @module The poll bench's Plane: the simulator on loopback with a bridge user, a person, up to ten agents (Plane
 * users `<id>@javisi.local`, members of every project, each with its own key) and N projects × M work items spread
 * over the past weeks, as a workspace that has been in use for a while looks.
 */

import type { AgentConfig } from '../shared/agents/registry.ts'
import { createPlaneClient, type PlaneClient } from '../shared/plane/client.ts'
import { UNLIMITED_RATE } from '../shared/plane/request-window.ts'
import { createPlaneSim, type PlaneSim, type Project } from '../sim/plane/index.ts'
import { seededRandom } from '../test/helpers/random.ts'

export type PollWorldOptions = {
  agents: number
  projects: number
  tasksPerProject: number
  /** Plane's FILE_SIZE_LIMIT (default 5 MiB): the upload benches raise it as the compose file does. */
  fileSizeLimitBytes?: number
}

export type PollWorld = {
  sim: PlaneSim
  /** The workspace's projects, in seeding order. */
  projects: readonly Project[]
  /** Loopback origin of the simulator (what PLANE_BASE_URL would be). */
  planeUrl: string
  bridgeKey: string
  /** Every agent of the workspace, in a fixed order: a run with n agents registers the first n. */
  agents: readonly AgentConfig[]
  /** Each agent's own Plane key, by agent id. */
  agentKeys: Readonly<Record<string, string>>
  /**
   * A person assigns one unassigned backlog task to `planeUserId` and moves it to Todo, through the API (no webhook
   * in v1.2): the "one task changed" case. Each call takes another task.
   */
  changeOneTask(planeUserId: string): Promise<void>
  close(): Promise<void>
}

const AGENT_NAMES = [
  'Imhotep',
  'Thot',
  'Anubis',
  'Bastet',
  'Horus',
  'Isis',
  'Osiris',
  'Ptah',
  'Sekhmet',
  'Seshat',
] as const
const PROJECT_NAMES = [
  ['Onboarding', 'ONB'],
  ['Operations', 'OPS'],
  ['Research', 'RND'],
  ['Marketing', 'MKT'],
  ['Finance', 'FIN'],
  ['Legal', 'LEG'],
  ['Support', 'SUP'],
  ['Design', 'DSN'],
  ['Infrastructure', 'INF'],
  ['Sales', 'SAL'],
] as const
/**
 * Time between two seeded updates. The poll re-reads 2 minutes before its checkpoint (listing.ts): items seeded in
 * the same instant would all fall in that overlap and turn an unchanged cycle into a full listing.
 */
const SEED_SPACING_MS = 5 * 60 * 1000
/** The newest seeded update: the workspace was last touched an hour before the bench. */
const NEWEST_AGE_MS = 60 * 60 * 1000
/** Share of tasks assigned to an agent (the rest: the person, or nobody). */
const AGENT_SHARE = 0.5
/** A mostly finished workspace: a quarter of the tasks open (Todo, In Progress), most of them done. */
const STATE_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['Done', 0.6],
  ['Backlog', 0.1],
  ['Todo', 0.15],
  ['In Progress', 0.1],
  ['Cancelled', 0.05],
]
// High enough that the simulator never answers 429: the bench counts requests, not the limiter.
const RATE_LIMIT_PER_MINUTE = 1_000_000

export async function openPollWorld(options: PollWorldOptions): Promise<PollWorld> {
  if (options.agents > AGENT_NAMES.length || options.projects > PROJECT_NAMES.length) {
    throw new RangeError(
      `poll world: at most ${AGENT_NAMES.length} agents and ${PROJECT_NAMES.length} projects`
    )
  }
  const total = options.projects * options.tasksPerProject
  const newest = Date.now() - NEWEST_AGE_MS
  const oldest = newest - total * SEED_SPACING_MS
  // While seeding, the simulator's clock is pinned in the past, from the start: its stamps never go backwards,
  // so one stamp at real time (a user, a project) would pull every later item up to now.
  let pinnedAt: number | null = oldest
  const sim = createPlaneSim({
    rateLimitPerMinute: RATE_LIMIT_PER_MINUTE,
    ...(options.fileSizeLimitBytes ? { fileSizeLimitBytes: options.fileSizeLimitBytes } : {}),
    now: function simNow() {
      return pinnedAt ?? Date.now()
    },
  })
  const listening = await sim.listen()
  try {
    const bridge = sim.seed.user({
      email: 'bridge@javisi.local',
      display_name: 'plane-bridge',
      role: 20,
    })
    const person = sim.seed.user({ email: 'moi@javisi.local', display_name: 'moi', role: 20 })
    const agents = AGENT_NAMES.slice(0, options.agents).map(_agentConfig)
    const agentUsers = agents.map((a) =>
      sim.seed.user({ email: a.planeUser, display_name: a.id, first_name: a.name })
    )
    const projects = PROJECT_NAMES.slice(0, options.projects).map(([name, identifier]) => {
      const project = sim.seed.project({ name, identifier, creator: bridge.id })
      for (const user of [person, ...agentUsers]) sim.seed.member(project.id, user.id, 15)
      return project
    })
    const stateId = (projectId: string, name: string) => _stateId(sim, projectId, name)
    const spare: Array<{ projectId: string; id: string }> = []
    const random = seededRandom(5)
    // Oldest first, projects interleaved: every project spans the whole period, and the clock only moves forward.
    for (let k = 0; k < total; k++) {
      pinnedAt = newest - (total - 1 - k) * SEED_SPACING_MS
      const project = projects[k % projects.length] as Project
      const state = _pick(random(), STATE_WEIGHTS)
      const toAgent = random() < AGENT_SHARE
      const agentUser = agentUsers[Math.floor(random() * agentUsers.length)]
      const assignee = toAgent ? agentUser?.id : random() < 0.5 ? person.id : undefined
      const item = sim.seed.workItem(project.id, {
        name: `Task ${k + 1}`,
        state: stateId(project.id, state),
        assignees: assignee ? [assignee] : [],
      })
      if (!assignee && state === 'Backlog') spare.push({ projectId: project.id, id: item.id })
    }
    pinnedAt = null
    const personApi = _apiClient(listening.url, person.apiKey, sim.workspaceSlug)
    return {
      sim,
      projects,
      planeUrl: listening.url,
      bridgeKey: bridge.apiKey,
      agents,
      agentKeys: Object.fromEntries(agents.map((a, i) => [a.id, agentUsers[i]?.apiKey ?? ''])),
      async changeOneTask(planeUserId) {
        const task = spare.shift()
        if (!task) throw new Error('poll world: no unassigned backlog task left to change')
        await personApi.workItems.update(task.projectId, task.id, {
          assignees: [planeUserId],
          state: stateId(task.projectId, 'Todo'),
        })
      },
      close: listening.close,
    }
  } catch (error) {
    await listening.close()
    throw error
  }
}

// --- Internal helpers ---

/** As an AGENTS_FILE entry would say it: the Plane user by email, resolved through the members list. */
function _agentConfig(name: string): AgentConfig {
  const id = name.toLowerCase()
  return {
    id,
    name,
    role: 'member',
    planeUser: `${id}@javisi.local`,
    openclawAgentId: id,
    tags: [],
  }
}

/** The person's own client, unthrottled: its writes are set-up between cycles, not part of what is measured. */
function _apiClient(baseUrl: string, apiKey: string, workspaceSlug: string): PlaneClient {
  return createPlaneClient({ baseUrl, apiKey, workspaceSlug, rateLimit: UNLIMITED_RATE })
}

function _stateId(sim: PlaneSim, projectId: string, name: string): string {
  for (const state of sim.state.states.values()) {
    if (state.project === projectId && state.name === name) return state.id
  }
  throw new Error(`poll world: project ${projectId} has no state ${name}`)
}

function _pick(x: number, weights: ReadonlyArray<readonly [string, number]>): string {
  let left = x
  for (const [name, weight] of weights) {
    left -= weight
    if (left < 0) return name
  }
  return weights.at(-1)?.[0] ?? 'Backlog'
}
