/**
 * Hostile text for the property tests of issue 44: what people and agents may put in a name, a title or a comment
 * (tags, `&`, quotes, entities, bidi marks, whitespace only, 5,000-character names, 20,000-character Markdown), and
 * astral characters and emoji sequences placed so that they straddle the lengths the builders cut at.
 */
import fc from 'fast-check'

/** Grapheme clusters of two units or more: a cut inside one leaves half a surrogate pair or a broken glyph. */
export const CLUSTERS = [
  '😀', // a surrogate pair
  '𝕏', // an astral letter
  '👩‍💻', // ZWJ sequence, 5 units
  '👨‍👩‍👧‍👦', // ZWJ family, 11 units
  '🏳️‍🌈', // variation selector and ZWJ
  '🇫🇷', // a flag: two regional indicators
  '👍🏿', // a skin tone
  '🧑🏽‍🚀', // skin tone and ZWJ
  '🏴󠁧󠁢󠁳󠁣󠁴󠁿', // a tag sequence, 14 units
  'e\u0301', // a combining accent
  'क्ष', // an Indic conjunct
] as const

/**
 * The lengths the builders cut at, in UTF-16 units of raw or escaped text: buttonText 28, a person's name 64
 * (shared/telegram/update.ts), render-parts 80 / 120 / 160, messages.ts 160 / 240 / 400 / 750 / 1500,
 * cycle-messages 160 / 300, error details 200 / 300 (OpenClaw, Plane, actions, held chats), Plane names 255, toasts
 * 200, actions' reply text 4000, the card's edit and Telegram's 4096.
 */
export const CUT_LENGTHS = [
  28, 41, 64, 80, 120, 160, 200, 240, 255, 300, 400, 500, 750, 1500, 3600, 4000, 4096,
] as const

/** Pieces of text that escaping, parsing or trimming may get wrong. */
const PIECES = [
  'a',
  'Z',
  'é',
  ' ',
  '  ',
  '\n',
  '\t',
  '\u00a0',
  '<',
  '>',
  '&',
  '"',
  "'",
  '&amp;',
  '&lt;b&gt;',
  '&#128512;',
  '&nbsp;',
  '&amp',
  '<b>',
  '</b>',
  '<i>x',
  '<a href="https://x.test/?a=1&b=2">',
  '</a>',
  '<script>alert(1)</script>',
  '<br>',
  '<blockquote>',
  '<pre><code>',
  '\u200b', // zero-width space
  '\u200e', // left-to-right mark
  '\u200f', // right-to-left mark
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\ufeff',
  'שלום',
  'مرحبا',
  '**gras**',
  '`code`',
  '[lien](https://x.test/a_b)',
  '# Titre',
  '> citation',
  '- [ ] case',
  '|a|b|',
  ...CLUSTERS,
] as const

const WHITESPACE = [' ', '\n', '\t', '\u00a0', '\u2003', '\r\n'] as const
/** Fillers before a cluster: each is escaped to a different length (`&` → 5 units, `<` → 4). */
const FILLERS = ['a', '&', '<', '>', 'é', ' ', '😀', '"'] as const

const escapedLength = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').length

/** A mix of hostile pieces, up to `maxPieces` of them. */
export function mixedText(maxPieces = 40): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...PIECES), { maxLength: maxPieces }).map((p) => p.join(''))
}

/** Whitespace only: Telegram refuses a text that is empty once trimmed. */
export const whitespaceOnly: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...WHITESPACE), { minLength: 1, maxLength: 6 })
  .map((p) => p.join(''))

/**
 * A cluster that straddles one of `cuts`: fillers up to a few units before or after the cut (counted raw or escaped),
 * then the cluster, then more text; every cut position inside the cluster is reached across runs.
 */
export function straddling(cuts: readonly number[] = CUT_LENGTHS): fc.Arbitrary<string> {
  return fc
    .record({
      cut: fc.constantFrom(...cuts),
      offset: fc.integer({ min: -14, max: 4 }),
      filler: fc.constantFrom(...FILLERS),
      escaped: fc.boolean(),
      cluster: fc.constantFrom(...CLUSTERS),
      tail: mixedText(4),
    })
    .map(({ cut, offset, filler, escaped, cluster, tail }) => {
      const width = escaped ? escapedLength(filler) : filler.length
      const count = Math.max(0, Math.floor((cut + offset) / width))
      return `${filler.repeat(count)}${cluster}${cluster}${tail}`
    })
}

/** A piece repeated to `length` units or so: a 5,000-character name. */
export function longText(length: number): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 6 }).map((p) => {
    const unit = p.join('') || 'x'
    return unit.repeat(Math.ceil(length / unit.length))
  })
}

/** A Markdown comment of about 20,000 characters: headings, lists, code, links, tags, entities and emoji. */
export const longMarkdown: fc.Arbitrary<string> = fc
  .array(mixedText(12), { minLength: 1, maxLength: 8 })
  .map((paragraphs) => {
    const block = [
      '## Rapport <final> & résumé 👩‍💻',
      ...paragraphs.map((p) => `- ${p}`),
      '```ts\nconst a = b < c && d > e\n```',
      '> citée & **grasse** 🇫🇷',
    ].join('\n')
    return block.repeat(Math.ceil(20_000 / block.length))
  })

/** Any hostile text: mostly mixes and clusters at cut lengths, sometimes whitespace only or thousands of units. */
export function hostileText({
  cuts = CUT_LENGTHS,
  long = 5_000,
}: {
  cuts?: readonly number[]
  /** The length of the longest texts generated (0: none). */
  long?: number
} = {}): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: straddling(cuts) },
    { weight: 3, arbitrary: mixedText() },
    { weight: 1, arbitrary: whitespaceOnly },
    { weight: long > 0 ? 1 : 0, arbitrary: longText(Math.max(1, long)) }
  )
}

/** A name: hostile, 5,000 characters at most. */
export const hostileName = hostileText()

/** A comment or a report: hostile, up to 20,000 characters of Markdown. */
export const hostileComment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileText() },
  { weight: 1, arbitrary: longMarkdown }
)

const SCALE = Number(process.env.HOSTILE_RUNS) || 1
const SEED = process.env.HOSTILE_SEED ? Number(process.env.HOSTILE_SEED) : undefined
/** A property's time limit: a few seconds a run at the default count, shrinking a failure included. */
export const PROPERTY_TIMEOUT_MS = 60_000 * SCALE

/**
 * fast-check's parameters for `n` runs (HOSTILE_RUNS multiplies them, HOSTILE_SEED replays one), with a report that
 * keeps a shrunk 5,000-character counterexample readable: a run of one piece repeated is shown once, with its count.
 */
export function runs<T>(n: number): fc.Parameters<T> {
  return {
    numRuns: Math.ceil(n * SCALE),
    ...(SEED === undefined ? {} : { seed: SEED }),
    reporter(details) {
      const message = fc.defaultReportMessage(details)
      if (message) throw new Error(compactRepeats(message), { cause: details.errorInstance })
    },
  }
}

/** `aaaa…` (300 times) → `⟪a ×300⟫`: what a long generated text is made of, at a glance. */
export function compactRepeats(text: string): string {
  return text.replace(/([\s\S]{1,16}?)\1{15,}/g, (run, unit: string) => {
    return `⟪${unit} ×${run.length / unit.length}⟫`
  })
}
