/** @module The provision planner: from what Plane has, the changes to make and what needs a human. Pure. */
import { type AgentConfig, isEmail } from '../agents/registry.ts'
import { AGENT_LABEL_PREFIX } from '../agents/task-vocabulary.ts'
import { isBlockedName } from '../notify/policy.ts'
import type {
  PlaneFacts,
  ProjectFacts,
  ProvisionAction,
  ProvisionItem,
  ProvisionPlan,
  ProvisionRole,
  ResolvedAgent,
} from './types.ts'

export const ROLE_ADMIN = 20
export const ROLE_MEMBER = 15

/** OPENCLAW-14: the state the poll moves a task to when a dependency was cancelled. */
export const BLOCKED_STATE = { group: 'started', color: '#e5484d' } as const
export const BLOCKED_STATE_NAME = { fr: 'Bloqué', en: 'Blocked' } as const

export type PlanOptions = { locale: 'fr' | 'en' }

export function planProvision(
  facts: PlaneFacts,
  agents: readonly AgentConfig[],
  { locale }: PlanOptions
): ProvisionPlan {
  const resolved = resolveAgents(agents, facts.members)
  const items: ProvisionItem[] = []
  const actions: ProvisionAction[] = []
  for (const entry of resolved) _planAgent(entry, facts, items, actions)
  // Only agents that are workspace Members or Admins can hold assignments (plane-api.md §0.9).
  const usable = resolved.filter(
    (r): r is ResolvedAgent & { userId: string } =>
      r.userId !== null && (r.workspaceRole ?? 0) >= ROLE_MEMBER
  )
  for (const project of facts.projects) {
    _planProject(project, usable, agents, locale, items, actions)
  }
  return { agents: resolved, actions, items }
}

/** Match each agent to a workspace member by email (case-insensitive) or by user id; never guess. */
export function resolveAgents(
  agents: readonly AgentConfig[],
  members: PlaneFacts['members']
): ResolvedAgent[] {
  return agents.map((agent) => {
    const key = agent.planeUser.toLowerCase()
    const member = isEmail(agent.planeUser)
      ? members.find((m) => m.email?.toLowerCase() === key)
      : members.find((m) => m.id === agent.planeUser)
    return { agent, userId: member?.id ?? null, workspaceRole: member?.role ?? null }
  })
}

/** The project role an agent gets: the Concierge administers projects (AUTH-01), the others are Members. */
export function projectRoleOf(agent: AgentConfig): ProvisionRole {
  return agent.role === 'concierge' ? ROLE_ADMIN : ROLE_MEMBER
}

export function agentLabelName(agentId: string): string {
  return `${AGENT_LABEL_PREFIX}${agentId}`
}

// --- Internal helpers ---

function _planAgent(
  { agent, userId, workspaceRole }: ResolvedAgent,
  facts: PlaneFacts,
  items: ProvisionItem[],
  actions: ProvisionAction[]
): void {
  const subject = `agent ${agent.id}`
  if (userId !== null) {
    if ((workspaceRole ?? 0) < ROLE_MEMBER) {
      items.push({
        subject,
        status: 'blocked',
        changed: false,
        detail: `${agent.planeUser} is a workspace Guest: Plane drops Guests from assignees (makeplane/plane#9517). Make it a Member in Workspace settings → Members, then run provision again.`,
      })
      return
    }
    const conciergeNotAdmin = agent.role === 'concierge' && workspaceRole !== ROLE_ADMIN
    items.push(
      conciergeNotAdmin
        ? {
            subject,
            status: 'human',
            changed: false,
            detail: `AUTH-01: the Concierge ${agent.planeUser} should be workspace Admin (it is a Member); promote it in Workspace settings → Members.`,
          }
        : { subject, status: 'ok', changed: false, detail: `workspace member (${agent.planeUser})` }
    )
    return
  }
  if (!isEmail(agent.planeUser)) {
    items.push({
      subject,
      status: 'blocked',
      changed: false,
      detail: `no workspace member has the id ${agent.planeUser}: fix planeUser in the agent registry (an email is safer).`,
    })
    return
  }
  const email = agent.planeUser
  if (facts.bridge.role !== ROLE_ADMIN) {
    items.push({
      subject,
      status: 'blocked',
      changed: false,
      detail: `${email} is not a workspace member and the bridge's user is not workspace Admin, so it cannot invite: invite ${email} as Member in Workspace settings → Members, accept the invitation, then run provision again.`,
    })
    return
  }
  const invited = facts.invitedEmails?.some((e) => e.toLowerCase() === email.toLowerCase())
  if (invited) {
    items.push({
      subject,
      status: 'blocked',
      changed: false,
      detail: `${email} is invited to the workspace but has not accepted yet: accept the invitation, then run provision again.`,
    })
    return
  }
  actions.push({ kind: 'invite', agentId: agent.id, email, role: ROLE_MEMBER })
}

function _planProject(
  project: ProjectFacts,
  usable: ReadonlyArray<ResolvedAgent & { userId: string }>,
  agents: readonly AgentConfig[],
  locale: PlanOptions['locale'],
  items: ProvisionItem[],
  actions: ProvisionAction[]
): void {
  const ref = { id: project.id, name: project.name, identifier: project.identifier }
  if (!project.bridgeIsMember) {
    items.push({
      subject: `project ${project.identifier}`,
      status: 'blocked',
      changed: false,
      detail: `the bridge's user is not a member of "${project.name}", so it cannot add agents there: make it Admin of the project (Project settings → Members), then run provision again.`,
    })
    return
  }
  const members = new Set(project.memberIds)
  for (const { agent, userId } of usable) {
    if (members.has(userId)) {
      items.push({
        subject: `member ${project.identifier} ${agent.id}`,
        status: 'ok',
        changed: false,
        detail: 'project member',
      })
    } else {
      const role = projectRoleOf(agent)
      actions.push({ kind: 'add-member', project: ref, agentId: agent.id, userId, role })
    }
  }
  // OPENCLAW-10: the `agent:<id>` label stands in for the agent_id custom field CE does not have.
  const labels = new Set(project.labelNames.map((n) => n.toLowerCase()))
  for (const agent of agents) {
    const name = agentLabelName(agent.id)
    if (labels.has(name)) {
      items.push({
        subject: `label ${project.identifier} ${name}`,
        status: 'ok',
        changed: false,
        detail: 'exists',
      })
    } else actions.push({ kind: 'create-label', project: ref, name, agentId: agent.id })
  }
  // OPENCLAW-14: any state whose name reads "blocked" (either language) is the one the poll uses.
  const blocked = project.stateNames.find(isBlockedName)
  if (blocked) {
    items.push({
      subject: `state ${project.identifier} ${blocked}`,
      status: 'ok',
      changed: false,
      detail: 'blocked state exists',
    })
  } else actions.push({ kind: 'create-state', project: ref, name: BLOCKED_STATE_NAME[locale] })
}
