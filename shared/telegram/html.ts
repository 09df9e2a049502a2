/** @module HTML escaping for Telegram's `parse_mode: 'HTML'` (§1.5 Formatting options). */

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
