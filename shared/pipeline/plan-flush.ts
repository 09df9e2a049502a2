/** @module What a pending change turns into once its delay is over: Telegram messages for the human, wake-ups for agents. */

import { APPROVAL_LABEL, agentsOfTask, isOpenForAgent } from '../agents/task-vocabulary.ts'
import { diffTask } from '../notify/diff.ts'
import type { AgentRef, Directory } from '../notify/directory.ts'
import { telegramMessage } from '../notify/outbox.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { askApproval } from './flush-cards.ts'
import { planMessages } from './flush-messages.ts'
import { planReviews, reviewWanted } from './flush-reviews.ts'
import type { DeferredCompletion, FlushContext, FlushPlan, PendingChange } from './flush-types.ts'
import { OPEN_STATE_GROUPS } from './pending-changes.ts'

export type { FlushContext, FlushPlan, PendingChange, RunInfo } from './flush-types.ts'

export async function planFlush(entry: PendingChange, ctx: FlushContext): Promise<FlushPlan> {
  let task = entry.after
  const diff = diffTask(entry.before, task, {
    created: entry.created && !entry.before,
    hint: entry.hint,
  })
  const changes = diff.status === 'changed' ? diff.changes : []
  // One completion, one message: when the same pending change reports a low confidence, the completion carries
  // the review's buttons instead of a second message repeating it.
  const deferred: DeferredCompletion = { html: null, dedupeKey: null }
  const reviewing = reviewWanted(entry, ctx)
  const items = [
    ...(await planMessages(entry, changes, ctx, reviewing ? deferred : null)),
    ...(await planReviews(entry, ctx, deferred)),
  ]
  // Kept back for a review that did not come to a card after all: sent on its own, as before.
  if (deferred.html && deferred.dedupeKey && ctx.chatId)
    items.push(telegramMessage(ctx.chatId, deferred.html, deferred.dedupeKey, task.projectId))
  // OPENCLAW-10: the agent labels follow the assignees a person set, before anyone is woken or stopped.
  const assignees = changes.find((c) => c.kind === 'assignees')
  if (assignees?.kind === 'assignees' && ctx.syncAgentLabels) {
    const synced = await ctx
      .syncAgentLabels(task, {
        assigned: await _agentsOf(ctx.directory, assignees.added),
        unassigned: await _agentsOf(ctx.directory, assignees.removed),
      })
      .catch((error: unknown) => {
        // Deleted in Plane since (no webhook says so, makeplane/plane#8054): no label to write, the change is
        // still told, and the poll or a tool's 404 drops the task. Any other failure is the flush's.
        if (error instanceof PlaneApiError && error.kind === 'not_found') return null
        throw error
      })
    if (synced) task = synced
  }
  // Who holds the task before and after its pending change (a task seen for the first time by a read: unknown).
  const known = entry.before !== null || entry.created
  const had = entry.before ? await agentsOfTask(ctx.directory, entry.before) : []
  const has = await agentsOfTask(ctx.directory, task)
  const added = known ? has.filter((a) => !had.some((b) => b.id === a.id)) : []
  const removed = known ? had.filter((a) => !has.some((b) => b.id === a.id)) : []
  const closing = changes.find(
    (c) => c.kind === 'state' && _closed(c.to?.group) && c.from?.group !== c.to?.group
  )
  const closedTo =
    closing?.kind === 'state' ? (closing.to?.group as 'completed' | 'cancelled') : undefined
  const tracker = ctx.tracker
  if (tracker) {
    // Taken away first, so a reassignment's stop message names who has the task now.
    const reason = added.length > 0 ? 'reassigned' : 'unassigned'
    for (const agent of removed) await tracker.unassigned(task, agent, reason, added[0])
    if (closedTo === 'cancelled')
      for (const agent of has) await tracker.unassigned(task, agent, 'cancelled')
    // A task awaiting the human's approval wakes nobody until it is approved (the tracker checks):
    // the human is asked, once per task. Approved (the label gone: removed in Plane; a press of the card's button
    // wakes through `tracker.approved` too, and whichever comes first wakes), or opened to its agents (out of the
    // backlog, reopened): its agents are woken now. Only a task open to its agent wakes it (OPENCLAW-02: a
    // backlog or finished task is not theirs to pick up); the tracker's claim makes each assignment one wake.
    const approved = changes.some(
      (c) => c.kind === 'labels' && c.removed.some((l) => l.toLowerCase() === APPROVAL_LABEL)
    )
    const opened = changes.some(
      (c) => c.kind === 'state' && !isOpenForAgent({ state: c.from }) && isOpenForAgent(task)
    )
    const toWake = approved || opened ? has : added
    // Created while pending: the bridge knew nothing of it before, it has no run card to read.
    const created = entry.created && entry.before === null
    if (ctx.wakeAgents !== false && !closedTo && isOpenForAgent(task))
      for (const agent of toWake)
        if ((await tracker.assigned(task, agent, { created })) === 'awaiting-approval')
          await askApproval(task, agent, ctx)
  }
  // From a state known open (not done to cancelled; not a first sighting, whose hint names no group), or open
  // while it was pending (created, started and done within one delay): its project may have ended with it.
  const from = closing?.kind === 'state' ? closing.from?.group : undefined
  if (closedTo && ctx.onClosed)
    await ctx.onClosed(task, closedTo, {
      fromOpen: OPEN_STATE_GROUPS.has(from ?? '') || entry.openWithin === true,
    })
  return { items, snapshot: task }
}

// --- Internal helpers ---

function _closed(group: string | undefined): boolean {
  return group === 'completed' || group === 'cancelled'
}

async function _agentsOf(directory: Directory, userIds: readonly string[]): Promise<AgentRef[]> {
  const found = await Promise.all(userIds.map((id) => directory.agentByPlaneUser(id)))
  return found.filter((a): a is AgentRef => a !== null)
}
