/**
 * @module `check` for Telegram: the bot token (`getMe`), the chat it writes to and the chats /plane is answered in
 * (telegram-chat.ts: read, nothing sent), and the webhook Telegram holds (`getWebhookInfo`).
 */
import type { Config } from '../core/config.ts'
import type { ChatHold } from '../notify/chat-holds.ts'
import { errorMessage } from '../observe/errors.ts'
import { createTelegramClient, type TelegramClient, TelegramError } from '../telegram/index.ts'
import { ago, type CheckResult, offResult } from './result.ts'
import { type ChatRole, judgeChat, readChatFacts } from './telegram-chat.ts'

const CHECK_TIMEOUT_MS = 10_000
/** Telegram keeps its last delivery error after it recovers; an older one is history, not a failure. */
const RECENT_ERROR_S = 60 * 60

export type TelegramCheckOptions = {
  config: Config
  now: () => number
  fetch?: typeof fetch
  /** The outbox's hold on a chat (chat-holds.ts): the only sign of a private chat that blocked the bot. */
  holdOf?: (chatId: string) => Promise<ChatHold | null>
}

export async function checkTelegram({
  config,
  now,
  fetch,
  holdOf,
}: TelegramCheckOptions): Promise<CheckResult[]> {
  if (!config.TELEGRAM_BOT_TOKEN) return [offResult('telegram', ['TELEGRAM_BOT_TOKEN'])]
  const unset = checkTelegramChat(config)
  const telegram = createTelegramClient({
    token: config.TELEGRAM_BOT_TOKEN,
    apiBase: config.TELEGRAM_API_BASE,
    timeoutMs: CHECK_TIMEOUT_MS,
    ...(fetch ? { fetch } : {}),
  })
  const host = _host(config.TELEGRAM_API_BASE)
  let bot: Awaited<ReturnType<TelegramClient['getMe']>>
  try {
    bot = await telegram.getMe()
  } catch (error) {
    const refused = error instanceof TelegramError && error.errorCode === 401
    return [
      {
        name: 'telegram',
        status: 'fail',
        detail: refused
          ? 'TELEGRAM_BOT_TOKEN refused (401): copy the bot token from @BotFather again (/mybots → API Token)'
          : `${errorMessage(error)}: check that this machine reaches ${host}`,
      },
      // Without the bot no chat can be tried; an unset chat is still said.
      ...(unset.status === 'fail' ? [unset] : []),
    ]
  }
  const probe = { telegram, botId: bot.id, bot: bot.username, host, now, holdOf }
  const [chats, webhook] = await Promise.all([
    unset.status === 'fail' ? [unset] : _chats(config, probe),
    // The webhook's own failure is its line's, never the bot's or the chat's.
    _webhook(telegram, config, now()).catch(
      (error): CheckResult => ({
        name: 'telegram webhook',
        status: 'fail',
        detail: `${errorMessage(error)}: check that this machine reaches ${host}`,
      })
    ),
  ])
  return [
    { name: 'telegram', status: 'ok', detail: `bot @${bot.username} answers` },
    ...chats,
    webhook,
  ]
}

/**
 * With a bot token, the chat is what reaches the human: unset, nothing does (notifications, alerts, the digest,
 * the /plane replies' default chat), so it is a failure, not "off".
 */
export function checkTelegramChat(
  config: Pick<Config, 'TELEGRAM_CHAT_ID' | 'TELEGRAM_ALLOWED_CHAT_IDS'>
): CheckResult {
  const name = 'telegram chat'
  if (!config.TELEGRAM_CHAT_ID)
    return {
      name,
      status: 'fail',
      detail:
        "TELEGRAM_CHAT_ID unset: nothing reaches the human (notifications, alerts, the digest): set it to the chat's id (write to the bot, then getUpdates shows message.chat.id; a group's starts with -100) or @name for a public channel",
    }
  const allowed = config.TELEGRAM_ALLOWED_CHAT_IDS ?? []
  return {
    name,
    status: 'ok',
    detail: `messages go to ${config.TELEGRAM_CHAT_ID}; /plane answered in ${allowed.length > 0 ? allowed.join(', ') : config.TELEGRAM_CHAT_ID}`,
  }
}

// --- Internal helpers ---

type ChatProbe = {
  telegram: TelegramClient
  botId: number
  bot: string
  host: string
  now: () => number
  holdOf: TelegramCheckOptions['holdOf']
}

/**
 * TELEGRAM_CHAT_ID's line, then one line per other chat /plane is answered in: a wrong id there leaves the human's
 * commands unanswered. An `@username` in the allowed list is not tried: Telegram reads only public chats by name.
 */
async function _chats(config: Config, probe: ChatProbe): Promise<CheckResult[]> {
  const main = config.TELEGRAM_CHAT_ID as string
  const allowed = config.TELEGRAM_ALLOWED_CHAT_IDS ?? []
  const others = allowed.filter((id) => id !== main && /^-?\d+$/.test(id))
  const roles: ChatRole[] = [
    {
      name: 'telegram chat',
      chatId: main,
      setting: 'TELEGRAM_CHAT_ID',
      ok: `messages go to ${main}`,
    },
    ...others.map(
      (id): ChatRole => ({
        name: `telegram chat ${id}`,
        chatId: id,
        setting: 'TELEGRAM_ALLOWED_CHAT_IDS',
        ok: '/plane answered there',
      })
    ),
  ]
  const where = allowed.length > 0 ? allowed.join(', ') : main
  return Promise.all(
    roles.map(async (role, index) => {
      const facts = await readChatFacts({ ...probe, chatId: role.chatId })
      const line = judgeChat({ role, facts, bot: probe.bot, host: probe.host, now: probe.now() })
      // The main line keeps saying where /plane is answered.
      return index === 0 && line.status !== 'fail'
        ? { ...line, detail: `${line.detail}; /plane answered in ${where}` }
        : line
    })
  )
}

async function _webhook(
  telegram: TelegramClient,
  config: Config,
  nowMs: number
): Promise<CheckResult> {
  const name = 'telegram webhook'
  const missing = [
    config.PUBLIC_URL ? null : 'PUBLIC_URL',
    config.TELEGRAM_WEBHOOK_SECRET ? null : 'TELEGRAM_WEBHOOK_SECRET',
  ].filter((k): k is string => k !== null)
  if (missing.length > 0) return offResult(name, missing)
  const expected = `${(config.PUBLIC_URL as string).replace(/\/+$/, '')}/webhooks/telegram`
  const info = await telegram.getWebhookInfo()
  const pending = info.pending_update_count
  if (info.url !== expected)
    return {
      name,
      status: 'fail',
      detail: `Telegram holds ${info.url ? info.url : 'no webhook'}, expected ${expected}: run npm run job -- provision (it sets it), or fix PUBLIC_URL`,
    }
  const errorAt = info.last_error_date
  const recent = errorAt !== undefined && nowMs / 1000 - errorAt < RECENT_ERROR_S
  const lastError = info.last_error_message
    ? `last error ${errorAt ? ago(errorAt * 1000, nowMs) : ''}: "${info.last_error_message}"`
    : null
  if (recent && lastError)
    return {
      name,
      status: 'fail',
      detail: `${expected}, ${pending} pending, ${lastError}: check that ${expected} reaches plane-bridge from the Internet (Caddy, DNS) and that TELEGRAM_WEBHOOK_SECRET is the one set with it (run provision)`,
    }
  return {
    name,
    status: 'ok',
    detail: `${expected}, ${pending} pending${lastError ? ` (${lastError})` : ''}`,
  }
}

function _host(url: string | undefined): string {
  try {
    return new URL(url ?? 'https://api.telegram.org').host
  } catch {
    // Not a URL: the line names the API instead.
    return 'the Telegram API'
  }
}
