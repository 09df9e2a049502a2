/** @module Telegram Bot API: client, errors and pure helpers (re-exports only). */

export {
  createTelegramClient,
  type TelegramCallLog,
  type TelegramClient,
  type TelegramClientOptions,
  type TelegramMethod,
  type TelegramMethods,
  type TelegramParams,
  type TelegramResult,
} from './client.ts'
export { PLANE_COMMAND, type PlaneCommand, parseCommand } from './command.ts'
export {
  classifyTelegramError,
  createTelegramApiError,
  createTelegramNetworkError,
  TelegramError,
  type TelegramErrorInit,
  type TelegramErrorKind,
} from './errors.ts'
export { escapeHtml, escapeHtmlAttribute } from './html.ts'
export { isValidSecretToken, verifyTelegramSecret } from './secret.ts'
export { type SplitMessageOptions, splitMessage, TELEGRAM_MESSAGE_LIMIT } from './split.ts'
