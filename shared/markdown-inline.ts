/**
 * @module Inline Markdown of one line → HTML: code spans, links, bare URLs, bold, italic. Each rule is an index
 * scan that only moves forward (issue 38: linear in the line's length, where the regular expressions it
 * replaces backtracked on runs of `[`, `*` or `_`), with the output those expressions gave. Pure.
 */
import { isSpace, isWordChar } from './text-scan.ts'

/** Stands for a rendered link while the text around it is escaped and styled (a private-use character). */
const LINK = '\uE000'
const LINK_CODE = 0xe000

/** Characters a bare URL may not end with (they end a sentence more often than a URL). */
const URL_TAIL = new Set([...'.,;:!?\'"'].map((c) => c.charCodeAt(0)))

/** HTML-escapes text for an element or a double-quoted attribute. */
export function escapeMarkdownText(text: string): string {
  // Most text has nothing to escape: four native searches are much faster than the loop below.
  if (!text.includes('&') && !text.includes('<') && !text.includes('>') && !text.includes('"'))
    return text
  let out = ''
  let from = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const entity =
      code === 0x26
        ? '&amp;'
        : code === 0x3c
          ? '&lt;'
          : code === 0x3e
            ? '&gt;'
            : code === 0x22
              ? '&quot;'
              : null
    if (entity === null) continue
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
    if (text.charCodeAt(open + 1) === 0x60) {
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
  // Most pieces of a line hold nothing to style: escaping is all they need.
  if (!_mayStyle(text)) return escapeMarkdownText(text)
  const found: string[] = []
  const linked = _bareUrls(_links(text, found), found)
  const links = linked.links
  let s = escapeMarkdownText(linked.s)
  s = _strong(s, '**')
  s = _strong(s, '__')
  s = _em(s, 0x2a)
  s = _em(s, 0x5f)
  return _putLinks(s, links)
}

/**
 * `[label](url)` → a placeholder for the link (when the URL is http(s) or mailto), else left as written.
 * The text's own placeholder characters are kept as placeholders for themselves, so the order holds.
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
    if (close === open + 1 || text.charCodeAt(close + 1) !== 0x28) continue
    const urlStart = close + 2
    if (urlStart < runFrom || urlStart > runEnd) {
      runFrom = urlStart
      runEnd = urlStart
      while (runEnd < text.length && !_endsLinkUrl(text.charCodeAt(runEnd))) runEnd++
    }
    if (runEnd === urlStart || text.charCodeAt(runEnd) !== 0x29) continue
    pos = runEnd + 1
    const url = text.slice(urlStart, runEnd)
    if (!_isSafeUrl(url)) continue
    const label = text.slice(open + 1, close)
    out += _keepOwnPlaceholders(text.slice(from, open), links) + LINK
    links.push(`<a href="${escapeMarkdownText(url)}">${escapeMarkdownText(label)}</a>`)
    from = pos
  }
  return out + _keepOwnPlaceholders(text.slice(from), links)
}

function _keepOwnPlaceholders(text: string, links: string[]): string {
  for (let at = text.indexOf(LINK); at >= 0; at = text.indexOf(LINK, at + 1)) links.push(LINK)
  return text
}

/**
 * `http(s)://…` after the start, a space or `(` → a link placeholder. The URL runs to a space, `<>()` or a
 * placeholder, minus a trailing `.,;:!?'"`, and has at least two characters after `//`. Returns the links of
 * both kinds in the order of their placeholders.
 */
function _bareUrls(s: string, links: readonly string[]): { s: string; links: string[] } {
  const ordered: string[] = []
  let taken = 0
  let out = ''
  let from = 0
  let pos = 0
  for (;;) {
    const at = s.indexOf('http', pos)
    if (at < 0) break
    pos = at + 1
    // The character before is the URL's lead, unless a URL already took it.
    if (at > 0 && (at - 1 < from || !_leadsUrl(s.charCodeAt(at - 1)))) continue
    const runStart = s.startsWith('https://', at)
      ? at + 8
      : s.startsWith('http://', at)
        ? at + 7
        : -1
    if (runStart < 0) continue
    let runEnd = runStart
    while (runEnd < s.length && _inUrl(s.charCodeAt(runEnd))) runEnd++
    let last = runEnd - 1
    while (last > runStart && URL_TAIL.has(s.charCodeAt(last))) last--
    if (last <= runStart) continue
    const url = s.slice(at, last + 1)
    const before = s.slice(from, at)
    taken = _moveLinks(before, links, taken, ordered)
    out += `${before}${LINK}`
    ordered.push(`<a href="${escapeMarkdownText(url)}">${escapeMarkdownText(url)}</a>`)
    from = pos = last + 1
  }
  const rest = s.slice(from)
  _moveLinks(rest, links, taken, ordered)
  return { s: out + rest, links: ordered }
}

/** Moves to `to` the links of the placeholders in `text`, from `links[taken]` on; returns how many are taken. */
function _moveLinks(text: string, links: readonly string[], taken: number, to: string[]): number {
  let n = taken
  for (let at = text.indexOf(LINK); at >= 0; at = text.indexOf(LINK, at + 1))
    to.push(links[n++] ?? '')
  return n
}

/** `**bold**` (or `__bold__`): opened before a non-space, closed by the first delimiter after a non-space. */
function _strong(s: string, delimiter: '**' | '__'): string {
  let out = ''
  let from = 0
  let pos = 0
  for (;;) {
    const open = s.indexOf(delimiter, pos)
    if (open < 0) break
    const first = s.charCodeAt(open + 2)
    if (Number.isNaN(first) || isSpace(first)) {
      pos = open + 1
      continue
    }
    // The first delimiter after a non-space closes. The search ends where the next one starts (past it), so
    // no character is searched twice; with no closer here there is none for a later opening either.
    let close = s.indexOf(delimiter, open + 3)
    while (close >= 0 && isSpace(s.charCodeAt(close - 1))) close = s.indexOf(delimiter, close + 1)
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
function _em(s: string, mark: number): string {
  const char = String.fromCharCode(mark)
  let out = ''
  let from = 0
  let pos = 0
  for (;;) {
    const open = s.indexOf(char, pos)
    if (open < 0) break
    pos = open + 1
    if (open > 0) {
      const lead = s.charCodeAt(open - 1)
      if (open - 1 < from || isWordChar(lead) || lead === mark) continue
    }
    const first = s.charCodeAt(open + 1)
    if (Number.isNaN(first) || isSpace(first)) continue
    const next = s.indexOf(char, open + 1)
    if (next < 0) break
    let close = -1
    if (next >= open + 2 && !isSpace(s.charCodeAt(next - 1)) && _closes(s, next, mark)) close = next
    else if (s.charCodeAt(next + 1) === mark && _closes(s, next + 1, mark)) close = next + 1
    if (close < 0) continue
    out += `${s.slice(from, open)}<em>${s.slice(open + 1, close)}</em>`
    from = pos = close + 1
  }
  return out + s.slice(from)
}

/** Whether the delimiter at `at` may close: `*` not followed by `*`, `_` not followed by a word character. */
function _closes(s: string, at: number, mark: number): boolean {
  const after = s.charCodeAt(at + 1)
  return mark === 0x2a ? after !== 0x2a : !isWordChar(after)
}

function _mayStyle(text: string): boolean {
  return (
    text.includes('[') ||
    text.includes('http') ||
    text.includes('*') ||
    text.includes('_') ||
    text.includes(LINK)
  )
}

function _putLinks(s: string, links: string[]): string {
  if (links.length === 0) return s
  let out = ''
  let from = 0
  let n = 0
  for (let at = s.indexOf(LINK); at >= 0; at = s.indexOf(LINK, at + 1)) {
    out += s.slice(from, at) + (links[n++] ?? '')
    from = at + 1
  }
  return out + s.slice(from)
}

function _isSafeUrl(url: string): boolean {
  const head = url.slice(0, 8).toLowerCase()
  return head.startsWith('http://') || head.startsWith('https://') || head.startsWith('mailto:')
}

function _endsLinkUrl(code: number): boolean {
  return code === 0x29 || isSpace(code)
}

function _leadsUrl(code: number): boolean {
  return code === 0x28 || isSpace(code)
}

function _inUrl(code: number): boolean {
  return !(
    isSpace(code) ||
    code === 0x3c ||
    code === 0x3e ||
    code === 0x28 ||
    code === 0x29 ||
    code === LINK_CODE
  )
}
