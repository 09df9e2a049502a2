/** @module What the Bot API accepts in a message (reference §1.4, §1.6, §1.7b), in one place: the builders' bounds. */

export { TELEGRAM_MESSAGE_LIMIT } from './split.ts'

/** §1.7b: an inline keyboard holds at most 100 buttons in all. */
export const KEYBOARD_MAX_BUTTONS = 100
/** §1.6: `callback_data` is 1-64 bytes (UTF-8). */
export const CALLBACK_DATA_MAX_BYTES = 64
/** §1.6: `answerCallbackQuery`'s `text` is 0-200 characters. */
export const TOAST_MAX_CHARS = 200
