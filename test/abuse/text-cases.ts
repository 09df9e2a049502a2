/**
 * @module Adversarial inputs for the parsers of outside text (issue 38), shared by the abuse tests (work counted)
 * and the text bench (time measured): the inputs issue 38 found freezing the old regular expressions, and more of
 * the same families. Each builds a text of at least the size asked.
 */
import { RUN_CARD_MARKER } from '../../shared/runs/run-card.ts'

export type TextFunctionName = 'htmlToText' | 'markdownToHtml' | 'parseConfidence' | 'parseRunCard'
export type AbuseCase = { fn: TextFunctionName; name: string; text: (size: number) => string }

/** `head`, then `piece` repeated, then `tail`: at least `size` characters in all. */
const fill =
  (piece: string, head = '', tail = '') =>
  (size: number): string =>
    head +
    piece.repeat(Math.max(1, Math.ceil((size - head.length - tail.length) / piece.length))) +
    tail

const c = (fn: TextFunctionName, name: string, text: (size: number) => string): AbuseCase => ({
  fn,
  name,
  text,
})

export const ABUSE_CASES: readonly AbuseCase[] = [
  // htmlToText
  c(
    'htmlToText',
    'ordinary Plane HTML',
    fill(
      '<p>Voir <a href="https://a.example/x">la doc</a> &amp; <strong>gras</strong></p><ul><li>un</li></ul>'
    )
  ),
  c('htmlToText', 'unclosed `<a href="` over and over', fill('<a href="')),
  c('htmlToText', '`<li` without `>`', fill('<li')),
  c('htmlToText', '`<!--` never closed', fill('<!--')),
  c('htmlToText', '`<script` without `>`', fill('<script')),
  c('htmlToText', '`<p>`, spaces, `x</p>`', fill(' ', '<p>', 'x</p>')),
  c('htmlToText', 'a run of `<`', fill('<')),
  c('htmlToText', 'a run of `&`', fill('&')),
  c('htmlToText', 'entity-like names without `;`', fill('&#x1234567890abcdef')),
  c('htmlToText', 'quotes nested in attributes', fill(`<p a='"<b c="'`)),
  c('htmlToText', 'a script with false end tags', fill('</scrip', '<script>')),
  c('htmlToText', 'a run of `</`', fill('</')),
  c('htmlToText', 'a run of `<!`', fill('<!')),
  c('htmlToText', 'many links', fill('<a href="https://x.example/?a=1&amp;b=2">t &lt;</a>')),
  c('htmlToText', 'a link never closed', fill('<b>t</b> ', '<a href="https://x.example">')),
  c('htmlToText', 'list items and breaks', fill('<li><br/>')),
  // markdownToHtml
  c(
    'markdownToHtml',
    'an ordinary comment',
    fill(
      '⏳ 60 % — **Image** construite, voir [la doc](https://a.example/x) et `npm ci`.\n- un\n- deux\n\n'
    )
  ),
  c('markdownToHtml', '`#`, spaces, U+2028', fill(' ', '#', 'a\u2028b')),
  c('markdownToHtml', '`#`, then ` #` over and over', fill(' #', '#')),
  c('markdownToHtml', 'a run of `[`', fill('[')),
  c('markdownToHtml', '`[a](` over and over', fill('[a](')),
  c('markdownToHtml', 'a link URL that `[` keeps reopening', fill('x[a](', '[a](http://')),
  c('markdownToHtml', 'a run of `*`', fill('*')),
  c('markdownToHtml', '`**a ` never closed', fill('**a ')),
  c('markdownToHtml', '`*a ` never closed', fill('*a ')),
  c('markdownToHtml', '`__a ` never closed', fill('__a ')),
  c('markdownToHtml', '`_a_b` in words', fill('_a_b')),
  c('markdownToHtml', 'a run of backticks', fill('`')),
  c('markdownToHtml', 'unclosed code spans', fill('`a')),
  c('markdownToHtml', '`http://` over and over', fill(' http://')),
  c('markdownToHtml', 'a URL ending in dots', fill('.', ' http://x')),
  c('markdownToHtml', '`(http://` over and over', fill('(http://')),
  c('markdownToHtml', 'nested quote markers', fill('> ')),
  c('markdownToHtml', 'many list lines', fill('- a\n1. b\n')),
  c('markdownToHtml', 'a run of digits before `.`', fill('1', '', '. x')),
  c('markdownToHtml', 'characters to escape', fill('<&"')),
  c('markdownToHtml', 'a run of U+2028', fill('\u2028')),
  // parseConfidence
  c('parseConfidence', '`0.` then digits then `,1`', fill('1', 'confidence: 0.', ',1')),
  c('parseConfidence', '`1.` then zeros then a digit', fill('0', 'confiance = 1.', '5')),
  c('parseConfidence', 'the keyword over and over', fill('confidence')),
  c('parseConfidence', '`confidence score ` without a value', fill('confidence score ')),
  c('parseConfidence', 'spaces after the colon', fill(' ', 'confidence:', 'x')),
  c('parseConfidence', 'a run of `c`', fill('C')),
  c('parseConfidence', '`.,` after the number', fill('.,', 'confidence: 0')),
  // parseRunCard
  c('parseRunCard', 'a run of `<` after the marker', fill('<', `<p>${RUN_CARD_MARKER} `)),
  c('parseRunCard', 'entity-like runs after the marker', fill('&a', `<p>${RUN_CARD_MARKER} `)),
  c('parseRunCard', 'false end tags after the marker', fill('</cod', `<p>${RUN_CARD_MARKER} `)),
]
