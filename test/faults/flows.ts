/**
 * @module The flows of issue 14's fault harness, each with the sender that retries it the way the real one
 * does: Plane re-delivers a webhook only after a transport error (no HTTP answer), Telegram re-delivers an update
 * on any non-2xx, an agent calls a tool that failed again; everything else is the poll and the notify cron.
 */

import type { Update } from '@grammyjs/types'
import { pollFunction } from '../../functions/poll/poll.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { telegramMessage } from '../../shared/notify/outbox.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { CHAT_ID, type E2E } from '../../sim/e2e/harness.ts'

/** The human's private chat (the Telegram sim's default human), allowed next to the group. */
export const PRIVATE_CHAT = 1001

/** What a flow is about: its task, and the Telegram update of a command. */
export type Subject = { taskId: string; name: string; ref: string; update?: Update }

/** What reached the outside world for one flow. */
export type Outcome = {
  /** Messages for the human (or the reply) Telegram accepted, or calls to OpenClaw's /hooks/agent for the wake. */
  deliveries: number
  /** OpenClaw runs admitted for the task (distinct Idempotency-Keys); null for flows without a wake. */
  runs: number | null
  /** The Plane comments the flow's write leaves (a tool's own comment on the task): exactly one; null: none due. */
  comments: number | null
}

export type Flow = {
  name: string
  /** Before the fault window: the task exists and the bridge has seen it. */
  setup(t: E2E): Promise<Subject>
  /** The trigger, as its sender makes it; false when the sender saw no success (it will try again). */
  trigger(t: E2E, s: Subject, alive: () => boolean): Promise<boolean>
  /** The sender tries again on the runtime running now; undefined when only Plane's own retries apply. */
  resend?: (t: E2E, s: Subject, alive: () => boolean) => Promise<boolean>
  outcome(t: E2E, s: Subject): Outcome
  /**
   * Its sender's own retries and the notify cron deliver it: it must not wait for the poll (≤ 5 min). False for
   * webhooks, which Plane never re-sends after an HTTP error.
   */
  beforePoll: boolean
}

const okMessages = (t: E2E, match: (text: string, chat: string) => boolean) =>
  t.telegram
    .callsOf('sendMessage')
    .filter((c) => c.status === 200 && match(String(c.params.text), String(c.params.chat_id)))
    .length

/** A task Imhotep has under way, known to the bridge (a poll adopted it: no wake). */
async function startedTask(t: E2E, name: string): Promise<Subject> {
  const item = t.plane.seed.workItem(t.project.id, {
    name,
    state: t.state('In Progress').id,
    assignees: [t.users.imhotep.id],
  })
  await baseline(t)
  return { taskId: item.id, name, ref: `ONB-${item.sequence_id}` }
}

/** One poll cycle and everything it enqueued, before the fault window opens. */
async function baseline(t: E2E) {
  const run = await executeJob(pollFunction, t.services.root, { trigger: 'cron' })
  if (run.outcome !== 'ok') throw new Error(`baseline poll: ${run.outcome} ${run.error ?? ''}`)
  await t.settle()
}

/** A tool call over `/bridge/v1`; a call during which the process died got no answer. */
async function tool(t: E2E, name: string, input: unknown, alive: () => boolean) {
  const call = await callHttp(t.app, name, t.bridgeTokens.imhotep as string, input).catch(
    () => null
  )
  return call !== null && alive() && call.status === 200
}

export const webhookToNotification: Flow = {
  name: 'webhook → notification',
  setup: (t) => startedTask(t, 'Rédiger le guide'),
  async trigger(t, s) {
    await t.plane.ui.updateWorkItem(t.users.imhotep.id, s.taskId, {
      state_id: t.state('Done').id,
    })
    await t.plane.webhooks.settle()
    return true
  },
  outcome: (t, s) => ({
    deliveries: okMessages(t, (text) => text.includes(s.name)),
    runs: null,
    comments: null,
  }),
  beforePoll: false,
}

export const assignmentToWake: Flow = {
  name: 'assignment → wake',
  beforePoll: false,
  async setup(t) {
    const name = 'Indexer la doc'
    const item = t.plane.seed.workItem(t.project.id, { name, state: t.state('Todo').id })
    await baseline(t)
    return { taskId: item.id, name, ref: `ONB-${item.sequence_id}` }
  },
  async trigger(t, s) {
    await t.plane.ui.updateWorkItem(t.users.bridge.id, s.taskId, {
      assignee_ids: [t.users.imhotep.id],
    })
    await t.plane.webhooks.settle()
    return true
  },
  outcome(t, s) {
    const wakeKey = (key: string | undefined) => key?.startsWith(`wake:${s.taskId}:`) === true
    return {
      // Every call for the task, refused ones included: OpenClaw dedupes, but each call is a delivery.
      deliveries: t.openclaw.calls.filter(
        (c) => c.path === '/hooks/agent' && wakeKey(c.idempotencyKey)
      ).length,
      runs: t.openclaw.runs.filter((r) => wakeKey(r.idempotencyKey)).length,
      comments: null,
    }
  },
}

export const toolWriteToNotification: Flow = {
  name: 'tool write → notification',
  setup: (t) => startedTask(t, 'Configurer Redis'),
  beforePoll: true,
  trigger: (t, s, alive) => tool(t, 'update_task_status', done(s), alive),
  resend: (t, s, alive) => tool(t, 'update_task_status', done(s), alive),
  outcome: (t, s) => ({
    deliveries: okMessages(t, (text) => text.includes(s.name)),
    runs: null,
    // The agent's summary, in the comment the tool writes with the change (the run's card shows it too).
    comments: [...t.plane.state.comments.values()].filter(
      (c) =>
        c.issue === s.taskId &&
        !c.deleted_at &&
        c.comment_html.includes(SUMMARY) &&
        !c.comment_html.includes(RUN_CARD_MARK)
    ).length,
  }),
}

/** The machine line of a run's card (shared/runs/run-card.ts). */
const RUN_CARD_MARK = 'plane-bridge:run-card:v1'
const SUMMARY = 'Tests relus, tout passe.'
const done = (s: Subject) => ({ task: s.ref, status: 'done', summary: SUMMARY, confidence: 0.9 })

const STEP = 'Index construit, relecture en cours'
const progress = (s: Subject) => ({ task: s.ref, kind: 'progress', percent: 60, text: STEP })

/**
 * An agent's progress report on a task under way (adopted: no live message yet): its live message, sent once
 * (silently) and showing the report; the comment in Plane once.
 */
export const progressToLive: Flow = {
  name: 'progress → live message',
  setup: (t) => startedTask(t, 'Indexer le wiki'),
  beforePoll: true,
  trigger: (t, s, alive) => tool(t, 'add_comment', progress(s), alive),
  resend: (t, s, alive) => tool(t, 'add_comment', progress(s), alive),
  outcome: (t, s) => ({
    deliveries: t.telegram
      .callsOf('sendMessage')
      .filter((c) => c.status === 200 && c.params.disable_notification === true)
      .filter((c) => String(c.params.text).includes(s.name) && String(c.params.text).includes(STEP))
      .length,
    runs: null,
    comments: [...t.plane.state.comments.values()].filter(
      (c) => c.issue === s.taskId && !c.deleted_at && c.comment_html.includes(STEP)
    ).length,
  }),
}

export const commandToReply: Flow = {
  name: 'command → reply',
  beforePoll: true,
  async setup(t) {
    const subject = await startedTask(t, 'Traduire la FAQ')
    return { ...subject, update: t.telegram.makeMessageUpdate({ text: '/plane status' }) }
  },
  trigger: (t, s, alive) => post(t, s, alive),
  resend: (t, s, alive) => post(t, s, alive),
  outcome: (t) => ({
    deliveries: okMessages(t, (_, chat) => chat === String(PRIVATE_CHAT)),
    runs: null,
    comments: null,
  }),
}

/** Telegram's delivery of the update: a 2xx ends it; anything else (no answer included) is tried again. */
async function post(t: E2E, s: Subject, alive: () => boolean): Promise<boolean> {
  if (!s.update) throw new Error('no update to post')
  const status = await t.postTelegram(s.update).catch(() => 0)
  return alive() && status >= 200 && status < 300
}

const WAITED = 'Message gardé pendant que le bot était exclu du groupe'

/**
 * A message kept while the group had removed the bot (the chat held, nothing dead); the trigger is the update that
 * says the chat is back, which Telegram sends again until it gets a 2xx.
 */
export const heldChatBack: Flow = {
  name: 'held chat → back',
  beforePoll: true,
  async setup(t) {
    const subject = await startedTask(t, 'Relire le contrat')
    t.telegram.chats.block(Number(CHAT_ID))
    await t.bridge.outbox.enqueue(telegramMessage(CHAT_ID, WAITED, 'held-chat:waited'))
    await t.settle(2_000)
    if ((await t.bridge.holds.get(CHAT_ID)) === null) throw new Error('the chat was not held')
    t.telegram.chats.unblock(Number(CHAT_ID))
    const update = t.telegram.makeMessageUpdate({ text: 'me revoilà', chatId: Number(CHAT_ID) })
    return { ...subject, update }
  },
  trigger: (t, s, alive) => post(t, s, alive),
  resend: (t, s, alive) => post(t, s, alive),
  outcome: (t) => ({
    deliveries: okMessages(t, (text) => text === WAITED),
    runs: null,
    comments: null,
  }),
}

export const FLOWS: readonly Flow[] = [
  webhookToNotification,
  assignmentToWake,
  toolWriteToNotification,
  progressToLive,
  commandToReply,
  heldChatBack,
]

/** The agent checks in once woken (any tool call on its task), as a woken agent does. */
export async function checkIn(t: E2E, s: Subject): Promise<void> {
  const woken = t.openclaw.runs.some((r) => r.idempotencyKey?.startsWith(`wake:${s.taskId}:`))
  if (!woken) return
  for (let i = 0; i < 3; i++)
    if (await tool(t, 'get_task_details', { task: s.ref }, () => true)) return
}
