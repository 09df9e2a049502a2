/**
 * @module Agent runs (OPENCLAW-09, 15, 16): every wake is verified — an agent that does not check in is woken
 * again, then the human and the Concierge are told; an active run that goes quiet becomes stale; an agent
 * whose task is taken away is told to stop. Deadlines live in the store (`runs:due`, a sorted index), so
 * a running runtime acts on them on time and the `notify` cron catches what a restart left.
 */
import { createAssignments } from './assignments.ts'
import { createCheckins } from './checkins.ts'
import { createDeadlines } from './deadlines.ts'
import { createMentions } from './mentions.ts'
import { createStaleRuns } from './stale.ts'
import { createTrackerKit, type RunTracker, type RunTrackerOptions } from './tracker-kit.ts'
import { createRunWakes } from './wakes.ts'

export { checkinsKey } from './checkins.ts'
export {
  type Assignment,
  type AssignOutcome,
  DUE_SET,
  type RunTracker,
  type RunTrackerOptions,
  type WakeMeta,
} from './tracker-kit.ts'

/**
 * The tracker, one file per reason to change: wake texts (wakes.ts), assignments (assignments.ts), check-ins
 * (checkins.ts), stale runs (stale.ts), deadlines and re-wakes (deadlines.ts), over what they share
 * (tracker-kit.ts).
 */
export function createRunTracker(options: RunTrackerOptions): RunTracker {
  const kit = createTrackerKit(options)
  const wakes = createRunWakes(kit)
  const assignments = createAssignments(kit, wakes)
  const mentions = createMentions(kit, wakes)
  const checkins = createCheckins(kit, wakes, mentions)
  const stale = createStaleRuns(kit, wakes)
  const deadlines = createDeadlines(kit, wakes, assignments, stale, mentions)
  return {
    ...assignments,
    ...checkins,
    ...deadlines,
    tellConcierge: wakes.tellConcierge,
    mentioned: mentions.mentioned,
    mentionPending: mentions.pending,
  }
}
