/** @module The bot's webhook and its `/plane` command, set only when Telegram holds something else (NOTIF-06). */

import { describeTemplateExamples, templateExamplesIn } from '../core/template-examples.ts'
import { errorMessage } from '../observe/errors.ts'
import type { TelegramClient } from '../telegram/client.ts'
import type { ProvisionItem } from './types.ts'

/** The updates `/webhooks/telegram` handles; edits are received and ignored there. */
// my_chat_member: the human blocking the bot, or letting it back, holds or resumes its messages.
export const TELEGRAM_ALLOWED_UPDATES = [
  'message',
  'edited_message',
  'callback_query',
  'my_chat_member',
] as const

const COMMAND_DESCRIPTION = {
  fr: 'status | project <nom> | agent <nom> | help',
  en: 'status | project <name> | agent <name> | help',
} as const

export type TelegramSetupOptions = {
  telegram: TelegramClient | null
  publicUrl: string | undefined
  webhookSecret: string | undefined
  locale: 'fr' | 'en'
  /** `provision --dry-run`: read what Telegram holds, say what would be set, set nothing. */
  dryRun?: boolean
}

type WebhookInfo = {
  url?: string
  allowed_updates?: readonly string[]
  last_error_message?: string
}
type BotCommand = { command: string; description: string }

/** Errors from the client are already redacted: the token never reaches these items or the log. */
export async function setUpTelegram({
  telegram,
  publicUrl,
  webhookSecret,
  locale,
  dryRun = false,
}: TelegramSetupOptions): Promise<ProvisionItem[]> {
  const missing = [
    telegram ? null : 'TELEGRAM_BOT_TOKEN',
    publicUrl ? null : 'PUBLIC_URL',
    webhookSecret ? null : 'TELEGRAM_WEBHOOK_SECRET',
  ].filter((x): x is string => x !== null)
  if (!telegram || !publicUrl || !webhookSecret) {
    return [
      {
        subject: 'telegram',
        status: 'skipped',
        changed: false,
        detail: `not set up: ${missing.join(', ')} unset (the /plane commands need it, notifications do not)`,
      },
    ]
  }
  const url = `${publicUrl.replace(/\/+$/, '')}/webhooks/telegram`
  // PUBLIC_URL left at the template's example would hand the bot's updates to example.com.
  const example = templateExamplesIn({ PUBLIC_URL: publicUrl })
  const webhook =
    example.length > 0
      ? {
          subject: 'telegram webhook',
          status: 'human' as const,
          changed: false,
          detail: `not set: ${describeTemplateExamples(example)}`,
        }
      : await _webhookItem(telegram, url, webhookSecret, dryRun)
  const commands = await _commandsItem(
    telegram,
    [{ command: 'plane', description: COMMAND_DESCRIPTION[locale] }],
    dryRun
  )
  return [webhook, commands]
}

/** Set again when the URL differs, or when Telegram reports other update kinds than ours. */
export function webhookNeedsUpdate(info: WebhookInfo, url: string): boolean {
  if ((info.url ?? '') !== url) return true
  const allowed = info.allowed_updates
  if (!allowed) return false
  return (
    allowed.length !== TELEGRAM_ALLOWED_UPDATES.length ||
    !TELEGRAM_ALLOWED_UPDATES.every((u) => allowed.includes(u))
  )
}

export function commandsDiffer(current: readonly BotCommand[], wanted: readonly BotCommand[]) {
  return (
    current.length !== wanted.length ||
    wanted.some(
      (w, i) => current[i]?.command !== w.command || current[i]?.description !== w.description
    )
  )
}

// --- Internal helpers ---

async function _webhookItem(
  telegram: TelegramClient,
  url: string,
  secret: string,
  dryRun: boolean
): Promise<ProvisionItem> {
  const subject = 'telegram webhook'
  try {
    const info = await telegram.getWebhookInfo()
    if (!webhookNeedsUpdate(info, url)) {
      // Telegram keeps the secret to itself (getWebhookInfo never returns it): a changed
      // TELEGRAM_WEBHOOK_SECRET shows up as 401s, fixed by `deleteWebhook` and a new run.
      return info.last_error_message
        ? {
            subject,
            status: 'human',
            changed: false,
            detail: `set to ${url}, but Telegram reports: ${info.last_error_message}`,
          }
        : { subject, status: 'ok', changed: false, detail: `set to ${url}` }
    }
    if (dryRun)
      return {
        subject,
        status: 'ok',
        changed: true,
        detail: `set to ${url}${info.url ? ` (now ${info.url})` : ''}`,
      }
    await telegram.setWebhook({
      url,
      secret_token: secret,
      allowed_updates: [...TELEGRAM_ALLOWED_UPDATES],
    })
    return {
      subject,
      status: 'ok',
      changed: true,
      detail: `set to ${url}${info.url ? ` (was ${info.url})` : ''}`,
    }
  } catch (error) {
    return { subject, status: 'human', changed: false, detail: `failed: ${errorMessage(error)}` }
  }
}

async function _commandsItem(
  telegram: TelegramClient,
  wanted: BotCommand[],
  dryRun: boolean
): Promise<ProvisionItem> {
  const subject = 'telegram commands'
  try {
    const current = await telegram.call('getMyCommands')
    if (!commandsDiffer(current, wanted))
      return { subject, status: 'ok', changed: false, detail: '/plane registered' }
    if (dryRun) return { subject, status: 'ok', changed: true, detail: 'register /plane' }
    await telegram.setMyCommands({ commands: wanted })
    return { subject, status: 'ok', changed: true, detail: '/plane registered' }
  } catch (error) {
    return { subject, status: 'human', changed: false, detail: `failed: ${errorMessage(error)}` }
  }
}
