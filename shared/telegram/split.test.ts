import { describe, expect, it } from 'vitest'
import { parseTelegramHtml } from '../../sim/telegram/index.ts'
import { seededRandom } from '../../test/helpers/random.ts'
import { escapeHtml, escapeHtmlAttribute } from './html.ts'
import { splitMessage, TELEGRAM_MESSAGE_LIMIT } from './split.ts'

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** What Telegram shows, minus whitespace: splitting may drop separators, never content. */
function visible(html: string): string {
  const parsed = parseTelegramHtml(html)
  if (!parsed.ok) throw new Error(`invalid HTML: ${parsed.error}`)
  return parsed.text.replace(/\s+/g, '')
}

/** Every chunk must be accepted by the simulator's copy of Telegram's parser, within limits. */
function expectValidChunks(source: string, chunks: string[], limit = TELEGRAM_MESSAGE_LIMIT) {
  for (const chunk of chunks) {
    expect(chunk.length).toBeLessThanOrEqual(limit)
    expect(chunk).not.toMatch(LONE_SURROGATE)
    const parsed = parseTelegramHtml(chunk)
    expect(parsed, chunk).toMatchObject({ ok: true })
    if (parsed.ok) {
      expect(parsed.text.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT)
      expect(parsed.text.trim()).not.toBe('')
    }
  }
  expect(chunks.map(visible).join('')).toBe(visible(source))
}

describe('splitMessage', () => {
  it('should keep a text of exactly 4096 characters whole', () => {
    const text = 'a'.repeat(4096)
    expect(splitMessage(text)).toEqual([text])
  })

  it('should hard-split 4097 characters without spaces into 4096 + 1', () => {
    expect(splitMessage('a'.repeat(4097))).toEqual(['a'.repeat(4096), 'a'])
  })

  it('should split at the last line break that fits, dropping it', () => {
    const text = `${'a'.repeat(2000)}\n${'b'.repeat(1000)}\n${'c'.repeat(2000)}`
    expect(splitMessage(text)).toEqual([
      `${'a'.repeat(2000)}\n${'b'.repeat(1000)}`,
      'c'.repeat(2000),
    ])
  })

  it('should split one long line at the last space that fits', () => {
    const text = 'word '.repeat(1000).trim()
    const chunks = splitMessage(text)
    expect(chunks).toHaveLength(2)
    expect(chunks[0]).toBe('word '.repeat(819).trim())
    expect(chunks[0]?.length).toBe(4094)
    expect(chunks.join(' ')).toBe(text)
  })

  it('should not split an emoji surrogate pair at the boundary', () => {
    const text = `${'a'.repeat(4095)}😀b`
    expect(splitMessage(text)).toEqual(['a'.repeat(4095), '😀b'])
  })

  it('should not split a ZWJ emoji sequence, skin tone or flag when it can move whole', () => {
    expect(splitMessage(`${'x'.repeat(4090)}👨‍👩‍👧`)).toEqual(['x'.repeat(4090), '👨‍👩‍👧'])
    expect(splitMessage(`${'x'.repeat(4094)}👍🏽`)).toEqual(['x'.repeat(4094), '👍🏽'])
    expect(splitMessage(`${'x'.repeat(4094)}🇺🇸🇩🇪`)).toEqual(['x'.repeat(4094), '🇺🇸🇩🇪'])
    expect(splitMessage(`${'x'.repeat(4092)}🇺🇸🇩🇪`)).toEqual([`${'x'.repeat(4092)}🇺🇸`, '🇩🇪'])
  })

  it('should not split inside an HTML entity', () => {
    expect(splitMessage(`${'a'.repeat(4094)}&amp;b`)).toEqual(['a'.repeat(4094), '&amp;b'])
    expect(splitMessage(`${'a'.repeat(4093)}&#128512;`)).toEqual(['a'.repeat(4093), '&#128512;'])
  })

  it('should not split inside a tag, and not leave an empty element behind', () => {
    const text = `${'a'.repeat(4093)}<b>bold</b>`
    const chunks = splitMessage(text)
    expect(chunks).toEqual(['a'.repeat(4093), '<b>bold</b>'])
    expectValidChunks(text, chunks)
  })

  it('should close and re-open formatting across chunks', () => {
    const text = `<b>${'word '.repeat(1000)}</b>`
    const chunks = splitMessage(text)
    expect(chunks.length).toBeGreaterThan(1)
    for (const chunk of chunks) {
      expect(chunk.startsWith('<b>')).toBe(true)
      expect(chunk.endsWith('</b>')).toBe(true)
    }
    expectValidChunks(text, chunks)
  })

  it('should re-open a link with its href and a code block with its language', () => {
    const href = escapeHtmlAttribute('https://plane.example/issues/?a=1&b="2"')
    const link = `<a href="${href}">${'link text '.repeat(10)}</a>`
    const linkChunks = splitMessage(link, 80)
    expect(linkChunks.length).toBeGreaterThan(1)
    for (const chunk of linkChunks) expect(chunk.startsWith(`<a href="${href}">`)).toBe(true)
    expectValidChunks(link, linkChunks, 80)

    const code = `<pre><code class="language-ts">${'const x = a &lt; b\n'.repeat(10)}</code></pre>`
    const codeChunks = splitMessage(code, 100)
    for (const chunk of codeChunks) {
      expect(chunk).toMatch(/^<pre><code class="language-ts">[\s\S]*<\/code><\/pre>$/)
      const parsed = parseTelegramHtml(chunk)
      expect(parsed.ok && parsed.entities[0]).toMatchObject({ type: 'pre', language: 'ts' })
    }
    expectValidChunks(code, codeChunks, 100)
  })

  it('should keep nested formatting valid', () => {
    const text = `<b>Task <i>${escapeHtml('PB-12 <urgent> & co ')}${'x'.repeat(200)}</i> done</b>\n<blockquote>${'quote '.repeat(30)}</blockquote>`
    const chunks = splitMessage(text, 64)
    expectValidChunks(text, chunks, 64)
  })

  it('should leave plain text alone in html: false mode', () => {
    const text = '<b> & '.repeat(2000)
    const chunks = splitMessage(text, 4096, { html: false })
    expect(chunks.every((c) => c.length <= 4096)).toBe(true)
    expect(chunks.join(' ').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''))
    expect(chunks.join('')).not.toContain('</b>')
  })

  it('should return no chunks for empty or whitespace-only text', () => {
    expect(splitMessage('')).toEqual([])
    expect(splitMessage('\n\n  \n')).toEqual([])
  })

  it('should throw a RangeError when the limit cannot hold the open tags', () => {
    expect(() =>
      splitMessage('<a href="https://plane.example/very/long/path">x y z</a>', 20)
    ).toThrow(RangeError)
  })

  it('should produce valid chunks for random template-like HTML (seeded)', () => {
    const random = seededRandom(20_260_901)
    let cuts = 0
    for (let round = 0; round < 150; round++) {
      const text = _randomHtml(random, 3)
      // Small limits force many cuts; 160 still holds three nested tags with a long href.
      const limit = round % 10 === 0 ? TELEGRAM_MESSAGE_LIMIT : 160 + Math.floor(random() * 240)
      const chunks = splitMessage(text, limit)
      expectValidChunks(text, chunks, limit)
      cuts += chunks.length - 1
    }
    // The inputs really are cut, many times (1585 cuts for this seed).
    expect(cuts).toBeGreaterThan(1_000)
  })
})

// --- Internal helpers ---

const WORDS = [
  'PB-12',
  'done',
  'Fix',
  '<login>',
  'a&b',
  '"quoted"',
  '🚀',
  '👨‍👩‍👧',
  '🇺🇸',
  'ünï',
  'x'.repeat(90),
]
const SEPARATORS = [' ', ' ', ' ', '\n', '']

/** Template-like HTML; links never nest (Telegram renders no link inside a link). */
function _randomHtml(random: () => number, depth: number, inLink = false): string {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T
  let out = ''
  const parts = 2 + Math.floor(random() * 12)
  for (let i = 0; i < parts; i++) {
    const roll = random()
    if (depth > 0 && roll < 0.25) {
      const link = !inLink && random() < 0.3
      const inner = _randomHtml(random, depth - 1, inLink || link)
      const href = escapeHtmlAttribute('https://plane.example/?a=1&b="c"')
      const wrap = link
        ? (s: string) => `<a href="${href}">${s}</a>`
        : pick([
            (s: string) => `<b>${s}</b>`,
            (s: string) => `<i>${s}</i>`,
            (s: string) => `<u>${s}</u>`,
            (s: string) => `<s>${s}</s>`,
            (s: string) => `<tg-spoiler>${s}</tg-spoiler>`,
            (s: string) => `<blockquote>${s}</blockquote>`,
          ])
      out += wrap(inner)
    } else if (roll < 0.3) {
      out += `<code>${escapeHtml(pick(WORDS))}</code>`
    } else if (roll < 0.33) {
      out += `<pre><code class="language-ts">${escapeHtml(`${pick(WORDS)}\n${pick(WORDS)}`)}</code></pre>`
    } else {
      out += escapeHtml(pick(WORDS))
    }
    out += pick(SEPARATORS)
  }
  return out
}
