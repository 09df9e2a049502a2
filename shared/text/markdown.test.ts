import { describe, expect, it } from 'vitest'
import { htmlToText } from './html-text.ts'
import { markdownToHtml } from './markdown.ts'

describe('markdownToHtml', () => {
  it('should render the common subset: paragraphs, breaks, headings, lists, quotes, code, emphasis, links', () => {
    expect(markdownToHtml('Bonjour\nà tous\n\nSecond')).toBe(
      '<p>Bonjour<br>à tous</p><p>Second</p>'
    )
    expect(markdownToHtml('## Étapes\n- **un**\n- _deux_\n1. trois')).toBe(
      '<h2>Étapes</h2><ul><li><strong>un</strong></li><li><em>deux</em></li></ul><ol><li>trois</li></ol>'
    )
    expect(markdownToHtml('> cité')).toBe('<blockquote><p>cité</p></blockquote>')
    expect(markdownToHtml('```ts\nconst a = 1 < 2\n```')).toBe(
      '<pre><code>const a = 1 &lt; 2</code></pre>'
    )
    expect(markdownToHtml('run `npm ci` then *go*')).toBe(
      '<p>run <code>npm ci</code> then <em>go</em></p>'
    )
    expect(
      markdownToHtml('[doc](https://docs.example.com/a?b=1&c=2) et https://x.example/y.')
    ).toBe(
      '<p><a href="https://docs.example.com/a?b=1&amp;c=2">doc</a> et <a href="https://x.example/y">https://x.example/y</a>.</p>'
    )
  })

  it('should show raw HTML and unsafe links as text, never pass them through', () => {
    expect(markdownToHtml('<script>alert(1)</script> & "x"')).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;</p>'
    )
    expect(markdownToHtml('[clic](javascript:alert(1))')).not.toContain('<a')
    expect(markdownToHtml('`<b>`')).toBe('<p><code>&lt;b&gt;</code></p>')
  })

  it('should give non-empty HTML for any non-blank input (Plane rejects empty HTML)', () => {
    for (const input of ['x', '   y', '-', '#', '>', '```'])
      expect(markdownToHtml(input).length).toBeGreaterThan(0)
  })

  it('should keep its readings of edge cases: closing #s, emphasis next to delimiters, nested brackets, bare URLs', () => {
    const cases: Array<[string, string]> = [
      ['# Titre ##', '<h1>Titre</h1>'],
      ['####### x', '<p>####### x</p>'],
      ['#\tA # b #  ', '<h1>A # b</h1>'],
      ['*a**', '<p><em>a*</em></p>'],
      ['**a **b** c**', '<p><strong>a **b</strong> c**</p>'],
      ['__x__ _y_ snake_case_name', '<p><strong>x</strong> <em>y</em> snake_case_name</p>'],
      ['[a [b](https://x.example)', '<p><a href="https://x.example">a [b</a></p>'],
      ['[x](mailto:a@b.c) [y](ftp://z)', '<p><a href="mailto:a@b.c">x</a> [y](ftp://z)</p>'],
      [
        'http://a et (https://x.example/a).',
        '<p>http://a et (<a href="https://x.example/a">https://x.example/a</a>).</p>',
      ],
      ['  3) trois', '<ol><li>trois</li></ol>'],
      ['1234567890. dix', '<p>1234567890. dix</p>'],
      ['>sans espace', '<blockquote><p>sans espace</p></blockquote>'],
      // U+2028 is text (the old expressions' `.` refused it, and such a line was a paragraph).
      ['# a\u2028b', '<h1>a\u2028b</h1>'],
      ['- a\u2028b', '<ul><li>a\u2028b</li></ul>'],
    ]
    for (const [markdown, html] of cases) expect(markdownToHtml(markdown)).toBe(html)
  })

  it("should keep links in their order next to a bare URL, and show the text's own U+E000 as U+FFFD", () => {
    expect(markdownToHtml('voir http://ab.cd[x](https://y.example) fin')).toBe(
      '<p>voir <a href="http://ab.cd">http://ab.cd</a><a href="https://y.example">x</a> fin</p>'
    )
    // U+E000 stands for a link while a line is rendered; the old code made the text's own `\uE0000\uE000` a link.
    expect(markdownToHtml('a \uE000 [l](https://l.example) \uE0000\uE000')).toBe(
      '<p>a \uFFFD <a href="https://l.example">l</a> \uFFFD0\uFFFD</p>'
    )
  })

  it('should read back what markdownToHtml wrote', () => {
    expect(htmlToText(markdownToHtml('⏳ 60 % — **Image** construite\n\n- a\n- b'))).toBe(
      '⏳ 60 % — Image construite\n\n- a\n- b'
    )
  })
})
