/** @module The settings of Telegram (the bot, the human's chat, topics, the live view), placed in settings.ts's list. */
import * as z from 'zod'
import { commaList, httpUrl } from './settings-schemas.ts'

const chatId = z
  .string()
  .trim()
  .regex(
    /^(-?\d+|@[A-Za-z0-9_]{5,})$/,
    'must be a numeric chat id (e.g. -1001234567890) or @channel'
  )

const chatIdList = commaList.pipe(z.array(chatId))

// Telegram: "1-256 characters. Only characters A-Z, a-z, 0-9, _ and - are allowed." (Bot API setWebhook)
const telegramSecret = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -')

export const TELEGRAM_SETTINGS = {
  TELEGRAM_BOT_TOKEN: {
    schema: z
      .string()
      .trim()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like 123456:ABC-DEF… (from @BotFather)')
      .optional(),
    secret: true,
    doc: "The bridge's own bot token (never the one OpenClaw uses).",
  },
  TELEGRAM_CHAT_ID: {
    schema: chatId.optional(),
    doc: "Chat that receives notifications, alerts and the digest: a user's id (`123456789`), a group's (`-1001234567890`), or `@channelname` for a public channel (the bot an admin of it). Find an id by writing to the bot, then `getUpdates` shows `message.chat.id`. With `TELEGRAM_BOT_TOKEN` set and this unset, nothing reaches the human: `check` fails.",
  },
  TELEGRAM_WEBHOOK_SECRET: {
    schema: telegramSecret.optional(),
    secret: true,
    doc: 'Secret token Telegram sends in `X-Telegram-Bot-Api-Secret-Token`.',
  },
  TELEGRAM_ALLOWED_CHAT_IDS: {
    schema: chatIdList.optional(),
    defaultText: '`TELEGRAM_CHAT_ID`',
    doc: 'Comma-separated chats whose `/plane` commands are answered.',
  },
  TELEGRAM_TOPICS: {
    schema: z.enum(['off', 'per-project']).default('off'),
    defaultText: '`off`',
    doc: '`per-project`: in a forum supergroup, each project gets its own topic (created by `provision`, or on its first message) and every message about it goes there; the rest stays in General.',
  },
  TELEGRAM_LIVE: {
    schema: z.enum(['off', 'tasks', 'board']).default('tasks'),
    defaultText: '`tasks`',
    doc: 'How the human follows tasks under way: `tasks`, one silent message per task edited in place as its agent reports (percent, last step, time, cost, state) until it ends; `board`, one message for all of them; `off`, none (progress stays in Plane and `/plane`).',
  },
  TELEGRAM_API_BASE: {
    schema: httpUrl.default('https://api.telegram.org'),
    defaultText: '`https://api.telegram.org`',
    doc: 'Bot API base URL (a local Bot API server or a test simulator).',
  },
}
