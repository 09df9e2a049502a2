/**
 * @module OPENCLAW-12: the confidence an agent reports in a comment, `confidence: 0.55` or `confiance : 0,55`,
 * read by one forward scan (issue 38). It reads what
 * `(?<!\p{L})(?:confidence|confiance)(?:[ _-]?score)?\s*[:=]\s*(1(?:[.,]0+)?|0(?:[.,]\d+)?)(?![\d.,]*\d)`
 * (flags iu) matched; that expression took 10 s on "confidence: 0." + 100,000 digits + ",1", its lookahead
 * re-reading the digits for every shorter number it tried. Pure.
 */
import { isDigit, skipSpaces } from '../text-scan.ts'

const LETTER = /^\p{L}$/u

/** The confidence an agent reported in a comment (0–1), or null when the comment reports none. */
export function parseConfidence(text: string): number | null {
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at)
    if (code !== 0x63 && code !== 0x43) continue
    const number = _readAt(text, at)
    if (number !== null) return Number(number.replace(',', '.'))
  }
  return null
}

// --- Internal helpers ---

/** The number a report starting at `at` gives, or null when none starts there. */
function _readAt(text: string, at: number): string | null {
  const keyword = _matches(text, at, 'confidence') ? 10 : _matches(text, at, 'confiance') ? 9 : 0
  if (keyword === 0 || _letterBefore(text, at)) return null
  let i = at + keyword
  const separator = text.charCodeAt(i)
  if (
    (separator === 0x20 || separator === 0x5f || separator === 0x2d) &&
    _matches(text, i + 1, 'score')
  )
    i += 6
  else if (_matches(text, i, 'score')) i += 5
  i = skipSpaces(text, i)
  if (text.charCodeAt(i) !== 0x3a && text.charCodeAt(i) !== 0x3d) return null
  const start = skipSpaces(text, i + 1)
  const end = _numberEnd(text, start)
  if (end < 0) return null
  // A longer number (`0.5.1`, `0,55,3`) is not a confidence; a shorter reading of it would be followed by
  // its own digits, so the greedy reading is the only one to check.
  for (let k = end; k < text.length; k++) {
    const code = text.charCodeAt(k)
    if (isDigit(code)) return null
    if (code !== 0x2e && code !== 0x2c) break
  }
  return text.slice(start, end)
}

/** `1`, `1.0…`, `0`, `0.d…` (`.` or `,`) at `start`: where it ends, or -1. */
function _numberEnd(text: string, start: number): number {
  const first = text.charCodeAt(start)
  if (first !== 0x30 && first !== 0x31) return -1
  const mark = text.charCodeAt(start + 1)
  if (mark !== 0x2e && mark !== 0x2c) return start + 1
  const allowed = first === 0x31 ? (code: number) => code === 0x30 : isDigit
  let end = start + 2
  while (end < text.length && allowed(text.charCodeAt(end))) end++
  return end === start + 2 ? start + 1 : end
}

/** ASCII `word` at `at`, case-insensitive as the `iu` flags read it (`ſ` is an `s`). */
function _matches(text: string, at: number, word: string): boolean {
  if (at + word.length > text.length) return false
  for (let k = 0; k < word.length; k++) {
    const code = text.charCodeAt(at + k)
    const want = word.charCodeAt(k)
    if ((code | 0x20) !== want && !(want === 0x73 && code === 0x17f)) return false
  }
  return true
}

function _letterBefore(text: string, at: number): boolean {
  if (at === 0) return false
  // The code point before, read as the `u` flag reads it: a surrogate pair is one character.
  const before = text.charCodeAt(at - 1)
  const high = at >= 2 ? text.charCodeAt(at - 2) : 0
  const paired = before >= 0xdc00 && before <= 0xdfff && high >= 0xd800 && high <= 0xdbff
  return LETTER.test(paired ? text.slice(at - 2, at) : text.charAt(at - 1))
}
