/** @module `check` for Telegram: the bot token (`getMe`) and the webhook Telegram holds (`getWebhookInfo`). */
import type { Config } from '../core/config.ts'
import { errorMessage } from '../observe/errors.ts'
import { createTelegramClient, type TelegramClient, TelegramError } from '../telegram/index.ts'
import { ago, type CheckResult, offResult } from './result.ts'

const CHECK_TIMEOUT_MS = 10_000
/** Telegram keeps its last delivery error after it recovers; an older one is history, not a failure. */
const RECENT_ERROR_S = 60 * 60

export type TelegramCheckOptions = { config: Config; now: () => number; fetch?: typeof fetch }

export async function checkTelegram({
  config,
  now,
  fetch,
}: TelegramCheckOptions): Promise<CheckResult[]> {
  if (!config.TELEGRAM_BOT_TOKEN) return [offResult('telegram', ['TELEGRAM_BOT_TOKEN'])]
  const chat = checkTelegramChat(config)
  const telegram = createTelegramClient({
    token: config.TELEGRAM_BOT_TOKEN,
    apiBase: config.TELEGRAM_API_BASE,
    timeoutMs: CHECK_TIMEOUT_MS,
    ...(fetch ? { fetch } : {}),
  })
  try {
    const bot = await telegram.getMe()
    const results: CheckResult[] = [
      { name: 'telegram', status: 'ok', detail: `bot @${bot.username} answers` },
      chat,
    ]
    results.push(await _webhook(telegram, config, now()))
    return results
  } catch (error) {
    const refused = error instanceof TelegramError && error.errorCode === 401
    return [
      {
        name: 'telegram',
        status: 'fail',
        detail: refused
          ? 'TELEGRAM_BOT_TOKEN refused (401): copy the bot token from @BotFather again (/mybots → API Token)'
          : `${errorMessage(error)}: check that this machine reaches ${_host(config.TELEGRAM_API_BASE)}`,
      },
      chat,
    ]
  }
}

/**
 * With a bot token, the chat is what reaches the human: unset, nothing does (notifications, alerts, the digest,
 * the /plane replies' default chat), so it is a failure, not "off" (issue 36).
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
