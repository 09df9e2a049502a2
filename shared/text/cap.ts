/**
 * @module The one way to shorten text from outside (a name, an error body, a comment): between grapheme clusters,
 * visibly. Telegram refuses a string with half a surrogate pair (`strings must be encoded in UTF-8`, reference
 * §1.7b), and a cut inside an emoji sequence shows a broken glyph.
 */

/** What a cut text ends with, so that a reader sees it is not whole. */
export const CUT_MARK = '…'

/**
 * How far past the cut the segmenter reads: a boundary depends only on the text before it and the character after
 * it, so the clusters before the cut are found without segmenting the rest (a 1 MB name costs what its start costs).
 */
const LOOKAHEAD_UNITS = 16

/**
 * `text` when it has at most `maxChars` UTF-16 units (Telegram's count), else its start and `mark`, `maxChars` units
 * in all or fewer: the cut falls between two grapheme clusters, so no surrogate pair, ZWJ sequence, flag, skin tone
 * or combining accent is split.
 * @example capText('abcdef', 4) // 'abc…'
 * @example capText('ab👩‍💻cd', 5) // 'ab…' (the 5-unit emoji does not fit whole)
 */
export function capText(text: string, maxChars: number, mark = CUT_MARK): string {
  if (text.length <= maxChars) return text
  const room = Math.max(0, maxChars - mark.length)
  return `${text.slice(0, graphemeBoundaryAtOrBefore(text, room))}${mark}`
}

/**
 * The largest index ≤ `at` where `text` may be cut: a grapheme cluster boundary (code point boundary where the
 * platform has no `Intl.Segmenter`).
 */
export function graphemeBoundaryAtOrBefore(text: string, at: number): number {
  if (at <= 0) return 0
  if (at >= text.length) return text.length
  if (!SEGMENTER) return _codePointBoundary(text, at)
  let boundary = 0
  for (const { index } of SEGMENTER.segment(text.slice(0, at + LOOKAHEAD_UNITS))) {
    if (index > at) break
    boundary = index
  }
  return boundary
}

/**
 * The grapheme clusters that start within the first `maxUnits` UTF-16 units of `text`, in order (code points where
 * the platform has no `Intl.Segmenter`): for a cut whose size is measured after a transformation (escaping).
 */
export function* graphemesOf(text: string, maxUnits: number): Generator<string> {
  const head = text.slice(0, maxUnits + LOOKAHEAD_UNITS)
  if (!SEGMENTER) {
    yield* [...head]
    return
  }
  for (const { segment, index } of SEGMENTER.segment(head)) {
    if (index >= maxUnits) return
    yield segment
  }
}

/**
 * `text` with every lone surrogate replaced by U+FFFD: what UTF-8 can carry. For text cut elsewhere (an old stored
 * value) before it goes out.
 */
export function toWellFormed(text: string): string {
  let out = ''
  let from = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0xd800 || unit > 0xdfff) continue
    const next = text.charCodeAt(i + 1)
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++
      continue
    }
    out += `${text.slice(from, i)}\uFFFD`
    from = i + 1
  }
  return from === 0 ? text : out + text.slice(from)
}

// --- Internal helpers ---

/** A platform value (like a formatter), made once per isolate; absent on a platform without it. */
const SEGMENTER =
  typeof Intl !== 'undefined' && 'Segmenter' in Intl
    ? new Intl.Segmenter(undefined, { granularity: 'grapheme' })
    : null

function _codePointBoundary(text: string, at: number): number {
  const unit = text.charCodeAt(at)
  return unit >= 0xdc00 && unit <= 0xdfff && at > 0 ? at - 1 : at
}
