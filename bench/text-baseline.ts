/**
 * @module The baseline of the text bench: the parsers issue 38 replaced, as they were before it (shared/text/markdown.ts
 * before 35b50fa, CONFIDENCE of shared/notify/policy.ts before 89df7b7, parseRunCard of shared/runs/run-card.ts before
 * 304c72f), kept here only so that the bench measures old and new in the same run. Never import it from product code.
 */
import { RUN_CARD_MARKER } from '../shared/runs/run-card.ts'

const CONFIDENCE =
  /(?<!\p{L})(?:confidence|confiance)(?:[ _-]?score)?\s*[:=]\s*(1(?:[.,]0+)?|0(?:[.,]\d+)?)(?![\d.,]*\d)/iu

export function oldParseConfidence(text: string): number | null {
  const match = CONFIDENCE.exec(text)
  return match?.[1] ? Number(match[1].replace(',', '.')) : null
}

/** The old parseRunCard up to its JSON.parse (its schema check after that is the same code as today's). */
export function oldParseRunCard(html: string): unknown {
  const at = html.indexOf(RUN_CARD_MARKER)
  if (at < 0) return null
  const rest = html.slice(at + RUN_CARD_MARKER.length)
  const end = rest.search(/<\/(code|p)>/i)
  const payload = (end < 0 ? rest : rest.slice(0, end)).replace(
    /<[^>]*>|&[a-z#0-9]+;|[^A-Za-z0-9_-]/gi,
    ''
  )
  try {
    const base64 = payload.replaceAll('-', '+').replaceAll('_', '/')
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))))
  } catch {
    return null
  }
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
}

/** Markdown (paragraphs, headings, lists, quotes, code, bold, italic, links) → HTML Plane keeps. Never empty for non-blank input. */
export function oldMarkdownToHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n')
  const out: string[] = []
  let paragraph: string[] = []
  let list: { tag: 'ul' | 'ol'; items: string[] } | null = null
  let quote: string[] = []

  const flushParagraph = () => {
    if (paragraph.length > 0) out.push(`<p>${paragraph.map(_inline).join('<br>')}</p>`)
    paragraph = []
  }
  const flushList = () => {
    if (list)
      out.push(
        `<${list.tag}>${list.items.map((i) => `<li>${_inline(i)}</li>`).join('')}</${list.tag}>`
      )
    list = null
  }
  const flushQuote = () => {
    if (quote.length > 0)
      out.push(`<blockquote><p>${quote.map(_inline).join('<br>')}</p></blockquote>`)
    quote = []
  }
  const flushAll = () => {
    flushParagraph()
    flushList()
    flushQuote()
  }

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const fence = /^\s*(```|~~~)/.exec(line)
    if (fence) {
      flushAll()
      const code: string[] = []
      for (
        i++;
        i < lines.length && !(lines[i] as string).trimStart().startsWith(fence[1] as string);
        i++
      )
        code.push(lines[i] as string)
      out.push(`<pre><code>${_escape(code.join('\n'))}</code></pre>`)
      continue
    }
    if (line.trim() === '') {
      flushAll()
      continue
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) {
      flushAll()
      const level = Math.min(3, (heading[1] as string).length)
      out.push(`<h${level}>${_inline(heading[2] as string)}</h${level}>`)
      continue
    }
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line)
    const ordered = /^\s*\d{1,9}[.)]\s+(.*)$/.exec(line)
    if (bullet || ordered) {
      flushParagraph()
      flushQuote()
      const tag = bullet ? 'ul' : 'ol'
      if (list && list.tag !== tag) flushList()
      list ??= { tag, items: [] }
      list.items.push(((bullet ?? ordered) as RegExpExecArray)[1] as string)
      continue
    }
    const quoted = /^\s*>\s?(.*)$/.exec(line)
    if (quoted) {
      flushParagraph()
      flushList()
      quote.push(quoted[1] as string)
      continue
    }
    if (list) flushList()
    if (quote.length > 0) flushQuote()
    paragraph.push(line.trim())
  }
  flushAll()
  return out.join('')
}

/** Plane HTML → plain text for agents: blocks and `<br>` as newlines, list items as "- ", links as "text (url)". */
export function oldHtmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(
      /<a\b[^>]*\bhref\s*=\s*("([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a>/gi,
      (_, _q, dq: string | undefined, sq: string | undefined, inner: string) => {
        const href = _decode(dq ?? sq ?? '')
        const text = inner.replace(/<[^>]*>/g, '')
        return _decode(text).trim() === href || !href ? text : `${text} (${href})`
      }
    )
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|h[1-6]|blockquote|pre|ul|ol|tr)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+|#39);/gi, (m, name: string) => _entity(m, name))
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

// --- Internal helpers ---

function _escape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
}

/** Inline Markdown on one line: code spans first (their content is literal), then links, bold, italic. */
function _inline(text: string): string {
  const parts = text.split(/(`[^`]+`)/)
  return parts
    .map((part, i) => (i % 2 === 1 ? `<code>${_escape(part.slice(1, -1))}</code>` : _styled(part)))
    .join('')
}

/** Placeholder for links already rendered, while the rest is escaped and styled (a private-use character). */
const MARK = '\uE000'

function _styled(text: string): string {
  const links: string[] = []
  const keep = (html: string) => `${MARK}${links.push(html) - 1}${MARK}`
  let s = text.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label: string, url: string) =>
    _safeUrl(url) ? keep(`<a href="${_escape(url)}">${_escape(label)}</a>`) : whole
  )
  s = s.replace(
    /(^|[\s(])(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g,
    (_, lead: string, url: string) =>
      `${lead}${keep(`<a href="${_escape(url)}">${_escape(url)}</a>`)}`
  )
  s = _escape(s)
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/__(?=\S)([\s\S]*?\S)__/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?!\*)/g, '$1<em>$2</em>')
    .replace(/(^|[^_\w])_(?=\S)([^_]*?\S)_(?![_\w])/g, '$1<em>$2</em>')
  return s.replace(
    new RegExp(`${MARK}(\\d+)${MARK}`, 'g'),
    (_, n: string) => links[Number(n)] ?? ''
  )
}

function _safeUrl(url: string): boolean {
  return /^(https?:\/\/|mailto:)/i.test(url)
}

function _decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+|#39);/gi, (m, name: string) => _entity(m, name))
}

function _entity(match: string, name: string): string {
  if (name[0] === '#') {
    const code =
      name[1] === 'x' || name[1] === 'X'
        ? Number.parseInt(name.slice(2), 16)
        : Number(name.slice(1))
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : match
  }
  return ENTITIES[name.toLowerCase()] ?? match
}
