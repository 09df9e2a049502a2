/** @module Which agent already knows about which task: a wake-up goes out once per (task, agent, assignment). */
import type { Store } from '../store.ts'

/** An assignment is remembered far longer than any task lives; unassigning forgets it so a re-assignment wakes again. */
const ASSIGNMENT_TTL_S = 365 * 24 * 60 * 60

const key = (taskId: string, agentId: string) => `assign:${taskId}:${agentId}`

/** True the first time this (task, agent) pair is seen since the agent was last unassigned. */
export function noteAssignment(store: Store, taskId: string, agentId: string): Promise<boolean> {
  return store.claim(key(taskId, agentId), ASSIGNMENT_TTL_S)
}

export function forgetAssignment(store: Store, taskId: string, agentId: string): Promise<void> {
  return store.delete(key(taskId, agentId))
}
