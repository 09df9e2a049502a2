/**
 * @module A JSON body read as it arrives, with one string value handed, as it comes, to a sink instead of being kept
 * as text (a base64 file in a tool call, decoded as it is read): the rest of the body becomes a small text with a
 * marker where the string was. A 5 MiB file sent as `content_base64` was held about four times over (the chunks'
 * text, the joined text, the parsed value, the bytes): now the bytes alone. Only a string at the given path of
 * object keys goes to the sink, only the first one there, and it counts only when well formed.
 *
 * A body nested deeper than `maxDepth`, or with more than `maxValues` values, is refused as it is read (its bytes
 * no longer kept): JSON.parse builds an object per value, and 3 MB of `[` took a 160 MB heap down, 2 M `{}` nearly.
 *
 * Why the parsed skeleton means what the body means: it is the body with one complete string token replaced by
 * another string token, which JSON's grammar cannot tell apart; the token's boundaries are found as a parser finds
 * them (a quote not escaped by a backslash). A string that is not well formed (a control character, a bad escape, no
 * closing quote) makes the body no JSON at all: `wellFormed` says so, and the caller answers as for any such body.
 */
import { hexDigit, unescapedByte } from './json-escapes.ts'
import {
  type JsonRefusal,
  refusedJson,
  type SpilledJson,
  spilledJson,
} from './json-spill-result.ts'

export {
  describeJsonRefusal,
  type JsonRefusal,
  type SpilledJson,
} from './json-spill-result.ts'

/** A key longer than this is not one of the path's: not kept. */
const MAX_KEY_BYTES = 64
/** A tool call's input nests a few levels; JSON-RPC adds three. */
const DEFAULT_MAX_DEPTH = 64
/** A tool call's input holds tens of values (a task's labels, its dependencies); a batch of calls, some thousands. */
const DEFAULT_MAX_VALUES = 10_000

const QUOTE = 0x22
const BACKSLASH = 0x5c

/** Where the string's characters go: runs of it as they are in the body, escapes one character at a time. */
export type StringSink<T> = {
  /** `text[from..to)`: UTF-8 bytes as sent, or one character (an escape, unescaped). */
  write(text: string | Uint8Array, from: number, to: number): void
  /** The whole string has come, well formed: what the sink made of it. */
  end(): T
}

export type JsonSpillOptions<T> = {
  /** Object keys from the root to the string, e.g. `['params', 'arguments', 'content_base64']`; null: none. */
  path: readonly string[] | null
  /** The sink for the string, made when it starts; `bytesLeft`: the most bytes it can have (null: unknown). */
  sink(bytesLeft: number | null): StringSink<T>
  /** The body's declared length, if any. */
  declaredBytes?: number | null
  /** Deepest nesting of arrays and objects read. */
  maxDepth?: number
  /** Most values read (each array or object, and each value after a comma), strings and numbers included. */
  maxValues?: number
}

type Level = { object: boolean; expectKey: boolean; key: string | null }

/**
 * @example const spill = createJsonSpill({ path: ['content_base64'], sink: createBase64Decoder });
 * for await (const c of body) spill.push(c); const input = spill.end().parse()
 */
export function createJsonSpill<T>({
  path,
  sink,
  declaredBytes = null,
  maxDepth = DEFAULT_MAX_DEPTH,
  maxValues = DEFAULT_MAX_VALUES,
}: JsonSpillOptions<T>) {
  /** The body's bytes outside the string, and null where it was. */
  const parts: Array<Uint8Array | null> = []
  const stack: Level[] = []
  /** Bytes pushed before the current chunk. */
  let seen = 0
  /** The structure is followed until it makes no sense (a close without an open): then nothing goes to a sink. */
  let confused = false
  /** Values begun so far (containers, and what follows a comma): JSON.parse makes an object of each. */
  let values = 0
  let refused: JsonRefusal | null = null
  /** In a string: 'key' (its bytes kept up to MAX_KEY_BYTES), 'plain', or 'spill' (the one handed to the sink). */
  let inString: 'key' | 'plain' | 'spill' | null = null
  let escaped = false
  let keyBytes: number[] | null = null
  let lastKey: string | null = null
  /** The string at the path: only the first (JSON.parse keeps the last of twin keys: a twin after it wins, as text). */
  let spill: { sink: StringSink<T>; wellFormed: boolean; closed: boolean } | null = null
  /** A \uXXXX escape in the string at the path: its value so far and the hex digits left. */
  let hexLeft = 0
  let hexValue = 0

  const atPath = (): boolean =>
    path !== null &&
    !confused &&
    stack.length === path.length &&
    stack.every((level, i) => level.object && level.key === path[i])

  /** Bytes of the string at the path from `start` up to `i`, and what follows them; returns where the next run starts. */
  function spillByte(chunk: Uint8Array, start: number, i: number): number {
    const s = spill as NonNullable<typeof spill>
    const b = chunk[i] as number
    if (hexLeft > 0) {
      const digit = hexDigit(b)
      if (digit < 0) s.wellFormed = false
      hexValue = hexValue * 16 + Math.max(0, digit)
      if (--hexLeft === 0) s.sink.write(String.fromCharCode(hexValue), 0, 1)
      return i + 1
    }
    if (escaped) {
      escaped = false
      const unescaped = unescapedByte(b)
      if (unescaped === null) s.wellFormed = false
      else if (unescaped < 0) {
        hexLeft = 4
        hexValue = 0
      } else s.sink.write(String.fromCharCode(unescaped), 0, 1)
      return i + 1
    }
    s.sink.write(chunk, start, i)
    if (b === BACKSLASH) escaped = true
    else if (b === QUOTE) {
      s.closed = true
      inString = null
    } else s.wellFormed = false // a control character
    return i + 1
  }

  /** The body's shape is past a limit: nothing more of it is kept or followed. */
  function refuse(reason: JsonRefusal['reason']): void {
    refused = { reason, limit: reason === 'depth' ? maxDepth : maxValues }
    parts.length = 0
    spill = null
  }

  function push(chunk: Uint8Array): void {
    if (refused) return
    let start = 0
    for (let i = 0; i < chunk.length; i++) {
      if (inString === 'spill') {
        // The long run of a base64 string: only a quote, a backslash or a control byte needs a look.
        if (!escaped && hexLeft === 0) {
          while (i < chunk.length) {
            const b = chunk[i] as number
            if (b === QUOTE || b === BACKSLASH || b < 0x20) break
            i++
          }
          if (i === chunk.length) break
        }
        start = spillByte(chunk, start, i)
        continue
      }
      const byte = chunk[i] as number
      if (inString !== null) {
        stringByte(byte)
        continue
      }
      if (confused) continue
      start = structureByte(chunk, start, i, byte)
      if (refused) return
    }
    if (inString === 'spill') {
      if (!escaped && hexLeft === 0) spill?.sink.write(chunk, start, chunk.length)
    } else if (start < chunk.length) parts.push(chunk.slice(start))
    seen += chunk.length
  }

  /** A byte of a key or of a string not at the path: a key's bytes are kept, up to MAX_KEY_BYTES. */
  function stringByte(byte: number): void {
    if (escaped) escaped = false
    else if (byte === BACKSLASH) {
      escaped = true
      keyBytes = null
    } else if (byte === QUOTE) {
      if (inString === 'key') {
        lastKey = keyBytes ? String.fromCharCode(...keyBytes) : null
        const top = stack[stack.length - 1]
        if (top) top.expectKey = false
      }
      inString = null
    } else if (inString === 'key' && keyBytes) {
      if (keyBytes.length < MAX_KEY_BYTES && byte < 0x80) keyBytes.push(byte)
      else keyBytes = null
    }
  }

  /** A byte outside strings: the structure followed (nesting, keys, values counted); returns where the next run starts. */
  function structureByte(chunk: Uint8Array, start: number, i: number, byte: number): number {
    const top = stack[stack.length - 1]
    switch (byte) {
      case QUOTE:
        if (top?.object && top.expectKey) {
          inString = 'key'
          keyBytes = []
        } else if (spill === null && atPath()) {
          parts.push(chunk.slice(start, i), null)
          const left = declaredBytes === null ? null : Math.max(0, declaredBytes - (seen + i + 1))
          spill = { sink: sink(left), wellFormed: true, closed: false }
          inString = 'spill'
          start = i + 1
        } else inString = 'plain'
        break
      case 0x7b: // {
      case 0x5b: // [
        if (stack.length >= maxDepth || ++values > maxValues) {
          refuse(stack.length >= maxDepth ? 'depth' : 'values')
          return start
        }
        stack.push({ object: byte === 0x7b, expectKey: byte === 0x7b, key: null })
        break
      case 0x7d: // }
      case 0x5d: // ]
        if (!stack.pop()) confused = true
        break
      case 0x2c: // ,
        if (++values > maxValues) {
          refuse('values')
          return start
        }
        if (top?.object) {
          top.expectKey = true
          top.key = null
        }
        break
      case 0x3a: // :
        if (top?.object) top.key = lastKey
        break
    }
    return start
  }

  function end(): SpilledJson<T> {
    if (refused) return refusedJson(refused)
    const wellFormed = spill === null || (spill.wellFormed && spill.closed && hexLeft === 0)
    return spilledJson(parts, spill?.sink ?? null, wellFormed)
  }

  return { push, end }
}
