/**
 * @module Mentions wake agents, as a mention does in Linear and in Plane's paid Agents: a comment that
 * mentions an agent's Plane user wakes it with the comment and the task's link, through the same verified wakes as
 * an assignment — not answered within WAKE_CHECKIN_SECONDS (any tool call on the task), woken again, then the human
 * is told. Once per comment and agent: an edit of the comment (Plane sends it again) wakes no one twice, an edit that
 * adds a mention wakes the one added.
 */

import type { TaskSnapshot } from '../events.ts'
import type { AgentRef } from '../notify/directory.ts'
import { renderTaskName } from '../notify/messages.ts'
import { escapeCut, escapeHtml } from '../telegram/html.ts'
import { capText } from '../text/cap.ts'
import { DUE_SET, type TrackerKit } from './tracker-kit.ts'
import type { RunWakes } from './wakes.ts'

/** The comment that mentions the agent. */
export type Mention = {
  commentId: string
  /** Plain text of the comment (cut for the wake). */
  text: string
  /** Who wrote it, by name. */
  author: string
}

export type MentionOutcome = 'woken' | 'known' | 'off'

/** A comment's author as the human's message names them (escaped): a name from Plane, cut like every other. */
const MAX_AUTHOR_CHARS = 160

export type RunMentions = {
  /** The agent is mentioned in a comment on the task: a verified wake, once per comment and agent. */
  mentioned(task: TaskSnapshot, agent: AgentRef, mention: Mention): Promise<MentionOutcome>
  /** The agent did something on the task (any tool call): its mention is answered. */
  answered(taskId: string, agent: AgentRef): Promise<void>
  /** A mention's deadline passed: woken again, or, out of attempts, the human told. */
  due(taskId: string, agentId: string): Promise<void>
  /** Whether the agent has a mention on this task it has not answered yet (it may then comment on it). */
  pending(taskId: string, agentId: string): Promise<boolean>
  /** The same for several tasks, in one read. */
  pendingMany(taskIds: readonly string[], agentId: string): Promise<boolean[]>
}

type MentionEntry = Mention & {
  taskId: string
  projectId: string
  agentId: string
  attempts: number
  at: number
}

/** The wake's excerpt of the comment. */
const MENTION_TEXT_CHARS = 1000
/** A comment is sent again when edited within days; a month is plenty. */
const CLAIM_TTL_S = 30 * 24 * 60 * 60
/** A mention not answered stays answerable (add_comment on a task not one's own) this long. */
const ENTRY_TTL_S = 7 * 24 * 60 * 60

export const mentionMember = (taskId: string, agentId: string) => `mention|${taskId}|${agentId}`
const entryKey = (taskId: string, agentId: string) => `run:mention:${taskId}:${agentId}`
const claimKey = (commentId: string, agentId: string) => `run:mentioned:${commentId}:${agentId}`

export function createMentions(
  { options, say }: TrackerKit,
  { taskRef, agentWake, tellHuman }: RunWakes
): RunMentions {
  const { store, outbox, log, now, locale } = options

  const send = async (entry: MentionEntry, task: TaskSnapshot, agent: AgentRef) => {
    const attempt = entry.attempts + 1
    const { ref, url } = await taskRef(task)
    const text = say.mention({
      ref,
      title: task.name,
      url,
      author: entry.author,
      text: capText(entry.text, MENTION_TEXT_CHARS + 1),
    })
    await outbox.enqueue(
      agentWake(
        agent,
        ref,
        attempt > 1 ? `${say.reminder(attempt, options.attempts)}\n${text}` : text,
        `mention:${entry.commentId}:${agent.id}:${attempt}`
      )
    )
    const next = { ...entry, attempts: attempt }
    await store.set(entryKey(entry.taskId, agent.id), next, { ttlSeconds: ENTRY_TTL_S })
    await store.sortedAdd(DUE_SET, mentionMember(entry.taskId, agent.id), now() + options.checkinMs)
    log.info('agent woken for a mention', { task: entry.taskId, agent: agent.id, attempt })
  }

  return {
    async mentioned(task, agent, mention) {
      if (!options.wakeAgents) return 'off'
      if (!(await store.claim(claimKey(mention.commentId, agent.id), CLAIM_TTL_S))) return 'known'
      const entry: MentionEntry = {
        ...mention,
        taskId: task.id,
        projectId: task.projectId,
        agentId: agent.id,
        attempts: 0,
        at: now(),
      }
      // The deadline first: whatever happens next, it comes due and the wake is checked.
      await store.sortedAdd(DUE_SET, mentionMember(task.id, agent.id), now() + options.checkinMs)
      await send(entry, task, agent)
      return 'woken'
    },

    async answered(taskId, agent) {
      const entry = await store.get<MentionEntry>(entryKey(taskId, agent.id))
      if (!entry) return
      await store.sortedRemove(DUE_SET, mentionMember(taskId, agent.id))
      await store.delete(entryKey(taskId, agent.id))
      log.info('mention answered', { task: taskId, agent: agent.id, attempts: entry.attempts })
    },

    async due(taskId, agentId) {
      const member = mentionMember(taskId, agentId)
      const entry = await store.get<MentionEntry>(entryKey(taskId, agentId))
      const agent = await options.directory.agentById(agentId)
      const task = await options.snapshot(taskId)
      if (!entry || !agent || !task) {
        await store.sortedRemove(DUE_SET, member)
        return
      }
      if (entry.attempts < options.attempts) {
        await send(entry, task, agent)
        return
      }
      const { project, url } = await taskRef(task)
      await tellHuman(
        say.mentionUnansweredHuman(
          `<b>${escapeHtml(agent.name)}</b>`,
          escapeCut(entry.author, MAX_AUTHOR_CHARS),
          renderTaskName(task, { locale, project, taskUrl: url }),
          entry.attempts
        ),
        `mention-unanswered:${entry.commentId}:${agentId}`,
        task.projectId
      )
      await store.sortedRemove(DUE_SET, member)
      log.warn('agent does not answer a mention', { task: taskId, agent: agentId })
    },

    pending: (taskId, agentId) => store.has(entryKey(taskId, agentId)),
    pendingMany: async (taskIds, agentId) =>
      (await store.getMany(taskIds.map((id) => entryKey(id, agentId)))).map((e) => e !== null),
  }
}
