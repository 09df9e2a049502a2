/** @module What the pipeline needs to know to word a message: projects, people's names, which users are agents. */
import type { AgentRef } from '../agents/registry.ts'
import type { ProjectRef } from './messages.ts'

export type { AgentRef }

export type Directory = {
  project(projectId: string): Promise<ProjectRef | null>
  /** Display name of a Plane user (agents by their registry name); the id itself when unknown. */
  userName(userId: string): Promise<string>
  agentByPlaneUser(userId: string): Promise<AgentRef | null>
  /** By short id, case-insensitive (`agent:Imhotep` labels). */
  agentById(agentId: string): Promise<AgentRef | null>
  concierge(): Promise<AgentRef | null>
}

/** A directory from fixed maps: tests, and deployments whose lookups failed (messages still go out, plainer). */
export function createStaticDirectory({
  projects = [],
  users = {},
  agents = [],
}: {
  projects?: ProjectRef[]
  users?: Record<string, string>
  agents?: AgentRef[]
} = {}): Directory {
  const byProject = new Map(projects.map((p) => [p.id, p]))
  const byUser = new Map(agents.map((a) => [a.planeUserId, a]))
  return {
    project: async (id) => byProject.get(id) ?? null,
    userName: async (id) => byUser.get(id)?.name ?? users[id] ?? id,
    agentByPlaneUser: async (id) => byUser.get(id) ?? null,
    agentById: async (id) => agents.find((a) => a.id === id.toLowerCase()) ?? null,
    concierge: async () => agents.find((a) => a.role === 'concierge') ?? null,
  }
}
