/** @module What a JSON spill comes to: the body's skeleton and what the sink made of its string, or why the body was refused. */
/** Why a body was not read as JSON: nested too deep, or too many values. */
export type JsonRefusal = { reason: 'depth' | 'values'; limit: number }

/** The refusal in words, for the caller. */
export function describeJsonRefusal({ reason, limit }: JsonRefusal): string {
  return reason === 'depth'
    ? `The body nests arrays and objects deeper than ${limit} levels: no tool call does.`
    : `The body holds more than ${limit.toLocaleString('en-US')} values: no tool call does.`
}

/** What `createJsonSpill` made of a whole body. */
export type SpilledJson<T> = {
  /** The body as text, the string handed to the sink replaced by a marker (a JSON string); '' when refused. */
  skeleton: string
  /** Set when the body's shape was refused before its end: nothing of it was kept past that point. */
  readonly refused: JsonRefusal | null
  /** False when the string handed to the sink was not a well-formed JSON string: the body is then no JSON. */
  readonly wellFormed: boolean
  /** Whether a string was handed to the sink. */
  readonly spilled: boolean
  /** What the sink made of the string `value` marks; null when `value` is not the marker. Handed over once. */
  take(value: unknown): T | null
  /**
   * The body's value, the marker where the string was; a SyntaxError when the body is not JSON, a string handed to
   * the sink that was not well formed included (the same answer as reading the body whole).
   */
  parse(): unknown
}

/** A refused body: nothing of it kept, nothing to parse. */
export function refusedJson<T>(refused: JsonRefusal): SpilledJson<T> {
  return {
    skeleton: '',
    refused,
    wellFormed: true,
    spilled: false,
    take: () => null,
    parse: () => {
      throw new SyntaxError('a refused body is not parsed')
    },
  }
}

/**
 * The body kept as `parts`, the string's place (null) filled with a marker; the sink's result when the string was
 * well formed.
 */
export function spilledJson<T>(
  parts: ReadonlyArray<Uint8Array | null>,
  sink: { end(): T } | null,
  wellFormed: boolean
): SpilledJson<T> {
  // Made only for a body that has the string (most tool calls have none): no one can guess it in advance.
  const marker = sink ? `\u0000spilled:${crypto.randomUUID()}` : null
  const quoted = new TextEncoder().encode(JSON.stringify(marker))
  const skeleton = new TextDecoder().decode(_concat(parts.map((p) => p ?? quoted)))
  let result: T | null = sink && wellFormed ? sink.end() : null
  return {
    skeleton,
    refused: null,
    wellFormed,
    spilled: sink !== null,
    take(value) {
      if (marker === null || value !== marker) return null
      const taken = result
      result = null
      return taken
    },
    parse() {
      if (!wellFormed)
        throw new SyntaxError('the body is not JSON: a string in it is not well formed')
      return JSON.parse(skeleton)
    },
  }
}

// --- Internal helpers ---

function _concat(pieces: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of pieces) length += p.length
  const out = new Uint8Array(length)
  let at = 0
  for (const p of pieces) {
    out.set(p, at)
    at += p.length
  }
  return out
}
