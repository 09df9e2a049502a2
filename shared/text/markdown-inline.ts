/**
 * @module Inline Markdown of one line → HTML: code spans, links, bare URLs, bold, italic. Each rule is an index
 * scan that only moves forward (linear in the line's length, where the regular expressions it
 * replaces backtracked on runs of `[`, `*` or `_`), with the output those expressions gave. Pure.
 */
import { isWordChar } from './text-scan.ts'

// `c.trim()` is '' for a space character: `\s` and trim share one set (text-scan.ts).

/** Stands for a rendered link while the text around it is escaped and styled (a private-use character). */
const LINK = '\uE000'
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }
/** Characters a bare URL may not end with (they end a sentence more often than a URL). */
const URL_TAIL = '.,;:!?\'"'

/** HTML-escapes text for an element or a double-quoted attribute. */
export function escapeMarkdownText(text: string): string {
  let out = ''
  let from = 0
  for (let i = 0; i < text.length; i++) {
    const entity = ESCAPES[text[i] as string]
    if (entity === undefined) continue
    out += text.slice(from, i) + entity
    from = i + 1
  }
  return from === 0 ? text : out + text.slice(from)
}

/** Inline Markdown on one line: code spans first (their content is literal), then links, bold, italic. */
export function renderInline(text: string): string {
  let out = ''
  let from = 0
  let pos = 0
  for (;;) {
    // A code span is a backtick, at least one other character, and the next backtick.
    const open = text.indexOf('`', pos)
    if (open < 0) break
    if (text[open + 1] === '`') {
      pos = open + 1
      continue
    }
    const close = text.indexOf('`', open + 1)
    if (close < 0) break
    out += `${_styled(text.slice(from, open))}<code>${escapeMarkdownText(text.slice(open + 1, close))}</code>`
    from = pos = close + 1
  }
  return out + _styled(text.slice(from))
}

// --- Internal helpers ---

function _styled(text: string): string {
  const links: string[] = []
  // The text's own U+E000 would read as a placeholder: it shows as U+FFFD.
  let s = escapeMarkdownText(_links(text.replaceAll(LINK, '\uFFFD'), links))
  s = _em(_em(_strong(_strong(s, '**'), '__'), '*'), '_')
  let n = 0
  return links.length === 0 ? s : s.replaceAll(LINK, () => links[n++] ?? '')
}

/**
 * `[label](url)` → a placeholder for the link (when the URL is http(s) or mailto), else left as written; the
 * text between links gets its bare URLs. `links` receives both kinds in the order of their placeholders.
 */
function _links(text: string, links: string[]): string {
  let out = ''
  let from = 0
  let pos = 0
  // The last URL run read: [runFrom, runEnd) holds no `)` nor space; a later URL starting inside ends there too.
  let runFrom = 1
  let runEnd = 0
  for (;;) {
    const open = text.indexOf('[', pos)
    if (open < 0) break
    const close = text.indexOf(']', open + 1)
    if (close < 0) break
    // Every `[` before `close` shares it: when this one fails, they all do, so the search goes on after it.
    pos = close + 1
    if (close === open + 1 || text[close + 1] !== '(') continue
    const urlStart = close + 2
    if (urlStart < runFrom || urlStart > runEnd) {
      runFrom = runEnd = urlStart
      while (runEnd < text.length && text[runEnd] !== ')' && text[runEnd]?.trim()) runEnd++
    }
    if (runEnd === urlStart || text[runEnd] !== ')') continue
    pos = runEnd + 1
    const url = text.slice(urlStart, runEnd)
    // On 8 characters at most: the longest prefix it looks for.
    if (!/^(https?:\/\/|mailto:)/i.test(url.slice(0, 8))) continue
    out += _bareUrls(text.slice(from, open), from > 0, links) + LINK
    links.push(
      `<a href="${escapeMarkdownText(url)}">${escapeMarkdownText(text.slice(open + 1, close))}</a>`
    )
    from = pos
  }
  return out + _bareUrls(text.slice(from), from > 0, links)
}

/**
 * `http(s)://…` after the start, a space or `(` → a link placeholder. The URL runs to a space or `<>()`, minus a
 * trailing `.,;:!?'"`, and has at least two characters after `//`. After a link, the piece has no start.
 */
function _bareUrls(s: string, afterLink: boolean, links: string[]): string {
  let out = ''
  let from = 0
  let pos = 0
  for (;;) {
    const at = s.indexOf('http', pos)
    if (at < 0) break
    pos = at + 1
    // The character before is the URL's lead, unless a URL already took it.
    if (at > 0 ? at - 1 < from || (s[at - 1] !== '(' && s[at - 1]?.trim()) : afterLink) continue
    const runStart = s.startsWith('https://', at)
      ? at + 8
      : s.startsWith('http://', at)
        ? at + 7
        : -1
    if (runStart < 0) continue
    let last = runStart
    while (last < s.length && !'<>()'.includes(s[last] as string) && s[last]?.trim()) last++
    while (--last > runStart && URL_TAIL.includes(s[last] as string));
    if (last <= runStart) continue
    const url = escapeMarkdownText(s.slice(at, last + 1))
    out += s.slice(from, at) + LINK
    links.push(`<a href="${url}">${url}</a>`)
    from = pos = last + 1
  }
  return out + s.slice(from)
}

/** `**bold**` (or `__bold__`): opened before a non-space, closed by the first delimiter after a non-space. */
function _strong(s: string, delimiter: '**' | '__'): string {
  let out = ''
  let from = 0
  let pos = 0
  for (;;) {
    const open = s.indexOf(delimiter, pos)
    if (open < 0) break
    // Opened before a non-space (`trim` empties a space, as `\S` refuses it).
    if (!s[open + 2]?.trim()) {
      pos = open + 1
      continue
    }
    // The first delimiter after a non-space closes. The search ends where the next one starts (past it), so
    // no character is searched twice; with no closer here there is none for a later opening either.
    let close = s.indexOf(delimiter, open + 3)
    while (close >= 0 && !s[close - 1]?.trim()) close = s.indexOf(delimiter, close + 1)
    if (close < 0) break
    out += `${s.slice(from, open)}<strong>${s.slice(open + 2, close)}</strong>`
    from = pos = close + 2
  }
  return out + s.slice(from)
}

/**
 * `*italic*` (or `_italic_`) as `(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?!\*)` read it: opened after a non-word
 * character, the text up to the next delimiter, closed by a delimiter not followed by another (for `_`: by no
 * word character). The text may end with the delimiter itself when two follow each other (`*a**` → `<em>a*</em>`).
 */
function _em(s: string, mark: '*' | '_'): string {
  let out = ''
  let from = 0
  let pos = 0
  for (;;) {
    const open = s.indexOf(mark, pos)
    if (open < 0) break
    pos = open + 1
    if (open > 0 && (open - 1 < from || s[open - 1] === mark || isWordChar(s.charCodeAt(open - 1))))
      continue
    if (!s[open + 1]?.trim()) continue
    const next = s.indexOf(mark, open + 1)
    if (next < 0) break
    let close = -1
    if (next >= open + 2 && s[next - 1]?.trim() && _closes(s, next, mark)) close = next
    else if (s[next + 1] === mark && _closes(s, next + 1, mark)) close = next + 1
    if (close < 0) continue
    out += `${s.slice(from, open)}<em>${s.slice(open + 1, close)}</em>`
    from = pos = close + 1
  }
  return out + s.slice(from)
}

/** Whether the delimiter at `at` may close: `*` not followed by `*`, `_` not followed by a word character. */
function _closes(s: string, at: number, mark: '*' | '_'): boolean {
  return mark === '*' ? s[at + 1] !== '*' : !isWordChar(s.charCodeAt(at + 1))
}
