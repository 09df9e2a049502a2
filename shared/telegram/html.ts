/** @module HTML escaping for Telegram's `parse_mode: 'HTML'` (§1.5 Formatting options). */
import { CUT_MARK, graphemesOf } from '../text/cap.ts'

/**
 * Escape text for an HTML message body. Telegram requires exactly `&`, `<` and `>` to be replaced
 * (§1.5); `&` goes first so the entities we add are not escaped twice.
 * @example `<b>${escapeHtml(task.name)}</b>` // 'Fix <script> & co' → 'Fix &lt;script&gt; &amp; co'
 */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

/**
 * Escape text for a double-quoted attribute value such as `<a href="...">`: the body rules plus
 * `"` → `&quot;`, one of the four named entities the Bot API supports (§1.5).
 * @example `<a href="${escapeHtmlAttribute(url)}">${escapeHtml(title)}</a>`
 */
export function escapeHtmlAttribute(text: string): string {
  return escapeHtml(text).replaceAll('"', '&quot;')
}

/**
 * Escape text from outside and cut it so the escaped result has at most `max` units (the mark included): the cut
 * falls between grapheme clusters, never inside an entity (`&amp;`), a surrogate pair or an emoji sequence.
 * @example escapeCut('Tom & Jerry', 8) // 'Tom &amp;…' is 10: 'Tom …' instead
 */
export function escapeCut(text: string, max: number): string {
  const escaped = escapeHtml(text)
  if (escaped.length <= max) return escaped
  const room = max - CUT_MARK.length
  let out = ''
  // Escaping never shortens: the clusters that fit lie within the first `room` units of the raw text.
  for (const cluster of graphemesOf(text, Math.max(0, room))) {
    const piece = escapeHtml(cluster)
    if (out.length + piece.length > room) break
    out += piece
  }
  return `${out}${CUT_MARK}`
}
