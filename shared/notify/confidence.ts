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
    // Only `c` and `C` give 0x63 here: a report starts at one of them.
    if ((text.charCodeAt(at) | 0x20) !== 0x63) continue
    const number = _readAt(text, at)
    if (number !== null) return Number(number.replace(',', '.'))
  }
  return null
}

// --- Internal helpers ---

/** The number a report starting at `at` gives, or null when none starts there. */
function _readAt(text: string, at: number): string | null {
  // Folded as the `iu` flags fold these words: ASCII case, and `ſ` is an `s`. 16 characters hold the longest
  // keyword and " score"; a character that lowercases to two (`İ`) matches none of them, so offsets hold.
  const head = text
    .slice(at, at + 16)
    .toLowerCase()
    .replaceAll('ſ', 's')
  let i = head.startsWith('confidence') ? 10 : head.startsWith('confiance') ? 9 : 0
  if (i === 0 || _letterBefore(text, at)) return null
  if (head.startsWith('score', i)) i += 5
  else if (' _-'.includes(head[i] ?? 'x') && head.startsWith('score', i + 1)) i += 6
  i = skipSpaces(text, at + i)
  if (text[i] !== ':' && text[i] !== '=') return null
  const start = skipSpaces(text, i + 1)
  const zero = text[start] === '0'
  if (!zero && text[start] !== '1') return null
  // `1` may go on with `.0…`, `0` with `.d…` (`.` or `,`).
  const more = (k: number) => (zero ? isDigit(text.charCodeAt(k)) : text[k] === '0')
  let end = start + 1
  if ((text[end] === '.' || text[end] === ',') && more(end + 1)) {
    end += 2
    while (more(end)) end++
  }
  // A longer number (`0.5.1`, `0,55,3`) is not a confidence; a shorter reading of it would be followed by its
  // own digits, so the greedy reading is the only one to check.
  for (let k = end; k < text.length; k++) {
    if (isDigit(text.charCodeAt(k))) return null
    if (text[k] !== '.' && text[k] !== ',') break
  }
  return text.slice(start, end)
}

function _letterBefore(text: string, at: number): boolean {
  // The code point before, read as the `u` flag reads it: a surrogate pair is one character.
  const before = text.codePointAt(at - 1) ?? 0
  const paired = before >= 0xdc00 && before <= 0xdfff && /[\ud800-\udbff]/.test(text[at - 2] ?? '')
  return at > 0 && LETTER.test(paired ? text.slice(at - 2, at) : (text[at - 1] as string))
}
