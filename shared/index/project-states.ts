/**
 * @module Each project's workflow states as last listed (5 min), for the state a tool or a person's action moves a
 * task to: a status change costs no listing of the project's states each time. Per runtime, built in the root.
 */
import type { PlaneClient } from '../plane/client.ts'
import type { PlaneState } from '../plane/schemas.ts'

/** How long a project's states are used before they are listed again. */
export const STATES_TTL_MS = 5 * 60 * 1000

export type ProjectStates = {
  /** The project's states: as kept when listed within the TTL, else listed with `plane` (a failure is not kept). */
  list(plane: PlaneClient, projectId: string): Promise<PlaneState[]>
}

export function createProjectStates({
  ttlMs = STATES_TTL_MS,
  now = Date.now,
}: {
  ttlMs?: number
  now?: () => number
} = {}): ProjectStates {
  const kept = new Map<string, { at: number; states: PlaneState[] }>()
  return {
    async list(plane, projectId) {
      const entry = kept.get(projectId)
      if (entry && now() - entry.at < ttlMs) return entry.states
      const states = await plane.states.list(projectId)
      kept.set(projectId, { at: now(), states })
      return states
    },
  }
}
