/**
 * Issue 38, "Bounded under any input": every parser of outside text (Plane's HTML, agents' and people's
 * Markdown, comments read for a confidence or a run card) does work linear in the text's length on the inputs
 * that froze the old regular expressions. Work is counted, not timed (work-meter.ts): the same count on any
 * machine, so the bound is exact and the test cannot flake. The 1 MiB runs are in a vm context whose timeout
 * is only a fuse, for work the meter cannot see.
 */
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { htmlToText } from '../../shared/html-text.ts'
import { markdownToHtml } from '../../shared/markdown.ts'
import { parseConfidence } from '../../shared/notify/confidence.ts'
import { parseRunCard, RUN_CARD_MARKER } from '../../shared/runs/card.ts'
import { meterWork, RegexOnLongTextError } from './work-meter.ts'

const KIB = 1024
const SIZES = [KIB, 32 * KIB, 1024 * KIB] as const
/** Characters touched per character of input: the scanners measure 2–74 (escaping writes up to 6 per character). */
const WORK_PER_CHAR = 128
/** A linear scanner's work per character is the same at every size; this leaves room for constant overheads. */
const GROWTH_ALLOWED = 1.25
/** Only catches a hang the meter cannot see (a loop indexing `text[i]`): 1 MiB takes well under a second. */
const FUSE_MS = 20_000

type AbuseCase = { name: string; text: (size: number) => string }
type TextFunction = { name: string; run: (text: string) => unknown; cases: AbuseCase[] }

/** `head`, then `piece` repeated, then `tail`: at least `size` characters in all. */
const fill =
  (piece: string, head = '', tail = '') =>
  (size: number): string =>
    head +
    piece.repeat(Math.max(1, Math.ceil((size - head.length - tail.length) / piece.length))) +
    tail

const c = (name: string, text: (size: number) => string): AbuseCase => ({ name, text })

const FUNCTIONS: TextFunction[] = [
  {
    name: 'htmlToText',
    run: htmlToText,
    cases: [
      c('unclosed `<a href="` over and over', fill('<a href="')),
      c('`<li` without `>`', fill('<li')),
      c('`<!--` never closed', fill('<!--')),
      c('`<script` without `>`', fill('<script')),
      c('`<p>`, spaces, `x</p>`', fill(' ', '<p>', 'x</p>')),
      c('a run of `<`', fill('<')),
      c('a run of `&`', fill('&')),
      c('entity-like names without `;`', fill('&#x1234567890abcdef')),
      c('quotes nested in attributes', fill(`<p a='"<b c="'`)),
      c('a script with false end tags', fill('</scrip', '<script>')),
      c('a run of `</`', fill('</')),
      c('a run of `<!`', fill('<!')),
      c('many links', fill('<a href="https://x.example/?a=1&amp;b=2">t &lt;</a>')),
      c('a link never closed', fill('<b>t</b> ', '<a href="https://x.example">')),
      c('list items and breaks', fill('<li><br/>')),
    ],
  },
  {
    name: 'markdownToHtml',
    run: markdownToHtml,
    cases: [
      c('`#`, spaces, U+2028', fill(' ', '#', 'a\u2028b')),
      c('`#`, then ` #` over and over', fill(' #', '#')),
      c('a run of `[`', fill('[')),
      c('`[a](` over and over', fill('[a](')),
      c('a link URL that `[` keeps reopening', fill('x[a](', '[a](http://')),
      c('a run of `*`', fill('*')),
      c('`**a ` never closed', fill('**a ')),
      c('`*a ` never closed', fill('*a ')),
      c('`__a ` never closed', fill('__a ')),
      c('`_a_b` in words', fill('_a_b')),
      c('a run of backticks', fill('`')),
      c('unclosed code spans', fill('`a')),
      c('`http://` over and over', fill(' http://')),
      c('a URL ending in dots', fill('.', ' http://x')),
      c('`(http://` over and over', fill('(http://')),
      c('nested quote markers', fill('> ')),
      c('many list lines', fill('- a\n1. b\n')),
      c('a run of digits before `.`', fill('1', '', '. x')),
      c('characters to escape', fill('<&"')),
      c('a run of U+2028', fill('\u2028')),
    ],
  },
  {
    name: 'parseConfidence',
    run: parseConfidence,
    cases: [
      c('`0.` then digits then `,1`', fill('1', 'confidence: 0.', ',1')),
      c('`1.` then zeros then a digit', fill('0', 'confiance = 1.', '5')),
      c('the keyword over and over', fill('confidence')),
      c('`confidence score ` without a value', fill('confidence score ')),
      c('spaces after the colon', fill(' ', 'confidence:', 'x')),
      c('a run of `c`', fill('C')),
      c('`.,` after the number', fill('.,', 'confidence: 0')),
    ],
  },
  {
    name: 'parseRunCard',
    run: parseRunCard,
    cases: [
      c('a run of `<` after the marker', fill('<', `<p>${RUN_CARD_MARKER} `)),
      c('entity-like runs after the marker', fill('&a', `<p>${RUN_CARD_MARKER} `)),
      c('false end tags after the marker', fill('</cod', `<p>${RUN_CARD_MARKER} `)),
    ],
  },
]

describe('text from outside, bounded work (issue 38)', () => {
  for (const fn of FUNCTIONS) {
    describe(fn.name, () => {
      it.each(fn.cases)(
        'should read $name from 1 KiB to 1 MiB with work linear in its length',
        ({ text }) => {
          const perChar: number[] = []
          for (const size of SIZES) {
            const input = text(size)
            const { work } = _meterWithFuse(() => fn.run(input))
            perChar.push(work / input.length)
          }
          for (const ratio of perChar) expect(ratio).toBeLessThanOrEqual(WORK_PER_CHAR)
          const smallest = perChar[0] as number
          for (const ratio of perChar)
            expect(ratio).toBeLessThanOrEqual(smallest * GROWTH_ALLOWED + 1)
        }
      )
    })
  }
})

describe('work meter', () => {
  it('should count a scan that starts again from every position as quadratic', () => {
    // The shape of the old `<[^>]*>` on a run of `<`: from each one, a search to the end.
    const rescan = (text: string) => {
      let found = 0
      for (let i = 0; i < text.length; i++) found += text.indexOf('>', i) < 0 ? 0 : 1
      return found
    }
    const small = meterWork(() => rescan('<'.repeat(KIB)))
    const large = meterWork(() => rescan('<'.repeat(32 * KIB)))
    expect(large.work / (32 * KIB)).toBeGreaterThan((small.work / KIB) * 16)
  })

  it('should refuse a regular expression run on long text, and allow it on a short one', () => {
    expect(() => meterWork(() => /<[^>]*>/g.test('<'.repeat(KIB)))).toThrow(RegexOnLongTextError)
    expect(meterWork(() => /^a+$/.test('aaa')).result).toBe(true)
    // The patches are gone once the meter returns.
    expect(/<[^>]*>/g.test('<'.repeat(KIB))).toBe(false)
  })
})

// --- Internal helpers ---

/** The meter, inside a vm context whose timeout stops a run the meter cannot bound. */
function _meterWithFuse(run: () => unknown): { work: number } {
  const box: { work: number } = { work: 0 }
  runInNewContext('box.work = meterWork(run).work', { box, meterWork, run }, { timeout: FUSE_MS })
  return box
}
