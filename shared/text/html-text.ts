/**
 * @module Plane HTML → plain text for agents, in one forward pass over the HTML (time linear in its
 * length whatever arrives). Tags are read as the expressions it replaced read them (a tag runs to the next `>`),
 * with indexOf instead of backtracking; not htmlparser2, whose entity tables alone would cost ~20 KiB of the
 * Worker's bundle budget (docs/architecture.md, Text from outside). Pure.
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

/** Plane HTML → plain text for agents: blocks and `<br>` as newlines, list items as "- ", links as "text (url)". */
export function htmlToText(html: string): string {
  const out: string[] = []
  // An open link: its URL and where its text starts in `out` (links do not nest: an inner <a> is ignored).
  let link: { href: string; from: number } | null = null
  // Text runs from `text` to the next markup; a `<` that opens none stays in the run.
  let text = 0
  let i = 0
  for (;;) {
    const lt = html.indexOf('<', i)
    if (lt < 0) break
    i = lt + 1
    // Markup is `<` and a letter, `/`, `!` or `?` (Plane writes a text's `<` as `&lt;`).
    const c1 = html.charCodeAt(lt + 1)
    if (!isAsciiLetter(c1) && c1 !== 0x2f && c1 !== 0x21 && c1 !== 0x3f) continue
    const comment = html.startsWith('<!--', lt) ? html.indexOf('-->', lt + 4) : -1
    // A tag runs to the next `>`; without one, the rest is text (as before).
    const gt = comment < 0 ? html.indexOf('>', lt) : comment + 2
    if (gt < 0) break
    if (lt > text) out.push(decodeEntities(html.slice(text, lt)))
    i = text = gt + 1
    if (comment >= 0) continue
    const end = c1 === 0x2f
    let nameEnd = lt + (end ? 2 : 1)
    while (isAsciiLetter(html.charCodeAt(nameEnd)) || isDigit(html.charCodeAt(nameEnd))) nameEnd++
    const name = html.slice(lt + (end ? 2 : 1), nameEnd).toLowerCase()
    if (!end && (name === 'script' || name === 'style')) {
      // No text for a reader: dropped up to the end tag, or the end of the HTML.
      i = text = _rawTextEnd(html, gt + 1, name)
    } else if (name === 'a') {
      const href = end ? '' : _href(html.slice(nameEnd, gt))
      if (href && link === null) link = { href, from: out.length }
      else if (end && link !== null) {
        // Each part of `out` belongs to at most one link: joining it here keeps the pass linear.
        const words = out.slice(link.from).join('')
        if (words.trim() !== link.href) out.push(` (${link.href})`)
        link = null
      }
    } else if (link === null) {
      // A link's text is its words only: tags inside it add no line breaks.
      if (end ? name.length < 11 && BLOCK_END.test(name) : name === 'br') out.push('\n')
      else if (!end && name === 'li') out.push('\n- ')
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

/** The quoted `href` of an `<a>` tag's attributes, decoded; '' when it has none. */
function _href(attributes: string): string {
  const at = attributes.toLowerCase().indexOf('href')
  if (at < 0) return ''
  let i = at + 4
  while (attributes[i] === ' ') i++
  if (attributes[i] !== '=') return ''
  do i++
  while (attributes[i] === ' ')
  const quote = attributes[i]
  const close = quote === '"' || quote === "'" ? attributes.indexOf(quote, i + 1) : -1
  return close < 0 ? '' : decodeEntities(attributes.slice(i + 1, close))
}

/** Past the end tag of a `<script>` or `<style>` whose content starts at `from`, or the end of the HTML. */
function _rawTextEnd(html: string, from: number, name: string): number {
  for (let at = html.indexOf('</', from); at >= 0; at = html.indexOf('</', at + 2)) {
    if (html.slice(at + 2, at + 2 + name.length).toLowerCase() !== name) continue
    const gt = html.indexOf('>', at)
    return gt < 0 ? html.length : gt + 1
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
function isEntityNameChar(code: number): boolean {
  return isAsciiLetter(code) || isDigit(code) || code === 0x23
}
