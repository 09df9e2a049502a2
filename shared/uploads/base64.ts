/**
 * @module Base64 → bytes in one pass over the text and one allocation (the bytes themselves): no stripped copy of
 * the text, no binary string from `atob`, no regular expression. A 50 MiB file was held five times over before.
 * The text may come whole (a string, decoded a slice at a time with a yield between slices: decoding 50 MiB takes
 * ~0.5 s of CPU, which must not hold every other request that long) or as it arrives (`createBase64Decoder`: a JSON
 * body's file decoded as it is read, never held as text, json-spill.ts).
 */

const SKIP = -2
const PAD = 61
const VALUES = (() => {
  const table = new Int8Array(128).fill(-1)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i
  // The URL-safe alphabet too: some clients send it.
  table[45] = 62
  table[95] = 63
  // Line breaks and spaces are skipped (MIME base64 wraps at 76 characters).
  for (const space of [9, 10, 13, 32]) table[space] = SKIP
  return table
})()

/** Characters decoded between two yields to the event loop (~10 ms of CPU). */
const SLICE_CHARS = 1024 * 1024
/** Bytes made room for at first when the text's length is not known: grown by doubling. */
const INITIAL_BYTES = 64 * 1024

/** Base64 decoded as its characters come. */
export type Base64Decoder = {
  /**
   * Characters `text[from..to)`: a string's, or one byte a character (ASCII; a byte ≥ 0x80 is a character outside
   * the alphabet, and only a UTF-8 sequence's first byte counts in `length`).
   */
  write(text: string | Uint8Array, from: number, to: number): void
  /** Characters written so far, spaces and padding included: the text's `length`, for a check before the end. */
  readonly length: number
  /** The bytes, or null when the text was not base64 (a character outside the alphabet, padding inside, a lone char). */
  end(): Uint8Array | null
}

/**
 * @example const d = createBase64Decoder(text.length); d.write(text, 0, text.length); const bytes = d.end()
 * `maxChars`: the most characters that will come, when known (the bytes are then allocated once).
 */
export function createBase64Decoder(maxChars: number | null = null): Base64Decoder {
  let out: Uint8Array = new Uint8Array(
    maxChars === null ? INITIAL_BYTES : Math.floor((maxChars * 3) / 4)
  )
  let at = 0
  let bits = 0
  let held = 0
  let chars = 0
  let padding = 0
  let length = 0
  let valid = true
  return {
    write(text, from, to) {
      const bytes = typeof text === 'string' ? null : text
      for (let i = from; i < to; i++) {
        const code = bytes ? (bytes[i] as number) : (text as string).charCodeAt(i)
        if (code >= 0x80 && bytes) {
          // One character per UTF-8 sequence, two for a 4-byte one (a surrogate pair in the string it would be).
          if ((code & 0xc0) !== 0x80) length += code >= 0xf0 ? 2 : 1
        } else length++
        if (!valid) continue
        if (code === PAD) {
          padding++
          continue
        }
        const value = code < 0x80 ? (VALUES[code] as number) : -1
        if (value === SKIP) continue
        // Padding only at the end; anything outside the alphabet is not base64.
        if (padding > 0 || value < 0) {
          valid = false
          continue
        }
        chars++
        bits = ((bits << 6) | value) & 0xffff
        held += 6
        if (held >= 8) {
          held -= 8
          if (at === out.length) out = _grown(out)
          out[at++] = (bits >> held) & 0xff
        }
      }
    },
    get length() {
      return length
    },
    end() {
      if (!valid || padding > 2 || chars % 4 === 1 || (padding > 0 && (chars + padding) % 4 !== 0))
        return null
      // Room made for a longer text (what was left of a body) is not kept past the end.
      return at < out.length / 2 ? out.slice(0, at) : out.subarray(0, at)
    },
  }
}

export type DecodeBase64Options = {
  /** Called between slices; the default lets other work run (a macrotask later). */
  pause?: () => Promise<void>
}

/** The bytes of a base64 text, or null when it is not base64 (see `Base64Decoder.end`). */
export async function decodeBase64(
  text: string,
  { pause = _nextTask }: DecodeBase64Options = {}
): Promise<Uint8Array | null> {
  const decoder = createBase64Decoder(text.length)
  for (let start = 0; start < text.length; start += SLICE_CHARS) {
    if (start > 0) await pause()
    decoder.write(text, start, Math.min(text.length, start + SLICE_CHARS))
  }
  return decoder.end()
}

function _grown(out: Uint8Array): Uint8Array {
  const grown = new Uint8Array(Math.max(INITIAL_BYTES, out.length * 2))
  grown.set(out)
  return grown
}

function _nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}
