/** @module What the provision job reads from Plane, what it plans to change, and how each item ends up. */
import type { AgentConfig } from '../agents/registry.ts'

/** Plane roles the job deals with (plane-api.md §3.3). */
export type ProvisionRole = 20 | 15

/** What Plane has, read once per run; the planner decides everything from this alone. */
export type PlaneFacts = {
  /** The bridge key's own user and its workspace role. */
  bridge: { id: string; email: string | null; role: number }
  /** Workspace members (UserLite + role). */
  members: ReadonlyArray<{ id: string; email: string | null; role: number }>
  /** Pending workspace invitations, by email; null when not read (the bridge is not workspace Admin). */
  invitedEmails: ReadonlyArray<string> | null
  projects: ReadonlyArray<ProjectFacts>
}

export type ProjectFacts = {
  id: string
  name: string
  identifier: string
  /** False when the bridge is not a member: Plane then answers 403 to its state reads and member adds. */
  bridgeIsMember: boolean
  /** User ids the project's member list holds (Plane does not say their role, nor whether they are active). */
  memberIds: ReadonlyArray<string>
  labelNames: ReadonlyArray<string>
  stateNames: ReadonlyArray<string>
}

/** An agent of the registry, matched to a workspace member (or not). */
export type ResolvedAgent = {
  agent: AgentConfig
  /** The Plane user id, from the members list (never guessed). */
  userId: string | null
  workspaceRole: number | null
}

export type ProvisionAction =
  | { kind: 'invite'; agentId: string; email: string; role: ProvisionRole }
  | {
      kind: 'add-member'
      project: ProjectRef
      agentId: string
      userId: string
      role: ProvisionRole
    }
  | { kind: 'create-label'; project: ProjectRef; name: string; agentId: string }
  | { kind: 'create-state'; project: ProjectRef; name: string }

export type ProjectRef = { id: string; name: string; identifier: string }

/**
 * How an item ended up. `ok`: already fine or done now; `human`: a person must act, agents still work;
 * `blocked`: a person must act and until then an agent cannot work (the job exits non-zero); `failed`:
 * Plane failed on it (5xx, no answer, an unexpected 4xx) — the run went on, and running it again retries.
 */
export type ProvisionStatus = 'ok' | 'skipped' | 'human' | 'blocked' | 'failed'

export type ProvisionItem = {
  /** `member ONB imhotep`, `label ONB agent:imhotep`, `telegram webhook`… */
  subject: string
  status: ProvisionStatus
  /** True when this run changed something in Plane or Telegram for this item. */
  changed: boolean
  detail: string
}

export type ProvisionPlan = {
  agents: ResolvedAgent[]
  actions: ProvisionAction[]
  /** Items settled while planning: already fine, or a human's job. */
  items: ProvisionItem[]
}
