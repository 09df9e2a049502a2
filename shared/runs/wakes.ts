/**
 * @module Wake texts and the messages runs send: an agent's wake (with its reminder count), the human's and the
 * Concierge's messages, each an outbox item with its deduplication key.
 */
import type { TaskSnapshot } from '../events.ts'
import type { AgentRef } from '../notify/directory.ts'
import { phrasesFor } from '../notify/i18n.ts'
import { buildTaskUrl } from '../notify/messages.ts'
import { type EnqueueInput, telegramMessage } from '../notify/outbox.ts'
import {
  ASSIGNMENT_TTL_S,
  type Assignment,
  assignmentKey,
  DUE_SET,
  type TrackerKit,
  type WakeMeta,
  wakeMember,
} from './tracker-kit.ts'

export type RunWakes = ReturnType<typeof createRunWakes>

export function createRunWakes({ options, m, say }: TrackerKit) {
  const { store, outbox, log, now, locale } = options

  const taskRef = async (task: TaskSnapshot) => {
    const project = await options.directory.project(task.projectId)
    const ref =
      project?.identifier && task.sequenceId !== null
        ? `${project.identifier}-${task.sequenceId}`
        : task.id
    const url = buildTaskUrl(
      options.planeBaseUrl,
      options.workspaceSlug,
      task,
      project?.identifier ?? null
    )
    return { project, ref, url }
  }

  const agentWake = (
    agent: AgentRef,
    ref: string,
    message: string,
    dedupeKey: string,
    meta?: WakeMeta
  ): EnqueueInput => ({
    channel: 'openclaw',
    target: agent.openclawAgentId,
    payload: {
      message,
      agentId: agent.openclawAgentId,
      name: 'plane-bridge',
      wakeMode: 'now',
      deliver: false,
      ...(options.sessionKeyPrefix ? { sessionKey: `${options.sessionKeyPrefix}${ref}` } : {}),
    },
    dedupeKey,
    ...(meta ? { meta } : {}),
  })

  /** Enqueue wake n+1, then record it: a crash in between repeats the same (deduplicated) item. */
  const sendWake = async (entry: Assignment, task: TaskSnapshot, agent: AgentRef) => {
    const attempt = entry.attempts + 1
    const { project, ref, url } = await taskRef(task)
    const text = phrasesFor(locale).wake({
      ref,
      title: task.name,
      project: project?.name ?? task.projectId,
      priority: task.priority,
      dueDate: task.targetDate,
      url,
    })
    const message = attempt > 1 ? `${say.reminder(attempt, options.attempts)}\n${text}` : text
    await outbox.enqueue({
      ...agentWake(
        agent,
        ref,
        message,
        `wake:${task.id}:${agent.id}:${entry.assignmentId}:${attempt}`,
        {
          kind: 'wake',
          taskId: task.id,
          agentId: agent.id,
          attempt,
        }
      ),
      ...(entry.backlog ? { bulk: true } : {}),
    })
    const at = now()
    const next: Assignment = {
      ...entry,
      attempts: attempt,
      firstWakeAt: entry.firstWakeAt ?? at,
      lastWakeAt: at,
    }
    await store.set(assignmentKey(task.id, agent.id), next, { ttlSeconds: ASSIGNMENT_TTL_S })
    await store.sortedAdd(DUE_SET, wakeMember(task.id, agent.id), at + options.checkinMs)
    if (attempt > 1) m.rewakes.inc({ agent: agent.id })
    log.info('agent woken', { task: task.id, agent: agent.id, attempt })
    return next
  }

  /** `agent`: the message is about that agent's run, and counts in its share of the human's attention. */
  const tellHuman = async (
    html: string,
    dedupeKey: string,
    projectId?: string,
    agent?: { id: string; name: string }
  ) => {
    const chatId = options.chatId
    if (!chatId) return
    // A deploy's backlog of wakes nobody answered: past the agent's share, one grouped message, not one a task.
    if (agent && options.quota && !(await options.quota.admit(agent.id))) {
      await outbox.enqueue(
        await options.quota.group({
          agentId: agent.id,
          agentName: agent.name,
          chatId,
          dedupeKey,
          html,
        })
      )
      return
    }
    await outbox.enqueue(telegramMessage(chatId, html, dedupeKey, projectId))
  }

  const tellConcierge = async (text: string, dedupeKey: string, ref: string) => {
    if (!options.wakeAgents) return
    const concierge = await options.directory.concierge()
    if (concierge) await outbox.enqueue(agentWake(concierge, ref, text, dedupeKey))
  }

  return { taskRef, agentWake, sendWake, tellHuman, tellConcierge }
}
