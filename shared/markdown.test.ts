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

  it('should read back what markdownToHtml wrote', () => {
    expect(htmlToText(markdownToHtml('⏳ 60 % — **Image** construite\n\n- a\n- b'))).toBe(
      '⏳ 60 % — Image construite\n\n- a\n- b'
    )
  })
})
