/**
 * @module Agents write Markdown, Plane keeps HTML (sanitised by nh3): a safe subset both ways. Everything
 * that is not that subset is escaped, so raw HTML in an agent's text shows as text. Pure.
 */

/** Markdown (paragraphs, headings, lists, quotes, code, bold, italic, links) → HTML Plane keeps. Never empty for non-blank input. */
export function markdownToHtml(markdown: string): string {
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
