/**
 * @module The composition root's Telegram side: the Bot API client,
 * the human's chat, one forum topic per project, and what Telegram's refusals of a chat need (held chats,
 * migrations, what the human hears of them).
 */
import type { Services } from '../shared/core/function.ts'
import { type ChatHolds, createChatHolds } from '../shared/notify/chat-holds.ts'
import { createHeldChats, type HeldChats } from '../shared/notify/held-chats.ts'
import type { Outbox } from '../shared/notify/outbox.ts'
import type { PlaneDirectory } from '../shared/notify/plane-directory.ts'
import { createTelegramClient, type TelegramClient } from '../shared/telegram/index.ts'
import { type ChatMigrations, createChatMigrations } from '../shared/telegram/migrations.ts'
import { createProjectTopics, type ProjectTopics } from '../shared/telegram/topics.ts'

export type TelegramParts = {
  telegram: TelegramClient | null
  /** The human's chat, when Telegram is configured. */
  chatId: string | null
  topics: ProjectTopics | null
  holds: ChatHolds
  migrations: ChatMigrations
  heldChats: HeldChats
}

export function buildTelegramParts(
  { config, store, log, now }: Pick<Services, 'config' | 'store' | 'log' | 'now'>,
  { directory, outbox, kick }: { directory: PlaneDirectory; outbox: Outbox; kick: () => void }
): TelegramParts {
  const telegram = config.TELEGRAM_BOT_TOKEN
    ? createTelegramClient({ token: config.TELEGRAM_BOT_TOKEN, apiBase: config.TELEGRAM_API_BASE })
    : null
  const chatId = telegram && config.TELEGRAM_CHAT_ID ? config.TELEGRAM_CHAT_ID : null
  const topics =
    telegram && chatId && config.TELEGRAM_TOPICS === 'per-project'
      ? createProjectTopics({
          store,
          telegram,
          chatId,
          log,
          projectName: async (id) => {
            const project = await directory.project(id)
            return project
              ? `${project.name}${project.identifier ? ` (${project.identifier})` : ''}`
              : null
          },
        })
      : null
  // Telegram's refusals of a chat: flood waits and blocked bots hold the chat, migrations are kept.
  const holds = createChatHolds(store, now)
  const migrations = createChatMigrations(store)
  const heldChats = createHeldChats({
    outbox,
    store,
    holds,
    locale: config.LOCALE,
    log,
    now,
    kick,
  })
  return { telegram, chatId, topics, holds, migrations, heldChats }
}
