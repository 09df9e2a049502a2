/**
 * @module OPENCLAW-12: the confidence an agent reports in a comment, `confidence: 0.55` or `confiance : 0,55`,
 * read by one forward scan. It reads what
 * `(?<!\p{L})(?:confidence|confiance)(?:[ _-]?score)?\s*[:=]\s*(1(?:[.,]0+)?|0(?:[.,]\d+)?)(?![\d.,]*\d)`
 * (flags iu) matched; that expression took 10 s on "confidence: 0." + 100,000 digits + ",1", its lookahead
 * re-reading the digits for every shorter number it tried. Pure.
 */
import { isDigit, skipSpaces } from '../text/text-scan.ts'

const LETTER = /^\p{L}$/u

/** The confidence an agent reported in a comment (0–1), or null when the comment reports none. */
export function parseConfidence(text: string): number | null {
  for (let at = 0; at < text.length; at++) {
    // A report starts with `co` in any case (only `c`, `C` give 0x63 here, and `o`, `O` 0x6f).
    if ((text.charCodeAt(at) | 0x20) !== 0x63 || (text.charCodeAt(at + 1) | 0x20) !== 0x6f) continue
    const number = _readAt(text, at)
    if (number !== null) return Number(number.replace(',', '.'))
  }
  return null
}

// --- Internal helpers ---

/**
 * The words up to the value, on a window of 40 characters (a keyword, " score", the `:` or `=` and spaces around
 * it), lowercased first as the `iu` flags fold these words (`ſ` is an `s`). `İ`, the one character that lowercases
 * to two, matches none of them: a match never holds it, so its length is the original's.
 */
const HEAD = /^confi(?:dence|ance)(?:[ _-]?score)?\s*[:=]/

/** The number a report starting at `at` gives, or null when none starts there. */
function _readAt(text: string, at: number): string | null {
  const head = HEAD.exec(
    text
      .slice(at, at + 40)
      .toLowerCase()
      .replaceAll('ſ', 's')
  )
  if (!head || _letterBefore(text, at)) return null
  const start = skipSpaces(text, at + head[0].length)
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
  // One code unit: a letter outside the BMP before the keyword is not seen as one (the old lookbehind saw it).
  return LETTER.test(text[at - 1] ?? '')
}
