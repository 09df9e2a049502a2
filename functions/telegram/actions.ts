/**
 * @module The human's actions from Telegram, after the webhook answered: a card's button pressed (validate,
 * send back, answer, approve, refuse) or a reply to a card or to the bridge's prompt. Each one is carried out
 * in Plane as the bridge (a comment naming the human, the state, the label), reaches the agent as a wake,
 * and edits the card: its buttons go, a line says who did what and when. A card acts once.
 */
import { CARD_ACTIONS, type Card, type CardAction } from '../../shared/actions/cards.ts'
import { actionPhrasesFor } from '../../shared/actions/phrases.ts'
import { formatTime } from '../../shared/commands/render-parts.ts'
import { type PartsOf, partNames, type Services } from '../../shared/core/function.ts'
import { type EnqueueInput, telegramMessage } from '../../shared/notify/outbox.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { periodOpenedAt } from '../../shared/store/period.ts'
import { TASK_PARTS, type TaskContext } from '../../shared/tasks/task-context.ts'
import { resolveTask } from '../../shared/tasks/tasks.ts'
import { escapeHtml } from '../../shared/telegram/html.ts'
import { splitMessage, TELEGRAM_MESSAGE_LIMIT } from '../../shared/telegram/split.ts'
import { capText } from '../../shared/text/cap.ts'
import { budgetAction } from './budget-actions.ts'
import { actOnTask } from './task-actions.ts'

export type CardPress = {
  kind: 'callback'
  updateId: number
  chatId: string
  queryId: string
  fromName: string
  cardId: string
  action: CardAction
  /** The message the button sits under: the card's, even before the sender has recorded Telegram's answer. */
  messageId: number | null
}

export type CardReply = {
  kind: 'reply'
  updateId: number
  chatId: string
  fromName: string
  cardId: string
  /** The action the replied-to message asked text for; null: a reply to the card itself (an answer). */
  prompt: CardAction | null
  text: string
}

/** A prompt is sent again at most this often for one card and action (a double press sends one). */
const PROMPT_AGAIN_AFTER_S = 10 * 60
/** Longest text taken from the human into Plane and the agent's wake. */
const MAX_TEXT = 4000

/** The parts the human's actions read: the cards, Plane through the task steps, the tracker's wakes, the outbox. */
export const ACTION_PARTS = partNames(
  ...TASK_PARTS,
  'plane',
  'runs',
  'telegram',
  'cards',
  'tracker',
  'outbox',
  'budget'
)
export type ActionParts = PartsOf<typeof ACTION_PARTS>

/** A button of a card was pressed. */
export async function handleCardPress(
  services: Services,
  parts: ActionParts,
  press: CardPress
): Promise<void> {
  const say = actionPhrasesFor(services.config.LOCALE)
  const toast = (text: string) =>
    parts.telegram
      ?.answerCallbackQuery({ callback_query_id: press.queryId, text })
      .catch((error: unknown) =>
        services.log.warn('answerCallbackQuery failed', {
          error: errorMessage(error),
        })
      )
  const card = await parts.cards.get(press.cardId)
  if (!card || card.chatId !== press.chatId) {
    await toast(say.toast.failed)
    return
  }
  // A Telegram client can send any callback data for a message it sees: only the card's own buttons act.
  if (!CARD_ACTIONS[card.kind].includes(press.action)) {
    services.log.warn('card button refused: not one this card offers', {
      card: card.id,
      kind: card.kind,
      action: press.action,
    })
    await toast(say.toast.unknownButton)
    return
  }
  const done = await parts.cards.done(card.id)
  if (done && !(done.action === 'answer' && press.action === 'answer')) {
    await toast(say.toast.already(say.doneLine(done.action, done.by, _time(services, done.at))))
    return
  }
  if (press.action === 'sendback' || press.action === 'answer') {
    await toast(say.toast.replyBelow)
    await _prompt(services, parts, card, press.action)
    return
  }
  // Answered at once (Telegram shows a spinner until then, and a late answer fails): what Plane does
  // next shows on the card, edited once it is done, or as a message when it fails.
  await toast(say.toast.working)
  const shown = card.messageId === null ? { ...card, messageId: press.messageId } : card
  await perform(services, parts, shown, press.action, press.fromName, null)
}

/** A reply to a card (an answer) or to a prompt (the text its action needs). */
export async function handleCardReply(
  services: Services,
  parts: ActionParts,
  reply: CardReply
): Promise<void> {
  const card = await parts.cards.get(reply.cardId)
  if (!card || card.chatId !== reply.chatId) return
  const action: CardAction = reply.prompt ?? 'answer'
  // A prompt the bridge sent for this card names one of its actions; anything else changes nothing.
  if (reply.prompt && !CARD_ACTIONS[card.kind].includes(reply.prompt)) {
    services.log.warn('card reply refused: not an action this card offers', {
      card: card.id,
      kind: card.kind,
      action: reply.prompt,
    })
    return
  }
  await perform(
    services,
    parts,
    card,
    action,
    reply.fromName,
    capText(reply.text, MAX_TEXT),
    reply.updateId
  )
}

/**
 * Carry out an action once: claim the card, write in Plane, wake the agent, edit the card. A failure in
 * Plane releases the claim (the human may try again) and is said in the chat.
 */
export async function perform(
  services: Services,
  parts: ActionParts,
  card: Card,
  action: CardAction,
  by: string,
  text: string | null,
  replyId?: number
): Promise<'done' | 'already' | 'failed'> {
  const { log, now } = services
  const say = actionPhrasesFor(services.config.LOCALE)
  const at = now()
  // Several answers to one question all go through; every other action acts once per card.
  const claimed = await parts.cards.claim(card.id, { action, by, at })
  if (!claimed && action !== 'answer') return 'already'
  try {
    // A budget alert (OPENCLAW-11) is about no task: the budget changes, not Plane.
    if (card.kind === 'budget') {
      const line = await budgetAction(services, parts.budget, card, action, by)
      if (claimed) await _edit(services, parts, card, line)
      log.info('budget action from telegram', { card: card.id, action, scope: card.budget?.scope })
      parts.kick()
      return 'done'
    }
    const ctx = _humanContext(services, parts, by)
    const task = await resolveTask(ctx, card.taskId)
    const ref = task.ref ?? card.ref ?? task.key.id
    await actOnTask(services, parts.tracker, ctx, task, { card, action, by, text, replyId, at })
    if (claimed)
      await _edit(services, parts, card, say.doneLine(action, escapeHtml(by), _time(services, at)))
    log.info('human action from telegram', { card: card.id, task: task.key.id, action, ref })
    parts.kick()
    return 'done'
  } catch (error) {
    const detail = errorMessage(error)
    if (claimed) await parts.cards.release(card.id)
    log.warn('human action failed', { card: card.id, action, error: detail })
    await parts.outbox.enqueue(
      telegramMessage(
        card.chatId,
        say.failed(
          escapeHtml(card.ref ?? (card.kind === 'budget' ? 'Budget' : card.taskId)),
          escapeHtml(capText(detail, 300))
        ),
        `action-failed:${card.id}:${action}:${at}`,
        card.projectId
      )
    )
    parts.kick()
    return 'failed'
  }
}

/** The card's text and the line under it, within Telegram's 4096 (the card's own text is cut, its tags closed). */
export function cardWithLine(html: string, line: string): string {
  const room = TELEGRAM_MESSAGE_LIMIT - line.length - 3
  if (html.length <= room) return `${html}\n\n${line}`
  return `${splitMessage(html, room)[0] ?? ''}…\n\n${line}`
}

// --- Internal helpers ---

/** The human acting through the bridge's key, at a person's priority: comments name them in their own words. */
function _humanContext(services: Services, parts: ActionParts, name: string): TaskContext {
  if (!parts.plane || !parts.runs) throw new Error('Plane is not configured')
  // A person's action goes first when the key's window is full.
  const plane = parts.plane.withPriority('human')
  const { directory, pipeline, index, projectStates, labels } = parts
  return {
    config: services.config,
    log: services.log,
    now: services.now,
    directory,
    pipeline,
    index,
    projectStates,
    labels,
    taskDeleted: (taskId) => parts.taskDeleted(taskId),
    kick: () => parts.kick(),
    author: { kind: 'human', name },
    plane,
    writer: plane,
    ownKey: false,
    runs: parts.runs,
    touched: new Map(),
  }
}

/**
 * Ask for the text an action needs: a ForceReply message, once per card and action every 10 min. The first press
 * marks when it asked (`tg:card:prompted:…`, 10 min), and the message's dedupe key is that time: a second press
 * within 10 min names the same message, which the outbox keeps once, and a press after a crash between the mark and
 * the message sends it then.
 */
async function _prompt(
  services: Services,
  parts: ActionParts,
  card: Card,
  action: 'sendback' | 'answer'
): Promise<void> {
  const say = actionPhrasesFor(services.config.LOCALE)
  const askedAt = await periodOpenedAt(
    services.store,
    `tg:card:prompted:${card.id}:${action}`,
    PROMPT_AGAIN_AFTER_S,
    services.now()
  )
  const base = telegramMessage(
    card.chatId,
    say.prompt(action, escapeHtml(card.ref ?? card.taskId)),
    `prompt:${card.id}:${action}:${askedAt}`,
    card.projectId
  )
  const item: EnqueueInput = {
    ...base,
    payload: {
      ...base.payload,
      reply_markup: { force_reply: true, input_field_placeholder: card.ref ?? undefined },
      ...(card.messageId
        ? { reply_parameters: { message_id: card.messageId, allow_sending_without_reply: true } }
        : {}),
    },
    meta: { kind: 'prompt', cardId: card.id, action, projectId: card.projectId },
  }
  await parts.outbox.enqueue(item)
  parts.kick()
}

/** The card loses its buttons and gains the line saying who did what. */
async function _edit(
  services: Services,
  parts: ActionParts,
  card: Card,
  line: string
): Promise<void> {
  if (card.messageId === null) {
    services.log.warn('card not edited: its message is not known yet', { card: card.id })
    return
  }
  await parts.outbox.enqueue({
    channel: 'telegram',
    target: card.chatId,
    payload: {
      chat_id: card.chatId,
      message_id: card.messageId,
      text: cardWithLine(card.html, line),
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      reply_markup: { inline_keyboard: [] },
    },
    dedupeKey: `edit:${card.id}`,
    meta: { kind: 'edit' },
  })
}

function _time(services: Services, at: number): string {
  return formatTime(at, services.config.TIMEZONE)
}
