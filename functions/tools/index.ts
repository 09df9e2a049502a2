/** @module The agent tools (OPENCLAW-01…08): one registry, served over HTTP (`/bridge/v1`) and MCP (`/mcp`). */
import type { AgentTool } from './tool.ts'
import { addComment } from './tools/add-comment.ts'
import { createProject } from './tools/create-project.ts'
import { createTask } from './tools/create-task.ts'
import { getTaskDetails } from './tools/get-task-details.ts'
import { getTeamStatus } from './tools/get-team-status.ts'
import { listMyTasks } from './tools/list-my-tasks.ts'
import { startTimer, stopTimerTool } from './tools/timers.ts'
import { updateTaskStatus } from './tools/update-task-status.ts'
import { uploadDeliverable } from './tools/upload-deliverable.ts'

/** In the order an agent meets them (the skill and `GET /bridge/v1/tools` list them so). */
export const agentTools: readonly AgentTool[] = [
  listMyTasks,
  getTaskDetails,
  updateTaskStatus,
  addComment,
  startTimer,
  stopTimerTool,
  uploadDeliverable,
  createTask,
  createProject,
  getTeamStatus,
]

export function findTool(name: string): AgentTool | undefined {
  return agentTools.find((t) => t.name === name)
}

/**
 * The tools an agent is offered: all of them for the Concierge, the Concierge-only ones left out for a member
 * (OPENCLAW-08: a member offered `create_task` would only be answered 403). Null (not authenticated): all.
 */
export function toolsFor(agent: { role: 'concierge' | 'member' } | null): readonly AgentTool[] {
  if (!agent || agent.role === 'concierge') return agentTools
  return agentTools.filter((t) => t.access !== 'concierge')
}
