/**
 * @module The agent registry held against Plane: an agent Plane does not know is said at start, in /ready and in
 * `check`, not only by `provision`. Four things keep an agent from working: its Plane user is not
 * a workspace member, it is not a member of a project (Plane drops an assignee who is not, silently), it has no bridge
 * token (it cannot call the tools), it has no Plane key of its own (its writes cannot be its own). `check` prints the
 * line; the server records it as the `agents` contact, which /ready shows (start-probe.ts, the poll cycle).
 */
import type { AgentConfig } from '../agents/registry.ts'
import { errorMessage } from '../observe/errors.ts'
import type { PlaneClient } from '../plane/client.ts'
import { diagnosePlaneFailure } from '../plane/diagnose.ts'
import type { PlaneMember, PlaneProject } from '../plane/schemas.ts'
import { resolveAgents } from '../provision/plan.ts'
import type { CheckResult } from './result.ts'

/** What Plane says that the comparison needs: the workspace's members, and each project's (null: not read). */
export type AgentPlaneFacts = {
  slug: string
  members: ReadonlyArray<{ id: string; email?: string | null }>
  projects: ReadonlyArray<{ identifier: string; memberIds: readonly string[] }> | null
}

/**
 * One agent's problems, in the order an operator fixes them (empty when it can work), and what works but is worth
 * fixing: without a Plane key of its own, its writes go through the bridge's key and show as the bridge's.
 */
export type AgentFinding = { agent: string; problems: string[]; notes: string[] }

/** An agent's problem when it has no bridge token: the command that makes it is said once for all (agentsResult). */
const NO_BRIDGE_TOKEN = 'no bridge token'

/** More projects than this are not read one by one: the line says how many it looked at. */
const MAX_PROJECTS_READ = 50

/** Pure: each agent of the registry, held against Plane's members and the keys this process has. */
export function compareAgentsWithPlane(
  agents: readonly AgentConfig[],
  agentTokens: Readonly<Record<string, string>>,
  facts: AgentPlaneFacts | null
): AgentFinding[] {
  const resolved = facts
    ? resolveAgents(
        agents,
        facts.members.map((m) => ({ id: m.id, email: m.email ?? null, role: 0 }))
      )
    : agents.map((agent) => ({ agent, userId: null }))
  return resolved.map(({ agent, userId }) => {
    const problems: string[] = []
    const notes: string[] = []
    if (facts && userId === null)
      problems.push(
        `${agent.planeUser} is not a member of workspace "${facts.slug}": invite it (npm run job -- provision does, with an Admin key), or fix planeUser in AGENTS_FILE`
      )
    if (facts?.projects && userId !== null) {
      const outside = facts.projects
        .filter((p) => !p.memberIds.includes(userId))
        .map((p) => p.identifier)
      if (outside.length > 0)
        problems.push(
          `not a member of project ${outside.join(', ')} (Plane drops it as an assignee there): run npm run job -- provision`
        )
    }
    if (!agent.bridgeTokenSha256) problems.push(NO_BRIDGE_TOKEN)
    if (!agentTokens[agent.id])
      notes.push(
        agent.planeTokenEnv
          ? `no Plane key: ${agent.planeTokenEnv} unset (a key created as ${agent.planeUser}; meanwhile its writes show as the bridge's)`
          : `no Plane key: set planeTokenEnv in AGENTS_FILE and that variable to a key created as ${agent.planeUser} (meanwhile its writes show as the bridge's)`
      )
    return { agent: agent.id, problems, notes }
  })
}

/** The findings in one line: ✓ with what was compared, or ✗ with each agent's problems. */
export function agentsResult(
  findings: readonly AgentFinding[],
  facts: AgentPlaneFacts | null
): CheckResult {
  const name = 'agents'
  const said = findings
    .filter((f) => f.problems.length + f.notes.length > 0)
    .map((f) => `${f.agent}: ${[...f.problems, ...f.notes].join('; ')}`)
  // One command makes every missing token: said once, naming the agent when there is only one.
  const tokenless = findings.filter((f) => f.problems.includes(NO_BRIDGE_TOKEN)).map((f) => f.agent)
  const makeTokens =
    tokenless.length === 0
      ? []
      : [
          `make the missing bridge token${tokenless.length > 1 ? 's' : ''}: npm run job -- agent-token ${tokenless.length > 1 ? '--all' : tokenless[0]}`,
        ]
  if (findings.some((f) => f.problems.length > 0))
    return { name, status: 'fail', detail: [...said, ...makeTokens].join(' | ') }
  const where = facts
    ? `Plane members of workspace "${facts.slug}"${facts.projects ? ` and of its ${facts.projects.length} projects` : ''}`
    : 'not held against Plane (Plane off)'
  if (said.length > 0)
    return {
      name,
      status: 'warn',
      detail: `${findings.length} agents: ${where}; ${said.join(' | ')}`,
    }
  return {
    name,
    status: 'ok',
    detail: `${findings.length} agents: ${where}, each with a bridge token and a Plane key`,
  }
}

/** The workspace's members and projects as a caller has just listed them: not listed again. */
export type WorkspaceListing = {
  members: readonly PlaneMember[]
  projects: readonly PlaneProject[]
}

/**
 * Plane's side: the workspace's members and projects (unless `listed` gives them), then each open project's
 * members (2 + N requests, or N).
 */
export async function readAgentPlaneFacts(
  plane: PlaneClient,
  listing?: WorkspaceListing
): Promise<AgentPlaneFacts> {
  const members = listing?.members ?? (await plane.members.list())
  const listed = (listing?.projects ?? (await plane.projects.list())).filter(
    // A project the bridge is not in answers 403 to its members list: nothing to hold against there.
    (p) => !p.archived_at && p.is_member !== false
  )
  const projects: Array<{ identifier: string; memberIds: string[] }> = []
  for (const project of listed.slice(0, MAX_PROJECTS_READ)) {
    const memberIds = (await plane.projectMembers.list(project.id)).map((u) => u.id)
    projects.push({ identifier: project.identifier ?? project.name, memberIds })
  }
  return { slug: plane.workspaceSlug, members, projects }
}

/** The `check` line: Plane read now (when configured), the agents held against it. */
export async function checkAgents({
  plane,
  agents,
  agentTokens,
}: {
  plane: PlaneClient | null
  agents: readonly AgentConfig[]
  agentTokens: Readonly<Record<string, string>>
}): Promise<CheckResult> {
  if (agents.length === 0)
    return { name: 'agents', status: 'off', detail: 'off (no agent registry: AGENTS_FILE unset)' }
  let facts: AgentPlaneFacts | null = null
  if (plane) {
    try {
      facts = await readAgentPlaneFacts(plane)
    } catch (error) {
      // Plane's own line says what is wrong with the key or the workspace: held against the registry alone, this
      // line fails only for what is wrong there (a missing token), not a second time for Plane.
      const { detail } = diagnosePlaneFailure(error, { slug: plane.workspaceSlug })
      const local = agentsResult(compareAgentsWithPlane(agents, agentTokens, null), null)
      if (local.status === 'fail') return local
      return {
        name: 'agents',
        status: 'off',
        detail: `not held against Plane, which did not answer the bridge (${detail || errorMessage(error)})`,
      }
    }
  }
  return agentsResult(compareAgentsWithPlane(agents, agentTokens, facts), facts)
}

export type AgentsNoteParts = {
  plane: PlaneClient | null
  agents: readonly AgentConfig[]
  agentTokens: Readonly<Record<string, string>>
  status: { contact(integration: string, ok: boolean, detail?: string): void }
  log: { warn(msg: string, fields?: Record<string, unknown>): void }
}

/**
 * The server's side of the comparison, so that start and /ready name an agent Plane does not know: recorded as
 * the `agents` contact, which /ready shows and counts (failing: an agent that cannot work), and logged when failing.
 * The server's start does it, and `provision` after what it fixed (its run's contact, made with the same settings,
 * is the server's latest: readiness.ts); `check` says it at once without recording it.
 */
export async function noteAgentsInPlane(
  parts: AgentsNoteParts,
  listing?: WorkspaceListing
): Promise<CheckResult | null> {
  const { plane, agents } = parts
  if (!plane || agents.length === 0) return null
  return recordAgentsInPlane(parts, await readAgentPlaneFacts(plane, listing))
}

/** The same from facts already read (provision's, with the members it added): no request of its own. */
export function recordAgentsInPlane(
  parts: Omit<AgentsNoteParts, 'plane'>,
  facts: AgentPlaneFacts
): CheckResult | null {
  const { agents, agentTokens, status, log } = parts
  if (agents.length === 0) return null
  const result = agentsResult(compareAgentsWithPlane(agents, agentTokens, facts), facts)
  status.contact('agents', result.status !== 'fail', result.detail)
  if (result.status === 'fail')
    log.warn('agents the bridge cannot work with', {
      fix: result.detail,
      hint: 'npm run job -- check says the same; npm run job -- provision adds agents to projects',
    })
  return result
}
