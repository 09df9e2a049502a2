import { describe, expect, it } from 'vitest'
import { parseTelegramHtml } from '../../sim/telegram/index.ts'
import { escapeCut, escapeHtml, escapeHtmlAttribute } from './html.ts'

describe('escapeHtml', () => {
  it('should replace &, < and > with entities, & first', () => {
    expect(escapeHtml('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d')
    expect(escapeHtml('&lt;')).toBe('&amp;lt;')
  })

  it('should leave quotes, emoji and other text alone', () => {
    expect(escapeHtml(`"it's" 🚀 👨‍👩‍👧 ünïcode`)).toBe(`"it's" 🚀 👨‍👩‍👧 ünïcode`)
  })

  it('should produce text Telegram parses back to the original', () => {
    const original = 'Fix <script> & "quotes" in PB-12 → 100% <b>not bold</b> 🚀'
    const parsed = parseTelegramHtml(`<b>${escapeHtml(original)}</b>`)
    expect(parsed).toMatchObject({ ok: true, text: original })
  })

  it('should make raw text that the parser rejects acceptable', () => {
    const raw = 'if a<b && c>d'
    expect(parseTelegramHtml(raw).ok).toBe(false)
    expect(parseTelegramHtml(escapeHtml(raw))).toMatchObject({ ok: true, text: raw })
  })
})

describe('escapeHtmlAttribute', () => {
  it('should also replace double quotes', () => {
    expect(escapeHtmlAttribute('https://x.test/?q="a"&b=<c>')).toBe(
      'https://x.test/?q=&quot;a&quot;&amp;b=&lt;c&gt;'
    )
  })

  it('should keep an href intact through Telegram parsing', () => {
    const url = 'https://plane.example/ws/projects/1/issues/?a=1&b="x"'
    const parsed = parseTelegramHtml(
      `<a href="${escapeHtmlAttribute(url)}">${escapeHtml('PB-1')}</a>`
    )
    expect(parsed).toMatchObject({ ok: true, entities: [{ type: 'text_link', url }] })
  })
})

describe('escapeCut', () => {
  it('should keep a short text whole, escaped', () => {
    expect(escapeCut('Tom & Jerry', 40)).toBe('Tom &amp; Jerry')
  })

  it('should never cut inside an entity, and count the escaped length', () => {
    expect(escapeCut('Tom & Jerry', 8)).toBe('Tom …')
    expect(escapeCut('&&&&', 12)).toBe('&amp;&amp;…')
  })

  it('should never cut inside an emoji sequence', () => {
    const cut = escapeCut(`ab👩‍💻${'x'.repeat(20)}`, 6)
    expect(cut).toBe('ab…')
    const parsed = parseTelegramHtml(`<b>${escapeCut('👍🏿'.repeat(50), 101)}</b>`)
    expect(parsed.ok).toBe(true)
  })
})
