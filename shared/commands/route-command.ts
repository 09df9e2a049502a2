/** @module What `/plane …` and the drill-down buttons ask for, and the reply each gets (NOTIF-06). Pure. */

import type { WorkspaceView } from '../workspace/workspace-view.ts'
import { answerAgentQuery, buildAgentReply } from './agent-reply.ts'
import { buildBudgetReply } from './budget-reply.ts'
import type { DrillDown } from './callback-data.ts'
import { buildHelpReply } from './help-reply.ts'
import { answerProjectQuery, buildProjectReply } from './project-reply.ts'
import type { CommandReply, RenderContext } from './render-parts.ts'
import { buildStatusReply } from './status-reply.ts'

export type CommandRequest =
  | { kind: 'help' }
  | { kind: 'status' }
  | { kind: 'budget' }
  | { kind: 'project'; query: string }
  | { kind: 'agent'; query: string }
  | { kind: 'project-id'; projectId: string }
  | { kind: 'agent-id'; agentId: string }

/** The human writes French first: French sub-commands are accepted too. */
const SUBCOMMANDS: Record<string, 'status' | 'budget' | 'project' | 'agent' | 'help'> = {
  status: 'status',
  statut: 'status',
  etat: 'status',
  état: 'status',
  project: 'project',
  projet: 'project',
  agent: 'agent',
  budget: 'budget',
  help: 'help',
  aide: 'help',
}

/** `/plane` arguments → a request; no or unknown sub-command, or a missing name, → help. */
export function planCommand(args: readonly string[]): CommandRequest {
  const [first = '', ...rest] = args
  const kind = SUBCOMMANDS[first.toLowerCase()]
  const query = rest.join(' ').trim()
  if (kind === 'status') return { kind: 'status' }
  if (kind === 'budget') return { kind: 'budget' }
  if ((kind === 'project' || kind === 'agent') && query) return { kind, query }
  return { kind: 'help' }
}

export function planDrillDown(target: DrillDown): CommandRequest {
  if (target.kind === 'status') return { kind: 'status' }
  return target.kind === 'project'
    ? { kind: 'project-id', projectId: target.projectId }
    : { kind: 'agent-id', agentId: target.agentId }
}

export function needsWorkspaceView(request: CommandRequest): boolean {
  return request.kind !== 'help'
}

export function answerCommand(
  request: CommandRequest,
  workspace: WorkspaceView,
  ctx: RenderContext
): CommandReply {
  switch (request.kind) {
    case 'help':
      return buildHelpReply(ctx)
    case 'status':
      return buildStatusReply(workspace, ctx)
    case 'budget':
      return buildBudgetReply(workspace, ctx)
    case 'project':
      return answerProjectQuery(request.query, workspace, ctx)
    case 'agent':
      return answerAgentQuery(request.query, workspace, ctx)
    case 'project-id': {
      const project = workspace.projects.find((p) => p.id === request.projectId)
      return project ? buildProjectReply(project, workspace, ctx) : buildStatusReply(workspace, ctx)
    }
    case 'agent-id': {
      const agent = workspace.agents.find((a) => a.id === request.agentId)
      return agent ? buildAgentReply(agent, workspace, ctx) : buildStatusReply(workspace, ctx)
    }
  }
}
