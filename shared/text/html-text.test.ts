import { describe, expect, it } from 'vitest'
import { htmlToText } from './html-text.ts'

describe('htmlToText', () => {
  it('should turn Plane HTML into text: blocks and breaks as lines, list items, links with their URL, entities', () => {
    expect(
      htmlToText(
        '<p>Voir <a href="https://a.example/x">la doc</a> &amp; <a href="https://b.example">https://b.example</a></p><ul><li>un</li><li>deux</li></ul><p>l&#39;été&nbsp;&#x2014; fin<br>ligne</p>'
      )
    ).toBe(
      "Voir la doc (https://a.example/x) & https://b.example\n\n- un\n- deux\nl'été — fin\nligne"
    )
  })

  it('should drop comments, scripts and styles, and tidy whitespace', () => {
    expect(
      htmlToText('<!-- x --><style>p{}</style><p>  a  </p>\n\n\n\n<p>b</p><script>x()</script>')
    ).toBe('a\n\nb')
  })

  it('should give a link its URL once, decoded, unless its text already is the URL', () => {
    expect(
      htmlToText(
        '<p><a href="https://x.example/?a=1&amp;b=2" target="_blank"><strong>la</strong> doc</a> <a href=\'https://y.example\'> https://y.example </a> <a href="">vide</a> <a name="n">ancre</a></p>'
      )
    ).toBe('la doc (https://x.example/?a=1&b=2)  https://y.example  vide ancre')
  })

  it('should end a tag at its first ">", as the expressions it replaced did', () => {
    expect(htmlToText('<img alt="a > b" src="x.png"><p>après</p>')).toBe('b" src="x.png">après')
  })

  it('should keep a "<" that opens no tag, keep an unclosed tag as text, and drop an unclosed script', () => {
    expect(htmlToText('<p>1 < 2 <= 3</p>')).toBe('1 < 2 <= 3')
    expect(htmlToText('<p>avant</p><a href="https://x.example')).toBe(
      'avant\n<a href="https://x.example'
    )
    expect(htmlToText('<p>avant</p><!-- jamais fermé <p>caché</p>')).toBe('avant\ncaché')
    expect(htmlToText('<p>avant</p><SCRIPT type="x">alert("</p>")</script ><p>après</p>')).toBe(
      'avant\naprès'
    )
    expect(htmlToText('<p>avant</p><style>p { color: red }')).toBe('avant')
  })

  it('should decode numeric and known named entities, and leave the others as written', () => {
    expect(htmlToText('&#65;&#x42;&#X43; &#0; &#x110000; &#12a; &unknown; &amp &AMP;')).toBe(
      'ABC &#0; &#x110000; &#12a; &unknown; &amp &'
    )
  })
})
