/** @module Cutting text from outside to a size, visibly: one helper for stored values and log lines. */

/** What a cut text ends with, so that a reader sees it is not whole. */
export const CUT_MARK = '…'

/**
 * `text` when it has at most `maxChars` UTF-16 units, else its start and `mark`, `maxChars` units in all. A
 * surrogate pair is never split (half an emoji would be invalid UTF-8 on the way out).
 * @example capText('abcdef', 4) // 'abc…'
 */
export function capText(text: string, maxChars: number, mark = CUT_MARK): string {
  if (text.length <= maxChars) return text
  let end = Math.max(0, maxChars - mark.length)
  const last = text.charCodeAt(end - 1)
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--
  return `${text.slice(0, end)}${mark}`
}
