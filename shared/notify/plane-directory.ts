/** @module A Directory over the Plane API: projects, member names and agents, cached so messages cost no quota. */
import type { AgentConfig } from '../agents/registry.ts'
import { isEmail } from '../agents/registry.ts'
import { errorMessage } from '../observe/errors.ts'
import type { Logger } from '../observe/log.ts'
import type { PlaneClient } from '../plane/client.ts'
import type { PlaneMember, PlaneProject } from '../plane/schemas.ts'
import type { AgentRef, Directory } from './directory.ts'
import type { ProjectRef } from './messages.ts'

export type PlaneDirectoryOptions = {
  plane: PlaneClient | null
  agents: readonly AgentConfig[]
  log: Logger
  now?: () => number
  /** Members and projects change rarely; a miss refreshes at most once per this interval. */
  refreshMs?: number
}

export type PlaneDirectory = Directory & {
  refresh(): Promise<void>
  /**
   * A project this process made and read back just now: known at once, without a listing on the bridge's key
   * (create_project: a refresh would join one a webhook had started behind the poll's share of the key's
   * window, 6–7 s). A listing under way keeps it too; the next one that lists it replaces it.
   */
  known(project: ProjectRef): void
  /**
   * The workspace's projects and members as another part has just listed them with the bridge's key (the start
   * probe lists both): the directory's listing until it is due again, so the first message, wake or tool call after a
   * start lists nothing (a deploy's first wake listed both, on the key's window the set-up jobs had just spent).
   * `listedAt`: when the listing began (a project made here since is kept, as a load of its own keeps it).
   */
  accept(listing: DirectoryListing, listedAt: number): void
  agents(): Promise<AgentRef[]>
  /** Every project of the workspace (cached like the rest). */
  projects(): Promise<ProjectRef[]>
  /**
   * The same for a caller that must not mistake a failure for an empty workspace (the poll): throws the
   * last refresh's error when it failed, instead of answering with stale or no projects.
   */
  projectsOrThrow(): Promise<ProjectRef[]>
  /**
   * `agentById` for a caller that must not mistake a failure for an agent Plane does not know (a tool call):
   * throws the last refresh's error when it failed and the agent is not among those known.
   */
  agentByIdOrThrow(id: string): Promise<AgentRef | null>
}

/** What the directory is made of: Plane's listings of the workspace's projects and members. */
export type DirectoryListing = {
  projects: ReadonlyArray<Pick<PlaneProject, 'id' | 'name' | 'identifier' | 'archived_at'>>
  members: ReadonlyArray<
    Pick<PlaneMember, 'id' | 'email' | 'display_name' | 'first_name' | 'last_name'>
  >
}

const DEFAULT_REFRESH_MS = 10 * 60 * 1000
const MISS_REFRESH_MS = 60 * 1000

export function createPlaneDirectory({
  plane,
  agents,
  log,
  now = Date.now,
  refreshMs = DEFAULT_REFRESH_MS,
}: PlaneDirectoryOptions): PlaneDirectory {
  let projects = new Map<string, ProjectRef>()
  let names = new Map<string, string>()
  let byEmail = new Map<string, string>()
  let loadedAt = Number.NEGATIVE_INFINITY
  let loading: Promise<void> | null = null
  /** Projects made here since a listing started (`known`), with when: a listing that began before misses them. */
  const noted = new Map<string, { project: ProjectRef; at: number }>()
  /** A listing succeeded once: past its age it is used while the next one is made. */
  let lastGood = false
  /** The last refresh's failure, until one succeeds. */
  let failure: unknown = null

  /** A listing begun at `started` becomes the directory's. */
  const take = ({ projects: projectList, members }: DirectoryListing, started: number) => {
    projects = new Map(
      projectList.map((p) => [
        p.id,
        {
          id: p.id,
          name: p.name,
          identifier: p.identifier ?? null,
          archived: Boolean(p.archived_at),
        },
      ])
    )
    for (const [id, { project, at }] of noted) {
      if (at >= started && !projects.has(id)) projects.set(id, project)
      else noted.delete(id)
    }
    names = new Map(members.map((m) => [m.id, _displayName(m)]))
    byEmail = new Map(
      members.filter((m) => m.email).map((m) => [String(m.email).toLowerCase(), m.id])
    )
    loadedAt = now()
    lastGood = true
    failure = null
  }
  const load = async () => {
    if (!plane) return
    const started = now()
    try {
      const [projectList, members] = await Promise.all([
        plane.projects.list(),
        plane.members.list(),
      ])
      take({ projects: projectList, members }, started)
    } catch (error) {
      failure = error
      // Messages still go out without names; the next miss tries again.
      log.warn('plane directory refresh failed', {
        error: errorMessage(error),
      })
      loadedAt = now() - refreshMs + MISS_REFRESH_MS
    }
  }
  const ensure = async (force = false) => {
    const age = now() - loadedAt
    if (!force && age < refreshMs) return
    if (force && age < MISS_REFRESH_MS) return
    loading ??= load().finally(() => {
      loading = null
    })
    // Past its 10 minutes, a listing that once succeeded is used while the next one is made (a miss still waits
    // for it): everything that names someone (messages, wakes, run deadlines, a tool's caller) would wait on the
    // listing, which waits for the bridge key's window behind a poll (the deploy bench: 6 s without a
    // message, a wake or a tool call's Plane write, at the server's tenth minute). `load` never throws.
    if (!force && lastGood) return
    await loading
  }

  /**
   * The agents with their Plane user, resolved once per members' list: a listing of 250 tasks asks who holds each
   * of them, and resolving the registry (and matching its emails) on every question would be ~2 ms of it.
   */
  let resolved: {
    from: Map<string, string>
    list: AgentRef[]
    byUser: Map<string, AgentRef>
  } | null = null
  const resolve = async () => {
    await ensure()
    if (resolved?.from === byEmail) return resolved
    const list = agents.flatMap((a) => {
      const planeUserId = isEmail(a.planeUser)
        ? byEmail.get(a.planeUser.toLowerCase())
        : a.planeUser
      if (!planeUserId) return []
      return [
        { id: a.id, name: a.name, role: a.role, planeUserId, openclawAgentId: a.openclawAgentId },
      ]
    })
    const byUser = new Map<string, AgentRef>()
    // The first agent of a Plane user, as a search of the list finds it.
    for (const agent of list)
      if (!byUser.has(agent.planeUserId)) byUser.set(agent.planeUserId, agent)
    resolved = { from: byEmail, list, byUser }
    return resolved
  }
  // A copy each time: callers may keep or change what they get.
  const resolvedAgents = async (): Promise<AgentRef[]> => [...(await resolve()).list]

  const agentById = async (id: string) => {
    const wanted = id.trim().toLowerCase()
    return (await resolve()).list.find((a) => a.id === wanted) ?? null
  }

  return {
    async project(id) {
      await ensure()
      if (!projects.has(id)) await ensure(true)
      return projects.get(id) ?? null
    },
    async userName(id) {
      const agent = (await resolve()).byUser.get(id)
      if (agent) return agent.name
      if (!names.has(id)) await ensure(true)
      return names.get(id) ?? id
    },
    agentByPlaneUser: async (id) => (await resolve()).byUser.get(id) ?? null,
    agentById: (id) => agentById(id),
    async agentByIdOrThrow(id) {
      const found = await agentById(id)
      if (!found && failure) throw failure
      return found
    },
    concierge: async () => (await resolve()).list.find((a) => a.role === 'concierge') ?? null,
    refresh: () => ensure(true),
    known(project) {
      projects.set(project.id, project)
      noted.set(project.id, { project, at: now() })
    },
    // As fresh as a load of the directory's own (one under way still replaces it when it ends).
    accept: (listing, listedAt) => take(listing, listedAt),
    async projects() {
      await ensure()
      return [...projects.values()]
    },
    async projectsOrThrow() {
      await ensure()
      if (failure) throw failure
      return [...projects.values()]
    },
    agents: resolvedAgents,
  }
}

// --- Internal helpers ---

function _displayName(m: {
  display_name?: string | null
  first_name?: string | null
  last_name?: string | null
  id: string
}): string {
  const full = [m.first_name, m.last_name].filter(Boolean).join(' ').trim()
  return m.display_name || full || m.id
}
