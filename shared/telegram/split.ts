/** @module Split long message text into chunks Telegram accepts (§1.4: 1-4096 characters after entity parsing). */

/** §1.4: `text` is "1-4096 characters after entities parsing". */
export const TELEGRAM_MESSAGE_LIMIT = 4096

export type SplitMessageOptions = {
  /**
   * The text is Telegram HTML (`parse_mode: 'HTML'`, the default): tags and entities are kept whole and
   * formatting is re-balanced across chunks. Pass `false` for plain text (no parse_mode).
   */
  html?: boolean
}

/**
 * Split `text` into chunks of at most `limit` UTF-16 code units each.
 *
 * The rule, in order of preference, for where a chunk ends:
 * 1. at the last line break that fits (the `\n` itself is dropped);
 * 2. else at the last space that fits (the space is dropped);
 * 3. else a hard cut between two characters, never inside a surrogate pair and, where possible, not
 *    inside an emoji sequence (ZWJ, skin tone, variation selector, flag pair) or before a combining mark.
 *
 * In HTML mode a chunk never ends inside a tag or an entity (`&amp;`), and every chunk is balanced:
 * tags still open at the cut are closed at the end of the chunk and re-opened, with their original
 * attributes, at the start of the next one (`<b>`, `<i>`, `<a href>`, `<pre><code class>`, ...).
 * `limit` bounds the raw chunk, those added tags included; since tags vanish and entities shrink when
 * Telegram parses them, each chunk is also within the limit "after entities parsing".
 * Chunks without visible text are dropped, so `''` yields `[]`.
 *
 * @throws RangeError when `limit` cannot hold a single character plus the tags open around it.
 * @example for (const chunk of splitMessage(html)) await telegram.sendMessage({ chat_id, text: chunk, parse_mode: 'HTML' })
 */
export function splitMessage(
  text: string,
  limit = TELEGRAM_MESSAGE_LIMIT,
  { html = true }: SplitMessageOptions = {}
): string[] {
  const atoms = _tokenize(text, html)
  const chunks: string[] = []
  let start = 0
  let open: OpenTag[] = []
  while (start < atoms.length) {
    const prefix = open.map((tag) => tag.raw).join('')
    const cut = _findCut(atoms, start, open, prefix.length, limit)
    if (!cut) {
      const offset = atoms[start]?.start ?? 0
      throw new RangeError(`splitMessage: limit ${limit} cannot hold the text at offset ${offset}`)
    }
    const closing = _replay(atoms, start, cut.index, open)
    const body = text.slice(atoms[start]?.start, atoms[cut.index - 1]?.end)
    if (_hasVisibleText(atoms, start, cut.index)) chunks.push(prefix + body + _closeTags(closing))
    open = closing
    start = cut.dropSeparator ? cut.index + 1 : cut.index
  }
  return chunks
}

// --- Internal helpers ---

type Atom = {
  kind: 'text' | 'open' | 'close'
  start: number
  end: number
  /** Lower-case tag name for `open` / `close`; the character or entity for `text`. */
  value: string
  /** The whole opening tag, attributes included, to re-open it in the next chunk. */
  raw?: string
}

type OpenTag = { name: string; raw: string }

type Cut = { index: number; dropSeparator: boolean }

const TAG = /<(\/?)([A-Za-z][A-Za-z0-9-]*)(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?>/y
const ENTITY = /&(?:#\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z]{1,8});/y
/** Characters that extend the previous one into a single visible glyph. */
const EXTENDER = /^(?:\p{M}|\u200D|[\u{1F3FB}-\u{1F3FF}]|[\u{E0020}-\u{E007F}])$/u
const REGIONAL_INDICATOR = /^[\u{1F1E6}-\u{1F1FF}]$/u

function _tokenize(text: string, html: boolean): Atom[] {
  const atoms: Atom[] = []
  for (let i = 0; i < text.length; ) {
    const markup = html ? _matchMarkup(text, i) : undefined
    if (markup) {
      atoms.push(markup)
      i = markup.end
      continue
    }
    const width = (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1
    atoms.push({ kind: 'text', start: i, end: i + width, value: text.slice(i, i + width) })
    i += width
  }
  return atoms
}

function _matchMarkup(text: string, i: number): Atom | undefined {
  const pattern = text[i] === '<' ? TAG : text[i] === '&' ? ENTITY : undefined
  if (!pattern) return undefined
  pattern.lastIndex = i
  const match = pattern.exec(text)
  if (!match) return undefined
  const end = i + match[0].length
  if (pattern === ENTITY) return { kind: 'text', start: i, end, value: match[0] }
  const name = (match[2] ?? '').toLowerCase()
  if (match[1]) return { kind: 'close', start: i, end, value: name }
  return { kind: 'open', start: i, end, value: name, raw: match[0] }
}

/**
 * Scan forward from `start` while the chunk (re-opened prefix + atoms + closing tags) fits, remembering
 * the best line, space and hard cut seen. `index: atoms.length` means the rest fits; undefined means
 * not even one atom fits.
 */
function _findCut(
  atoms: Atom[],
  start: number,
  open: OpenTag[],
  prefixLength: number,
  limit: number
): Cut | undefined {
  const stack = open.map((tag) => tag.name)
  let length = prefixLength
  let closeLength = _closeLength(stack)
  let line: number | undefined
  let space: number | undefined
  let hard: number | undefined
  let any: number | undefined
  let i = start
  for (; i < atoms.length; i++) {
    const atom = atoms[i] as Atom
    const previous = atoms[i - 1]
    if (i > start && previous && length + closeLength <= limit) {
      if (atom.kind === 'text' && atom.value === '\n') line = i
      else if (atom.kind === 'text' && atom.value === ' ') space = i
      if (previous.kind !== 'open' && atom.kind !== 'close' && !_joinsGlyph(atoms, i)) hard = i
      any = i
    }
    length += atom.end - atom.start
    if (atom.kind === 'open') stack.push(atom.value)
    if (atom.kind === 'close') _popTag(stack, atom.value)
    closeLength = _closeLength(stack)
    if (length > limit) break
  }
  if (i === atoms.length && length + closeLength <= limit) {
    return { index: atoms.length, dropSeparator: false }
  }
  if (line !== undefined) return { index: line, dropSeparator: true }
  if (space !== undefined) return { index: space, dropSeparator: true }
  const index = hard ?? any
  return index === undefined ? undefined : { index, dropSeparator: false }
}

/** The tags open after atoms [start, end), starting from `open`. */
function _replay(atoms: Atom[], start: number, end: number, open: OpenTag[]): OpenTag[] {
  const stack = [...open]
  for (let i = start; i < end; i++) {
    const atom = atoms[i] as Atom
    if (atom.kind === 'open') stack.push({ name: atom.value, raw: atom.raw ?? '' })
    if (atom.kind === 'close') _popTag(stack, atom.value)
  }
  return stack
}

/** Close the innermost matching tag (and anything opened inside it, for malformed input). */
function _popTag<T extends string | OpenTag>(stack: T[], name: string): void {
  for (let i = stack.length - 1; i >= 0; i--) {
    const entry = stack[i] as T
    if ((typeof entry === 'string' ? entry : entry.name) === name) {
      stack.length = i
      return
    }
  }
}

function _closeTags(stack: OpenTag[]): string {
  return stack
    .map((tag) => `</${tag.name}>`)
    .reverse()
    .join('')
}

function _closeLength(names: string[]): number {
  return names.reduce((sum, name) => sum + name.length + 3, 0)
}

function _hasVisibleText(atoms: Atom[], start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const atom = atoms[i] as Atom
    if (atom.kind === 'text' && atom.value.trim() !== '') return true
  }
  return false
}

/** Whether cutting before atom `i` would split one visible glyph (emoji sequence, combining mark, flag). */
function _joinsGlyph(atoms: Atom[], i: number): boolean {
  const atom = atoms[i] as Atom
  const previous = atoms[i - 1] as Atom
  if (EXTENDER.test(atom.value) || previous.value === '\u200D') return true
  if (!REGIONAL_INDICATOR.test(atom.value)) return false
  // Flags are pairs of regional indicators: only cut after an even-length run.
  let run = 0
  for (let j = i - 1; j >= 0 && REGIONAL_INDICATOR.test((atoms[j] as Atom).value); j--) run++
  return run % 2 === 1
}
