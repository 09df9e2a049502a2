import { describe, expect, it } from 'vitest'
import { parseTelegramHtml } from './html-parser.ts'

const error = (html: string, strictness?: 'documented' | 'server') => {
  const parsed = parseTelegramHtml(html, strictness ? { strictness } : {})
  return parsed.ok ? undefined : parsed.error
}

describe('parseTelegramHtml', () => {
  it('should accept every tag of §1.5 and report entities in UTF-16 offsets', () => {
    const html =
      '🚀 <b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike>' +
      '<del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler><code>c</code>' +
      '<pre>p</pre><pre><code class="language-ts">x</code></pre><a href="https://x.test/">l</a>' +
      '<blockquote>q</blockquote><blockquote expandable>e</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    const parsed = parseTelegramHtml(html)
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.text).toBe('🚀 bsieunskdpqcpxlqe👍')
    expect(parsed.entities[0]).toEqual({ type: 'bold', offset: 3, length: 1 })
    expect(parsed.entities.map((e) => e.type)).toEqual([
      'bold',
      'bold',
      'italic',
      'italic',
      'underline',
      'underline',
      'strikethrough',
      'strikethrough',
      'strikethrough',
      'spoiler',
      'spoiler',
      'code',
      'pre',
      'pre',
      'text_link',
      'blockquote',
      'expandable_blockquote',
      'custom_emoji',
    ])
    expect(parsed.entities.find((e) => e.type === 'pre' && 'language' in e)).toMatchObject({
      language: 'ts',
    })
  })

  it('should decode the four named entities and numeric ones', () => {
    expect(parseTelegramHtml('&lt;&gt;&amp;&quot;&#128512;&#x41;')).toMatchObject({
      ok: true,
      text: '<>&"😀A',
    })
  })

  it("should reject unknown tags with tdlib's message and UTF-8 byte offset", () => {
    expect(error('é<br>')).toBe('Unsupported start tag "br" at byte offset 2')
    expect(error('<div>x</div>')).toBe('Unsupported start tag "div" at byte offset 0')
  })

  it('should reject a bare < as an empty start tag', () => {
    expect(error('a < b')).toBe('Unsupported start tag "" at byte offset 2')
    expect(error('a <b')).toBe('Unclosed start tag at byte offset 2')
  })

  it('should reject unclosed and mismatched tags', () => {
    expect(error('<b>bold')).toBe("Can't find end tag corresponding to start tag b")
    expect(error('<b><i>x</b></i>')).toBe(
      'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'
    )
    expect(error('x</b>')).toBe('Unexpected end tag at byte offset 1')
    expect(error('<b>x</b')).toBe('Unclosed end tag at byte offset 4')
  })

  it('should reject malformed attributes and span without tg-spoiler', () => {
    expect(error('<a href>x</a>')).toBe(
      'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0'
    )
    expect(error('<span>x</span>')).toBe('Tag "span" must have class "tg-spoiler" at byte offset 0')
    expect(error('<a href="x>y</a>')).toBe('Unclosed start tag at byte offset 0')
    expect(error('<tg-emoji emoji-id="abc">x</tg-emoji>')).toBe(
      'Invalid custom emoji identifier specified'
    )
  })

  it('should reject in documented mode what §1.5 says must be escaped', () => {
    expect(error('Tom & Jerry')).toBe('Character "&" at byte offset 4 must be escaped as "&amp;"')
    expect(error('&nbsp;')).toMatch(/^Character "&"/)
    expect(error('&amp without semicolon')).toMatch(/^Character "&"/)
    expect(error('a > b')).toBe('Character ">" at byte offset 2 must be escaped as "&gt;"')
  })

  it("should keep those literally in server mode, like tdlib's decode_html_entity", () => {
    expect(
      parseTelegramHtml('Tom & Jerry &nbsp; &amp x > y', { strictness: 'server' })
    ).toMatchObject({
      ok: true,
      text: 'Tom & Jerry &nbsp; & x > y',
    })
    expect(error('a < b', 'server')).toBe('Unsupported start tag "" at byte offset 2')
  })

  it('should reject surrogate halves produced by numeric entities', () => {
    expect(error('&#55357;&#56832;')).toMatch(/unmatched surrogate code units/)
  })

  it('should accept empty elements without creating entities', () => {
    expect(parseTelegramHtml('a<b></b>c')).toEqual({ ok: true, text: 'ac', entities: [] })
  })
})
