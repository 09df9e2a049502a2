/**
 * @module Telegram's HTML parse_mode parser, ported from tdlib `parse_html` (td/telegram/MessageEntity.cpp),
 * which the Bot API server runs on every `parse_mode: 'HTML'` text. Error texts are tdlib's; the Bot API
 * prefixes them with "Bad Request: can't parse entities: ".
 */

import type { MessageEntity } from '@grammyjs/types'

/**
 * `documented` (default) also rejects what §1.5 says "must be replaced" but tdlib lets through: a bare
 * `&` or `>`, an unsupported named entity (`&nbsp;`) and an entity without `;`. Stricter than the server
 * on purpose, so an escaping bug fails here instead of rendering `&nbsp;` literally in the chat.
 * `server` keeps those characters literally, as tdlib does.
 */
export type HtmlStrictness = 'documented' | 'server'

export type ParsedHtml =
  | { ok: true; text: string; entities: MessageEntity[] }
  | { ok: false; error: string }

/** Tags tdlib accepts (§1.5); anything else is "Unsupported start tag". */
const SUPPORTED_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'tg-emoji',
  'span',
  'pre',
  'code',
  'blockquote',
])

const SIMPLE_ENTITY: Record<string, MessageEntity['type']> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
}

type OpenEntity = { tag: string; argument: string; offset: number; expandable: boolean }

/** Parse Telegram HTML into the visible text (UTF-16) and its entities, or tdlib's error message. */
export function parseTelegramHtml(
  html: string,
  { strictness = 'documented' }: { strictness?: HtmlStrictness } = {}
): ParsedHtml {
  const strict = strictness === 'documented'
  const fail = (message: string): ParsedHtml => ({ ok: false, error: message })
  const at = (index: number) => _byteOffset(html, index)
  const entities: MessageEntity[] = []
  const codeLanguages = new WeakMap<MessageEntity, string>()
  const stack: OpenEntity[] = []
  let text = ''
  let hasSurrogate = false
  for (let i = 0; i < html.length; i++) {
    const c = html[i]
    if (c === '&') {
      const decoded = _decodeEntity(html, i, strict)
      if (decoded) {
        hasSurrogate ||= decoded.code >= 0xd800 && decoded.code <= 0xdfff
        text += String.fromCodePoint(decoded.code)
        i = decoded.end - 1
        continue
      }
      if (strict) return fail(`Character "&" at byte offset ${at(i)} must be escaped as "&amp;"`)
    }
    if (c !== '<') {
      if (strict && c === '>') {
        return fail(`Character ">" at byte offset ${at(i)} must be escaped as "&gt;"`)
      }
      text += c
      continue
    }
    const begin = i++
    if (html[i] !== '/') {
      while (i < html.length && !_isSpace(html[i]) && html[i] !== '>') i++
      if (i >= html.length) return fail(`Unclosed start tag at byte offset ${at(begin)}`)
      const tag = html.slice(begin + 1, i).toLowerCase()
      if (!SUPPORTED_TAGS.has(tag)) {
        return fail(`Unsupported start tag "${tag}" at byte offset ${at(begin)}`)
      }
      const attributes = _parseAttributes(html, i, tag, at(begin), strict)
      if (!attributes.ok) return fail(attributes.error)
      i = attributes.end
      if (tag === 'span' && attributes.argument !== 'spoiler') {
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${at(begin)}`)
      }
      const { argument, expandable } = attributes
      stack.push({ tag, argument, offset: text.length, expandable })
      continue
    }
    const top = stack.at(-1)
    if (!top) return fail(`Unexpected end tag at byte offset ${at(begin)}`)
    while (i < html.length && !_isSpace(html[i]) && html[i] !== '>') i++
    const endTag = html.slice(begin + 2, i).toLowerCase()
    while (i < html.length && _isSpace(html[i])) i++
    if (html[i] !== '>') return fail(`Unclosed end tag at byte offset ${at(begin)}`)
    if (endTag && endTag !== top.tag) {
      return fail(
        `Unmatched end tag at byte offset ${at(begin)}, expected "</${top.tag}>", found "</${endTag}>"`
      )
    }
    stack.pop()
    if (text.length === top.offset) continue // tdlib creates no entity for empty content
    const entity = _makeEntity(top, text, entities, codeLanguages)
    if (entity === 'invalid-emoji') return fail('Invalid custom emoji identifier specified')
    if (entity) entities.push(entity)
  }
  const unclosed = stack.at(-1)
  if (unclosed) return fail(`Can't find end tag corresponding to start tag ${unclosed.tag}`)
  if (hasSurrogate) {
    return fail(
      'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units'
    )
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length)
  return { ok: true, text, entities }
}

// --- Internal helpers ---

/** tdlib `is_space`: the end of the string (NUL) also counts, which the callers check separately. */
function _isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v'
}

/** Error offsets are UTF-8 byte offsets, as tdlib reports them. */
function _byteOffset(html: string, index: number): number {
  return new TextEncoder().encode(html.slice(0, index)).length
}

/** tdlib `decode_html_entity`: `&lt; &gt; &amp; &quot;` and numeric references; `;` optional there. */
function _decodeEntity(
  html: string,
  pos: number,
  strict: boolean
): { code: number; end: number } | undefined {
  let end = pos + 1
  let code = 0
  if (html[end] === '#') {
    end++
    const hex = html[end] === 'x'
    if (hex) end++
    const digits = hex ? /[0-9a-fA-F]/ : /[0-9]/
    while (end < html.length && digits.test(html[end] ?? '')) {
      code = code * (hex ? 16 : 10) + Number.parseInt(html[end] ?? '0', hex ? 16 : 10)
      end++
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined
  } else {
    while (end < html.length && /[A-Za-z]/.test(html[end] ?? '')) end++
    const name = html.slice(pos + 1, end)
    const named: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34 }
    if (!Object.hasOwn(named, name)) return undefined
    code = named[name] ?? 0
  }
  if (html[end] === ';') return { code, end: end + 1 }
  return strict ? undefined : { code, end }
}

type Attributes =
  | { ok: true; end: number; argument: string; expandable: boolean }
  | { ok: false; error: string }

/** Attribute loop of tdlib `parse_html`; `i` points after the tag name, the result's `end` at `>`. */
function _parseAttributes(
  html: string,
  start: number,
  tag: string,
  beginByte: number,
  strict: boolean
): Attributes {
  let i = start
  let argument = ''
  let expandable = false
  const fail = (error: string): Attributes => ({ ok: false, error })
  while (html[i] !== '>') {
    while (i < html.length && _isSpace(html[i])) i++
    if (i >= html.length) return fail(`Unclosed start tag at byte offset ${beginByte}`)
    if (html[i] === '>') break
    const nameStart = i
    while (i < html.length && !_isSpace(html[i]) && html[i] !== '=' && html[i] !== '>') i++
    const name = html.slice(nameStart, i)
    if (!name) return fail(`Empty attribute name in the tag "${tag}" at byte offset ${beginByte}`)
    while (i < html.length && _isSpace(html[i])) i++
    if (html[i] !== '=') {
      // Bot API 7.3 added the value-less `<blockquote expandable>` (§1.5).
      if (tag === 'blockquote' && name === 'expandable') {
        expandable = true
        continue
      }
      return fail(
        `Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${beginByte}`
      )
    }
    i++
    while (i < html.length && _isSpace(html[i])) i++
    if (i >= html.length) return fail(`Unclosed start tag "${tag}" at byte offset ${beginByte}`)
    let value = ''
    const quote = html[i]
    if (quote !== '"' && quote !== "'") {
      const tokenStart = i
      while (i < html.length && /[A-Za-z0-9.-]/.test(html[i] ?? '')) i++
      value = html.slice(tokenStart, i).toLowerCase()
      if (i < html.length && !_isSpace(html[i]) && html[i] !== '>') {
        return fail(`Unexpected end of name token at byte offset ${_byteOffset(html, tokenStart)}`)
      }
    } else {
      i++
      while (i < html.length && html[i] !== quote) {
        const decoded = html[i] === '&' ? _decodeEntity(html, i, strict) : undefined
        if (decoded) {
          value += String.fromCodePoint(decoded.code)
          i = decoded.end
          continue
        }
        value += html[i++]
      }
      if (html[i] === quote) i++
    }
    if (i >= html.length) return fail(`Unclosed start tag at byte offset ${beginByte}`)
    if (tag === 'a' && name === 'href') argument = value
    else if (tag === 'code' && name === 'class' && value.startsWith('language-')) {
      argument = value.slice('language-'.length)
    } else if (tag === 'span' && name === 'class' && value.startsWith('tg-'))
      argument = value.slice(3)
    else if (tag === 'tg-emoji' && name === 'emoji-id') argument = value
  }
  return { ok: true, end: i, argument, expandable }
}

/**
 * The entity a closed tag produces. `<pre><code class="language-x">` closes `code` first (remembering
 * its language) and then `pre`, which turns the pair into one `pre` with a language, as tdlib does.
 */
function _makeEntity(
  open: OpenEntity,
  text: string,
  entities: MessageEntity[],
  codeLanguages: WeakMap<MessageEntity, string>
): MessageEntity | 'invalid-emoji' | undefined {
  const { tag, argument, offset } = open
  const length = text.length - offset
  const simple = SIMPLE_ENTITY[tag]
  if (simple) return { type: simple, offset, length } as MessageEntity
  if (tag === 'blockquote') {
    return { type: open.expandable ? 'expandable_blockquote' : 'blockquote', offset, length }
  }
  if (tag === 'tg-emoji') {
    if (!/^[1-9][0-9]*$/.test(argument)) return 'invalid-emoji'
    return { type: 'custom_emoji', offset, length, custom_emoji_id: argument }
  }
  if (tag === 'a') {
    return { type: 'text_link', offset, length, url: argument || text.slice(offset) }
  }
  const last = entities.at(-1)
  const sameSpan = last !== undefined && last.offset === offset && last.length === length
  if (tag === 'code') {
    if (sameSpan && last.type === 'pre' && argument) {
      entities.pop()
      return { type: 'pre', offset, length, language: argument }
    }
    const code: MessageEntity = { type: 'code', offset, length }
    if (argument) codeLanguages.set(code, argument)
    return code
  }
  if (tag === 'pre') {
    const language = sameSpan && last.type === 'code' ? codeLanguages.get(last) : undefined
    if (language === undefined) return { type: 'pre', offset, length }
    entities.pop()
    return { type: 'pre', offset, length, language }
  }
  return undefined
}
