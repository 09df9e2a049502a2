/**
 * @module Plane HTML → plain text for agents, in one forward pass over the HTML (issue 38: time linear in its
 * length whatever arrives). A small tokenizer after the HTML standard's rules for tags, quoted attributes,
 * comments and raw text; not htmlparser2, whose entity tables alone would cost ~20 KiB of the Worker's bundle
 * budget (docs/architecture.md, Text from outside). Pure.
 */
import { isAsciiLetter, isDigit } from './text-scan.ts'

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
}

/** End tags after which text goes on at a new line (asked of names of 10 characters at most). */
const BLOCK_END = /^(p|div|h[1-6]|blockquote|pre|ul|ol|tr)$/

type Tag = { end: boolean; name: string; href: string | null; next: number }

/** Plane HTML → plain text for agents: blocks and `<br>` as newlines, list items as "- ", links as "text (url)". */
export function htmlToText(html: string): string {
  const out: string[] = []
  // An open link: its URL and where its text starts in `out` (links do not nest: an inner <a> is ignored).
  let link: { href: string; from: number } | null = null
  // Text runs from `text` to the next `<` that opens markup; a `<` that opens none stays in the run.
  let text = 0
  let i = 0
  for (;;) {
    const lt = html.indexOf('<', i)
    if (lt < 0) break
    const c1 = html.charCodeAt(lt + 1)
    const opensTag = isAsciiLetter(c1) || (c1 === 0x2f && isAsciiLetter(html.charCodeAt(lt + 2)))
    if (!opensTag && !_opensMarkup(html, lt, c1)) {
      i = lt + 1
      continue
    }
    if (lt > text) out.push(decodeEntities(html.slice(text, lt)))
    if (!opensTag) {
      i = text = _markupEnd(html, lt, c1)
      continue
    }
    const tag = _readTag(html, lt)
    // A tag cut off by the end of the HTML is no tag (the standard drops it).
    if (tag === null) return _tidy(out.join(''))
    // Script and style hold no text for a reader: dropped up to their end tag (or the end of the HTML).
    const raw = !tag.end && (tag.name === 'script' || tag.name === 'style')
    i = text = raw ? _rawTextEnd(html, tag.next, tag.name) : tag.next
    if (tag.name === 'a') {
      if (!tag.end && link === null && tag.href) link = { href: tag.href, from: out.length }
      else if (tag.end && link !== null) {
        // Each part of `out` belongs to at most one link: joining it here keeps the pass linear.
        const words = out.slice(link.from).join('')
        if (words.trim() !== link.href) out.push(` (${link.href})`)
        link = null
      }
    } else if (link === null) {
      // A link's text is its words only: tags inside it add no line breaks.
      const name = tag.name
      if (tag.end ? name.length < 11 && BLOCK_END.test(name) : name === 'br') out.push('\n')
      else if (!tag.end && name === 'li') out.push('\n- ')
    }
  }
  if (text < html.length) out.push(decodeEntities(html.slice(text)))
  return _tidy(out.join(''))
}

/** `&amp;`, `&#39;`, `&#x2014;`…: the named entities Plane writes and every numeric one; others stay as written. */
export function decodeEntities(text: string): string {
  let at = text.indexOf('&')
  if (at < 0) return text
  let out = ''
  let from = 0
  while (at >= 0) {
    // The candidate name runs over [A-Za-z0-9#]; none of those is `&`, so skipping past it never skips an entity.
    let j = at + 1
    while (j < text.length && isEntityNameChar(text.charCodeAt(j))) j++
    if (j > at + 1 && text.charCodeAt(j) === 0x3b) {
      const decoded = _entity(text.slice(at + 1, j))
      if (decoded !== null) {
        out += text.slice(from, at) + decoded
        from = j + 1
      }
    }
    at = text.indexOf('&', j)
  }
  return out + text.slice(from)
}

// --- Internal helpers ---

/** Whether `<` at `lt` opens a comment, `<!…>`, `<?…>` or `</…>` (dropped); else it is text, as `</` at the end. */
function _opensMarkup(html: string, lt: number, c1: number): boolean {
  return c1 === 0x21 || c1 === 0x3f || (c1 === 0x2f && lt + 2 < html.length)
}

/** Where the text goes on after the comment or other markup that is not a tag at `lt`. */
function _markupEnd(html: string, lt: number, c1: number): number {
  const comment = c1 === 0x21 && html.startsWith('<!--', lt)
  const close = comment ? html.indexOf('-->', lt + 4) : html.indexOf('>', lt + 2)
  if (close < 0) return html.length
  return close + (comment ? 3 : 1)
}

/** The tag at `lt` (`<name …>` or `</name …>`), attributes read with their quotes; null when the HTML ends first. */
function _readTag(html: string, lt: number): Tag | null {
  const end = html.charCodeAt(lt + 1) === 0x2f
  let i = lt + (end ? 2 : 1)
  const nameStart = i
  while (i < html.length && !_endsName(html.charCodeAt(i))) i++
  const name = html.slice(nameStart, i).toLowerCase()
  let href: string | null = null
  for (;;) {
    while (i < html.length && (_isTagSpace(html.charCodeAt(i)) || html.charCodeAt(i) === 0x2f)) i++
    if (i >= html.length) return null
    if (html.charCodeAt(i) === 0x3e) return { end, name, href, next: i + 1 }
    // An attribute name is at least one character (a leading `=` is part of it), so each round moves on.
    const attrStart = i
    i++
    while (i < html.length && !_endsName(html.charCodeAt(i)) && html.charCodeAt(i) !== 0x3d) i++
    const attr = html.slice(attrStart, i)
    while (i < html.length && _isTagSpace(html.charCodeAt(i))) i++
    if (html.charCodeAt(i) !== 0x3d) continue
    i++
    while (i < html.length && _isTagSpace(html.charCodeAt(i))) i++
    let value: string
    const quote = html.charCodeAt(i)
    if (quote === 0x22 || quote === 0x27) {
      const close = html.indexOf(quote === 0x22 ? '"' : "'", i + 1)
      if (close < 0) return null
      value = html.slice(i + 1, close)
      i = close + 1
    } else {
      const valueStart = i
      while (i < html.length && !_isTagSpace(html.charCodeAt(i)) && html.charCodeAt(i) !== 0x3e) i++
      value = html.slice(valueStart, i)
    }
    if (href === null && attr.toLowerCase() === 'href') href = decodeEntities(value)
  }
}

/** Where the text goes on after a `<script>` or `<style>` opened at `from`: past its end tag, or the end of the HTML. */
function _rawTextEnd(html: string, from: number, name: string): number {
  let at = html.indexOf('</', from)
  while (at >= 0) {
    const after = at + 2 + name.length
    if (html.slice(at + 2, after).toLowerCase() === name && _endsName(html.charCodeAt(after))) {
      const tag = _readTag(html, at)
      return tag === null ? html.length : tag.next
    }
    at = html.indexOf('</', at + 2)
  }
  return html.length
}

/** Lines lose their trailing spaces and tabs, runs of blank lines become one, the whole is trimmed. */
function _tidy(text: string): string {
  const lines = text.split('\n')
  const kept: string[] = []
  let blank = 0
  for (const line of lines) {
    let end = line.length
    while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09))
      end--
    if (end === 0 && ++blank > 1) continue
    if (end > 0) blank = 0
    kept.push(end === line.length ? line : line.slice(0, end))
  }
  return kept.join('\n').trim()
}

/** A name the decoder knows: `#x` and hex digits, `#` and digits, or letters (matched on at most 32 characters). */
const ENTITY_NAME = /^#(?:x[\da-f]+|\d+)$|^[a-z]+$/i

function _entity(name: string): string | null {
  // Longer names are none of those Plane writes; a longer number is out of range (or padded with zeros).
  if (name.length > 32 || !ENTITY_NAME.test(name)) return null
  if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? null
  const code =
    name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1))
  return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : null
}

/** A character of an entity's name or number: `[A-Za-z0-9#]`. */
export function isEntityNameChar(code: number): boolean {
  return isAsciiLetter(code) || isDigit(code) || code === 0x23
}

/** Space characters of HTML's tokenizer (tab, LF, FF, CR, space). */
function _isTagSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d
}

/** What ends a tag or attribute name: a space, `/`, `>`, or the end of the HTML (NaN). */
function _endsName(code: number): boolean {
  return _isTagSpace(code) || code === 0x2f || code === 0x3e || Number.isNaN(code)
}
