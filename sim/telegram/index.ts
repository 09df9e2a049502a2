/** @module Telegram Bot API simulator (re-exports only). See README.md for what it reproduces. */

export { createAppFetch, type Listening, listenApp } from '../shared/transport.ts'
export { type HtmlStrictness, type ParsedHtml, parseTelegramHtml } from './html-parser.ts'
export { MESSAGE_LIMIT } from './messages.ts'
export {
  createTelegramSim,
  type PostUpdateOptions,
  type TelegramSim,
  type TelegramSimCall,
  type TelegramSimFaults,
} from './sim.ts'
export type { Answer, ChatId, SimState, TelegramSimOptions, WebhookState } from './state.ts'
export {
  type CallbackUpdateInit,
  DEFAULT_HUMAN,
  findBotCommands,
  type MessageUpdateInit,
} from './updates.ts'
