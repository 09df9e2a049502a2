/**
 * @module Agents write Markdown, Plane keeps HTML (sanitised by nh3): the safe subset Plane keeps. Everything
 * that is not that subset is escaped, so raw HTML in an agent's text shows as text. Each line is read by index
 * scans, never a backtracking regular expression (linear in the text's length). Pure.
 */
import { escapeMarkdownText, renderInline } from './markdown-inline.ts'
import { isDigit, isSpace, skipSpaces } from './text-scan.ts'

/** Markdown (paragraphs, headings, lists, quotes, code, bold, italic, links) → HTML Plane keeps. Never empty for non-blank input. */
export function markdownToHtml(markdown: string): string {
  const lines = markdown.replaceAll('\r\n', '\n').replaceAll('\r', '\n').split('\n')
  const out: string[] = []
  let paragraph: string[] = []
  let list: { tag: 'ul' | 'ol'; items: string[] } | null = null
  let quote: string[] = []

  const flushParagraph = () => {
    if (paragraph.length > 0) out.push(`<p>${paragraph.map(renderInline).join('<br>')}</p>`)
    paragraph = []
  }
  const flushList = () => {
    if (list) {
      // Pieces straight into `out`, joined once: no string built per item and then copied again.
      out.push(list.tag === 'ul' ? '<ul>' : '<ol>')
      for (const item of list.items) out.push('<li>', renderInline(item), '</li>')
      out.push(list.tag === 'ul' ? '</ul>' : '</ol>')
    }
    list = null
  }
  const flushQuote = () => {
    if (quote.length > 0)
      out.push(`<blockquote><p>${quote.map(renderInline).join('<br>')}</p></blockquote>`)
    quote = []
  }
  const flushAll = () => {
    flushParagraph()
    flushList()
    flushQuote()
  }

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const fence = _fence(line)
    if (fence) {
      flushAll()
      const code: string[] = []
      for (i++; i < lines.length && !(lines[i] as string).trimStart().startsWith(fence); i++)
        code.push(lines[i] as string)
      out.push(`<pre><code>${escapeMarkdownText(code.join('\n'))}</code></pre>`)
      continue
    }
    if (!line.trim()) {
      flushAll()
      continue
    }
    const heading = _heading(line)
    if (heading) {
      flushAll()
      const level = Math.min(3, heading.hashes)
      out.push(`<h${level}>${renderInline(heading.text)}</h${level}>`)
      continue
    }
    const item = _listItem(line)
    if (item) {
      flushParagraph()
      flushQuote()
      if (list && list.tag !== item.tag) flushList()
      list ??= { tag: item.tag, items: [] }
      list.items.push(item.text)
      continue
    }
    const quoted = _quoted(line)
    if (quoted !== null) {
      flushParagraph()
      flushList()
      quote.push(quoted)
      continue
    }
    if (list) flushList()
    if (quote.length > 0) flushQuote()
    paragraph.push(line.trim())
  }
  flushAll()
  return out.join('')
}

// --- Internal helpers ---
// Each reads one line as the expression in its comment did (same captures), in one pass. `.` in those
// expressions stops at U+2028/U+2029, which a line split on `\n` may still hold: such a line is not that block.

/** `^\s*(```|~~~)`: the fence that opens (and will close) a code block. */
function _fence(line: string): '```' | '~~~' | null {
  const start = line.trimStart()
  return start.startsWith('```') ? '```' : start.startsWith('~~~') ? '~~~' : null
}

/**
 * `^(#{1,6})\s+(.*?)\s*#*\s*$`: one to six `#`, space, the title, and optional closing `#`s. The title is
 * what is left once the spaces after the `#`s and the longest tail of spaces, `#`s and spaces are cut.
 */
function _heading(line: string): { hashes: number; text: string } | null {
  let hashes = 0
  while (line.charCodeAt(hashes) === 0x23) hashes++
  if (hashes === 0 || hashes > 6 || !isSpace(line.charCodeAt(hashes))) return null
  const start = skipSpaces(line, hashes)
  let end = line.length
  while (end > start && isSpace(line.charCodeAt(end - 1))) end--
  while (end > start && line.charCodeAt(end - 1) === 0x23) end--
  while (end > start && isSpace(line.charCodeAt(end - 1))) end--
  const text = line.slice(start, end)
  return { hashes, text }
}

/** `^\s*[-*+]\s+(.*)$` (a bullet) or `^\s*\d{1,9}[.)]\s+(.*)$` (numbered). */
function _listItem(line: string): { tag: 'ul' | 'ol'; text: string } | null {
  const start = skipSpaces(line, 0)
  const first = line.charCodeAt(start)
  let marker = start
  let tag: 'ul' | 'ol'
  if (first === 0x2d || first === 0x2a || first === 0x2b) {
    tag = 'ul'
    marker = start + 1
  } else {
    while (isDigit(line.charCodeAt(marker))) marker++
    const digits = marker - start
    const after = line.charCodeAt(marker)
    if (digits < 1 || digits > 9 || (after !== 0x2e && after !== 0x29)) return null
    tag = 'ol'
    marker++
  }
  const textStart = skipSpaces(line, marker)
  if (textStart === marker) return null
  const text = line.slice(textStart)
  return { tag, text }
}

/** `^\s*>\s?(.*)$`: a quoted line, without its `>` and the one space after it. */
function _quoted(line: string): string | null {
  const start = skipSpaces(line, 0)
  if (line.charCodeAt(start) !== 0x3e) return null
  const textStart = isSpace(line.charCodeAt(start + 1)) ? start + 2 : start + 1
  return line.slice(textStart)
}
