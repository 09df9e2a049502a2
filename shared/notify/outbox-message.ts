/**
 * @module What an outbox item carries: one kind of message each — a Telegram message, an edit, an agent's
 * grouped message, an OpenClaw wake — typed where it is made, and read back from the store into that kind (or a
 * reason it cannot be) where it is sent.
 */
import type { OpenClawAgentParams } from '../openclaw/client.ts'
import type { TelegramParams } from '../telegram/client.ts'

/** A Telegram message, sent as it is: a notification, a card with its buttons, a prompt, a command's reply. */
export type TelegramSendPayload = TelegramParams<'sendMessage'>
/** A card's message edited in place (it loses its buttons and gains who did what). */
export type TelegramEditPayload = TelegramParams<'editMessageText'>
/** An agent's grouped message: names whose held messages to send; its text is built when it goes. */
export type GroupedPayload = { chat_id: string; grouped: string; agent_name: string }
/**
 * A live message (the live view: a task under way, or the board of them), named by its key: its text is rendered
 * when it goes, from the progress reported until then, so a burst of reports costs one send or edit.
 */
export type LivePayload = {
  chat_id: string
  live: string
  /** The message's generation this item is for: an item of a generation gone by is done already. */
  gen: number
}
/** `POST /hooks/agent`'s body, with the task's session when a session key prefix is set. */
export type OpenClawWakePayload = OpenClawAgentParams & { sessionKey?: string }

/** A message about a project goes to its topic (TELEGRAM_TOPICS=per-project). */
export type MessageMeta = { kind?: undefined; projectId: string }
/** A card's message: its id is kept on the card, so its buttons find it again. */
export type CardMeta = { kind: 'card'; cardId: string; projectId?: string }
/** The prompt asking for an action's text (a ForceReply): the reply is matched to the card by its id. */
export type PromptMeta = {
  kind: 'prompt'
  cardId: string
  action: 'sendback' | 'answer'
  projectId?: string
}
/**
 * The word that a chat is back (held-chats.ts), kept on the notice: how many of the messages it counts left the lane
 * for a summary. A notice the chat refused in turn is replaced by the next one, which counts them too.
 */
export type BackMeta = {
  kind: 'back'
  summed: number
  /** About no project: it goes where the chat is, never to a topic. */
  projectId?: undefined
}
/** Carried on wake items (never sent): what the sender reports back when OpenClaw admits it. */
export type WakeMeta = { kind: 'wake'; taskId: string; agentId: string; attempt: number }

type Addressed = {
  /** Telegram chat id or OpenClaw agent id: the unit of ordering and rate limiting. */
  target: string
}
export type TelegramMessage = Addressed & {
  channel: 'telegram'
  payload: TelegramSendPayload
  meta?: MessageMeta | CardMeta | PromptMeta | BackMeta
}
export type TelegramEdit = Addressed & {
  channel: 'telegram'
  payload: TelegramEditPayload
  meta: { kind: 'edit' }
}
export type GroupedMessage = Addressed & {
  channel: 'telegram'
  payload: GroupedPayload
  meta: { kind: 'grouped'; agentId: string }
}
export type LiveItem = Addressed & {
  channel: 'telegram'
  payload: LivePayload
  /** Its project, for a task's first message: it goes to the project's topic (TELEGRAM_TOPICS=per-project). */
  meta: { kind: 'live'; projectId?: string }
}
export type OpenClawWake = Addressed & {
  channel: 'openclaw'
  payload: OpenClawWakePayload
  meta?: WakeMeta
}

/** Every message the outbox carries; a Telegram item's kind is its `meta.kind` (none: a plain message). */
export type OutboxMessage =
  | TelegramMessage
  | TelegramEdit
  | GroupedMessage
  | LiveItem
  | OpenClawWake

/** An item as the store gives it back: written by this version or an older one. */
export type StoredMessage = {
  channel: string
  target: string
  payload: Record<string, unknown>
  meta?: Record<string, unknown>
}

/** A stored item read as the message it carries, told apart by `kind`, or why it cannot be sent. */
export type ReadMessage =
  | { kind: 'message'; message: TelegramMessage }
  | { kind: 'edit'; message: TelegramEdit }
  | { kind: 'grouped'; message: GroupedMessage }
  | { kind: 'live'; message: LiveItem }
  | { kind: 'wake'; message: OpenClawWake }
  | { kind: 'unreadable'; reason: string }

/** A stored item that is none of the messages the outbox carries: it is buried at once, never retried. */
export class UnreadableOutboxItemError extends Error {
  override readonly name = 'UnreadableOutboxItemError'
}

/**
 * Read a stored item as its message. The shapes are the ones stored before the union was named (`channel`, then
 * `meta.kind`), so items enqueued by an older version read the same; anything else is `unreadable`, with the reason.
 */
export function readOutboxMessage(item: StoredMessage): ReadMessage {
  const { channel, target, payload, meta } = item
  if (typeof payload !== 'object' || payload === null)
    return _unreadable(`a ${channel} item without a payload`)
  if (channel === 'openclaw') {
    if (!_isWakePayload(payload)) return _unreadable('an OpenClaw wake without a message')
    const wake = _wakeMeta(meta)
    return { kind: 'wake', message: { channel, target, payload, ...(wake ? { meta: wake } : {}) } }
  }
  if (channel !== 'telegram') return _unreadable(`an item for an unknown channel (${channel})`)
  if (meta?.kind === 'grouped') {
    if (!_isGroupedPayload(payload) || typeof meta.agentId !== 'string')
      return _unreadable("an agent's grouped message without its agent")
    return {
      kind: 'grouped',
      message: { channel, target, payload, meta: { kind: 'grouped', agentId: meta.agentId } },
    }
  }
  if (meta?.kind === 'live') {
    const { chat_id, live: key, gen } = payload
    if (typeof chat_id !== 'string' || typeof key !== 'string' || typeof gen !== 'number')
      return _unreadable('a live message without its chat, key and generation')
    const projectId = typeof meta.projectId === 'string' ? { projectId: meta.projectId } : {}
    const live = { chat_id, live: key, gen }
    return {
      kind: 'live',
      message: { channel, target, payload: live, meta: { kind: 'live', ...projectId } },
    }
  }
  if (meta?.kind === 'edit') {
    if (!_isEditPayload(payload))
      return _unreadable('a Telegram edit without its chat, message id and text')
    return { kind: 'edit', message: { channel, target, payload, meta: { kind: 'edit' } } }
  }
  if (!_isSendPayload(payload)) return _unreadable('a Telegram message without its chat and text')
  const linked = _messageMeta(meta)
  return {
    kind: 'message',
    message: { channel, target, payload, ...(linked ? { meta: linked } : {}) },
  }
}

// --- Internal helpers ---

function _unreadable(what: string): ReadMessage {
  return { kind: 'unreadable', reason: `unreadable outbox item: ${what}` }
}

const _isChatId = (value: unknown) => typeof value === 'string' || typeof value === 'number'

function _isSendPayload(payload: Record<string, unknown>): payload is TelegramSendPayload {
  return _isChatId(payload.chat_id) && typeof payload.text === 'string'
}

function _isEditPayload(payload: Record<string, unknown>): payload is TelegramEditPayload {
  return (
    _isChatId(payload.chat_id) &&
    typeof payload.message_id === 'number' &&
    typeof payload.text === 'string'
  )
}

function _isGroupedPayload(payload: Record<string, unknown>): payload is GroupedPayload {
  return (
    typeof payload.chat_id === 'string' &&
    typeof payload.grouped === 'string' &&
    typeof payload.agent_name === 'string'
  )
}

function _isWakePayload(payload: Record<string, unknown>): payload is OpenClawWakePayload {
  return typeof payload.message === 'string'
}

/**
 * A plain message's project, the card it belongs to (what delivery did with the same fields before), or what a notice
 * of a chat back counts.
 */
function _messageMeta(
  meta: Record<string, unknown> | undefined
): TelegramMessage['meta'] | undefined {
  const projectId = typeof meta?.projectId === 'string' ? meta.projectId : undefined
  const project = projectId === undefined ? {} : { projectId }
  const cardId = typeof meta?.cardId === 'string' && meta.cardId ? meta.cardId : null
  if (meta?.kind === 'back' && typeof meta.summed === 'number')
    return { kind: 'back', summed: meta.summed }
  if (cardId && meta?.kind === 'card') return { kind: 'card', cardId, ...project }
  if (cardId && meta?.kind === 'prompt') {
    const action = meta.action === 'sendback' ? 'sendback' : 'answer'
    return { kind: 'prompt', cardId, action, ...project }
  }
  return projectId === undefined ? undefined : { projectId }
}

function _wakeMeta(meta: Record<string, unknown> | undefined): WakeMeta | null {
  if (meta?.kind !== 'wake') return null
  const { taskId, agentId, attempt } = meta
  return typeof taskId === 'string' && typeof agentId === 'string' && typeof attempt === 'number'
    ? { kind: 'wake', taskId, agentId, attempt }
    : null
}
