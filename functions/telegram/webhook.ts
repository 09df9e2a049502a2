/**
 * @module POST /webhooks/telegram — the /plane commands (NOTIF-06). Check the secret in constant time, answer only
 * allowed chats, run each update_id once, answer 200 at once; the reply is built after and sent through the outbox.
 */

import { defineHttpFunction, type Services } from '../../shared/core/function.ts'
import { rateLimit } from '../../shared/core/rate-limit.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { getBotUsername } from '../../shared/telegram/bot-username.ts'
import { parseCommand } from '../../shared/telegram/command.ts'
import { verifyTelegramSecret } from '../../shared/telegram/secret.ts'
import { type IncomingUpdate, readUpdate } from '../../shared/telegram/update.ts'
import type { CommandParts, CommandUpdate } from './answer-command.ts'
import {
  type ChatNewsParts,
  isChatAllowedNow,
  noteChatPresence,
  noteMigration,
} from './chat-news.ts'
import { answerStoredCommand, storeCommand } from './command-inbox.ts'

/** Telegram keeps an update for at most 24 h (§1.2): a claim that long sees every redelivery. */
export const UPDATE_DEDUPE_TTL_S = 24 * 60 * 60

/** A message in a chat the bridge answers: a command, a reply to a card or a prompt, or neither. */
type MessageUpdate = Extract<IncomingUpdate, { kind: 'message' }>

export const telegramWebhookFunction = defineHttpFunction({
  name: 'telegram-webhook',
  description: 'Answers the /plane commands sent to the bot on Telegram.',
  method: 'POST',
  path: '/webhooks/telegram',
  requires: [
    'TELEGRAM_BOT_TOKEN',
    'TELEGRAM_WEBHOOK_SECRET',
    // The default of TELEGRAM_ALLOWED_CHAT_IDS: without it no chat could ever be answered.
    'TELEGRAM_CHAT_ID',
    'PLANE_BASE_URL',
    'PLANE_API_KEY',
    'PLANE_WORKSPACE_SLUG',
  ],
  handler: async function telegramWebhook(c) {
    const services = c.get('services')
    const parts: CommandParts & ChatNewsParts = c.get('parts')
    const { config, store, log, background } = services
    // Fail closed, before reading the body: only Telegram knows the secret given to setWebhook.
    const secret = c.req.header('x-telegram-bot-api-secret-token')
    if (!(await verifyTelegramSecret(secret, config.TELEGRAM_WEBHOOK_SECRET ?? ''))) {
      return c.json({ error: 'invalid_secret', message: 'Secret token missing or wrong.' }, 401)
    }
    // Counted after the secret: forged requests never spend Telegram's budget.
    const limited = await rateLimit(c, config.WEBHOOK_RATE_LIMIT_PER_MIN)
    if (limited) return limited
    const count = _counter(services)
    // Telegram retries any non-2xx and holds the chat's later updates meanwhile (§1.2): what we do not
    // handle is still acknowledged.
    const update = readUpdate(await c.req.json().catch(() => null))
    if (update.kind === 'edited' || update.kind === 'other') {
      count(update.kind === 'edited' ? 'edited' : 'ignored')
      return c.json({ status: 'ignored' }, 200)
    }
    const allowed = config.TELEGRAM_ALLOWED_CHAT_IDS ?? [config.TELEGRAM_CHAT_ID ?? '']
    let task: CommandUpdate
    try {
      if (update.kind === 'migration') {
        // A group of ours became a supergroup: its messages go to the new id from now on (§1.7b).
        if (allowed.includes(update.fromChatId) || allowed.includes(update.toChatId))
          await noteMigration(parts, update.fromChatId, update.toChatId)
        count('migration')
        return c.json({ status: 'accepted' }, 200)
      }
      if (!(await isChatAllowedNow(parts, update, allowed))) {
        count('not_allowed')
        log.info('telegram update from a chat not allowed', { chat: update.chatId })
        return c.json({ status: 'ignored' }, 200)
      }
      // The chat is there (it wrote, pressed, or let the bot back in): what the outbox held for it goes.
      await noteChatPresence(parts, update.chatId, update.kind !== 'membership' || update.present)
      if (update.kind === 'membership') {
        count('membership')
        return c.json({ status: 'accepted' }, 200)
      }
      if (update.kind === 'message') {
        const asked = await _askedBy(services, parts, update)
        if (!asked) {
          count('ignored')
          return c.json({ status: 'ignored' }, 200)
        }
        task = asked
      } else {
        task = update
      }
      // Stored before the 200 (Telegram will not send it again), and before the dedupe claim: a crash between
      // claim and store lost the update. A duplicate's copy stays in the inbox: answering it again is harmless
      // (the reply dedupes on update_id, a card acts once), and the first copy may have died with a process.
      await storeCommand(services, task)
      if (!(await store.claim(`telegram:update:${update.updateId}`, UPDATE_DEDUPE_TTL_S))) {
        count('duplicate')
        return c.json({ status: 'duplicate' }, 200)
      }
    } catch (error) {
      // A 5xx makes Telegram deliver the update again later: nothing is lost while the store or getMe is down.
      log.error('telegram update not accepted', {
        error: errorMessage(error),
      })
      return c.json({ error: 'unavailable', message: 'Not accepted; try again.' }, 503)
    }
    count(task.kind === 'message' ? 'command' : task.kind === 'reply' ? 'reply' : 'callback')
    background.run('telegram-command', () => answerStoredCommand(services, parts, task))
    return c.json({ status: 'accepted' }, 200)
  },
})

// --- Internal helpers ---

/** What a message asks of the bridge: a command, an action's text (a reply to a card or a prompt), or nothing. */
async function _askedBy(
  services: Services,
  parts: CommandParts,
  update: MessageUpdate
): Promise<CommandUpdate | null> {
  if (!parts.telegram) throw new Error('Telegram is not configured')
  const command = parseCommand(update.text, await getBotUsername(services.store, parts.telegram))
  // Not a command: a reply to one of the bridge's cards or prompts is an action's text.
  const link =
    !command && update.replyToMessageId !== null
      ? await parts.cards.link(update.chatId, update.replyToMessageId)
      : null
  if (command) return { ...update, args: command.args }
  if (!link) return null
  return {
    kind: 'reply',
    updateId: update.updateId,
    chatId: update.chatId,
    fromName: update.fromName,
    cardId: link.cardId,
    prompt: link.prompt,
    text: update.text,
  }
}

function _counter(services: Services): (outcome: string) => void {
  const counter = services.metrics.registry.counter(
    'plane_bridge_telegram_updates_total',
    'Telegram updates by outcome (command, callback, reply, membership, migration, duplicate, edited, ignored, not_allowed).'
  )
  return (outcome) => counter.inc({ outcome })
}
