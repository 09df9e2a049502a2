/**
 * @module Mentions in Plane's HTML. Plane CE writes a mention of a member as
 * `<mention-component entity_identifier="<user uuid>" entity_name="user_mention"></mention-component>` (its
 * sanitiser keeps `id`, `entity_identifier` and `entity_name` on that tag: utils/content_validator.py), and finds
 * them the same way (`soup.find_all("mention-component", attrs={"entity_name": "user_mention"})` in
 * bgtasks/notification_task.py). Read here in one pass over the text, no regular expression on it (principle 10).
 */
import { isPlaneId } from './limits.ts'

const TAG = '<mention-component'

/** The Plane user ids a comment's HTML mentions, each once, in order. */
export function mentionedUserIds(html: string | null | undefined): string[] {
  if (!html) return []
  const lower = html.toLowerCase()
  const ids: string[] = []
  // Each search starts past the end of the last tag read: every character is looked at a bounded number of times.
  for (let at = lower.indexOf(TAG); at !== -1; ) {
    const end = lower.indexOf('>', at)
    if (end === -1) break
    const next = lower.indexOf(TAG, end + 1)
    const attributes = _attributes(html.slice(at + TAG.length, end))
    const id = attributes.get('entity_identifier')?.toLowerCase()
    if (
      attributes.get('entity_name') === 'user_mention' &&
      id &&
      isPlaneId(id) &&
      !ids.includes(id)
    )
      ids.push(id)
    at = next
  }
  return ids
}

/** A mention of a Plane user, as Plane's editor writes it. */
export function mentionHtml(userId: string): string {
  return `<mention-component entity_identifier="${userId}" entity_name="user_mention"></mention-component>`
}

// --- Internal helpers ---

/** `name="value"` / `name='value'` pairs of one tag (names lowercased), scanned once. */
function _attributes(text: string): Map<string, string> {
  const out = new Map<string, string>()
  let i = 0
  while (i < text.length) {
    while (i < text.length && /[\s/]/.test(text.charAt(i))) i++
    const nameStart = i
    while (i < text.length && !/[\s=/>]/.test(text.charAt(i))) i++
    const name = text.slice(nameStart, i).toLowerCase()
    if (!name) break
    while (i < text.length && /\s/.test(text.charAt(i))) i++
    if (text.charAt(i) !== '=') {
      out.set(name, '')
      continue
    }
    i++
    while (i < text.length && /\s/.test(text.charAt(i))) i++
    const quote = text.charAt(i)
    let value: string
    if (quote === '"' || quote === "'") {
      const close = text.indexOf(quote, i + 1)
      value = text.slice(i + 1, close === -1 ? text.length : close)
      i = close === -1 ? text.length : close + 1
    } else {
      const start = i
      while (i < text.length && !/\s/.test(text.charAt(i))) i++
      value = text.slice(start, i)
    }
    out.set(name, value)
  }
  return out
}
