import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../test/helpers/random.ts'
import { createBase64Decoder } from './base64.ts'
import { createJsonSpill, type StringSink } from './json-spill.ts'

/** A sink that rebuilds the string as JSON.parse would make it (byte runs as UTF-8, escapes as characters). */
function textSink(): StringSink<string> {
  const decoder = new TextDecoder()
  let text = ''
  return {
    write(chunk, from, to) {
      text +=
        typeof chunk === 'string'
          ? chunk.slice(from, to)
          : decoder.decode(chunk.subarray(from, to), { stream: true })
    },
    end: () => text + decoder.decode(),
  }
}

/** The body pushed in chunks cut at `cuts` (byte offsets), then ended. */
function spillOf(body: string | Uint8Array, path: readonly string[], cuts: readonly number[] = []) {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body
  const spill = createJsonSpill({ path, sink: textSink, declaredBytes: bytes.length })
  let at = 0
  for (const cut of [...cuts, bytes.length]) {
    spill.push(bytes.slice(at, cut))
    at = cut
  }
  return spill.end()
}

/** The parsed skeleton with its marker put back as the sink's string: what JSON.parse made of the body. */
function rebuilt(body: string, path: readonly string[], cuts?: readonly number[]): unknown {
  const json = spillOf(body, path, cuts)
  expect(json.wellFormed).toBe(true)
  return JSON.parse(json.skeleton, (_key, value) => {
    const taken = json.take(value)
    return taken ?? value
  })
}

const KEYS = ['params', 'arguments', 'content_base64', 'name', 'a', 'é', 'content_base64x']
const PIECES = [
  'a',
  'Z',
  '/',
  '+',
  '=',
  '"',
  '\\',
  '\n',
  '\u0001',
  'é',
  '😀',
  ' ',
  '{',
  '}',
  ':',
  ',',
  '[',
]

function randomString(next: () => number): string {
  let out = ''
  const n = Math.floor(next() * 12)
  for (let i = 0; i < n; i++) out += PIECES[Math.floor(next() * PIECES.length)]
  return out
}

function randomValue(next: () => number, depth: number): unknown {
  const pick = next()
  if (depth > 3 || pick < 0.35) return randomString(next)
  if (pick < 0.45) return Math.floor(next() * 1000) / 10
  if (pick < 0.5) return next() < 0.5 ? null : true
  if (pick < 0.7)
    return Array.from({ length: Math.floor(next() * 3) }, () => randomValue(next, depth + 1))
  const object: Record<string, unknown> = {}
  for (let i = Math.floor(next() * 4); i > 0; i--)
    object[KEYS[Math.floor(next() * KEYS.length)] as string] = randomValue(next, depth + 1)
  return object
}

/** A random value, often with strings at both paths (among other keys, before or after them). */
function randomBody(next: () => number): unknown {
  const around = () => {
    const value = randomValue(next, 2)
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {}
  }
  if (next() < 0.2) return randomValue(next, 0)
  const root: Record<string, unknown> = next() < 0.5 ? around() : {}
  if (next() < 0.6) root.content_base64 = randomString(next)
  if (next() < 0.6)
    root.params = { ...around(), arguments: { ...around(), content_base64: randomString(next) } }
  return next() < 0.5 ? root : { ...around(), ...root, z: randomValue(next, 2) }
}

/** JSON texts of one value: compact, indented, `/` escaped (as PHP does), every non-ASCII character as \uXXXX. */
function spellings(value: unknown): string[] {
  const compact = JSON.stringify(value)
  return [
    compact,
    JSON.stringify(value, null, 2),
    // Outside strings JSON has no `/` and no non-ASCII character: these touch strings only.
    compact.replaceAll('/', '\\/'),
    _asciiOnly(compact),
  ]
}

/** Every non-ASCII UTF-16 unit as \uXXXX (a surrogate pair as two escapes, as JSON encoders write it). */
function _asciiOnly(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    out += unit < 0x80 ? text[i] : `\\u${unit.toString(16).padStart(4, '0')}`
  }
  return out
}

describe('createJsonSpill', () => {
  it('should read any JSON as JSON.parse does, the string at the path through the sink, cut anywhere', () => {
    const next = seededRandom(46)
    const paths = [['content_base64'], ['params', 'arguments', 'content_base64']]
    let spilled = 0
    for (let n = 0; n < 400; n++) {
      const value = randomBody(next)
      for (const body of spellings(value)) {
        const bytes = new TextEncoder().encode(body)
        const cuts = [Math.floor(next() * bytes.length), Math.floor(next() * bytes.length)].sort(
          (x, y) => x - y
        )
        for (const path of paths) {
          expect(rebuilt(body, path, cuts)).toEqual(JSON.parse(body))
          // What went to the sink is the string at the path, and only that one.
          const json = spillOf(body, path, cuts)
          const atPath = path.reduce<unknown>(
            (v, key) =>
              v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined,
            JSON.parse(json.skeleton)
          )
          const expected = path.reduce<unknown>(
            (v, key) =>
              v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined,
            JSON.parse(body)
          )
          expect(json.spilled).toBe(typeof expected === 'string' && !Array.isArray(expected))
          if (json.spilled) {
            expect(json.take(atPath)).toBe(expected)
            spilled++
          }
        }
      }
    }
    // The generator reaches the path often enough for the property to mean something.
    expect(spilled).toBeGreaterThan(1000)
  })

  it('should hand the string at the path to the sink and leave a marker in its place', () => {
    const body = '{"task":"ONB-1","content_base64":"YWJj\\/\\n\\u0041","filename":"a.txt"}'
    for (let cut = 0; cut <= body.length; cut++) {
      const json = spillOf(body, ['content_base64'], [cut])
      expect(json.spilled).toBe(true)
      const input = JSON.parse(json.skeleton) as Record<string, unknown>
      expect(input.task).toBe('ONB-1')
      expect(input.filename).toBe('a.txt')
      expect(json.skeleton).not.toContain('YWJj')
      expect(json.take(input.content_base64)).toBe('YWJj/\nA')
      // Handed over once; no other value is the marker.
      expect(json.take(input.content_base64)).toBeNull()
      expect(json.take('YWJj')).toBeNull()
    }
  })

  it('should leave alone a string elsewhere: another depth, inside an array, under an escaped or longer key', () => {
    const path = ['params', 'arguments', 'content_base64']
    for (const body of [
      '{"content_base64":"x"}',
      '{"params":{"content_base64":"x"}}',
      '{"params":[{"arguments":{"content_base64":"x"}}]}',
      '{"params":{"arguments":[{"content_base64":"x"}]}}',
      '{"params":{"arguments":["x"]}}',
      '{"params":["a",{"arguments":"x"}]}',
      '{"params":{"arguments":{"content\\u005fbase64":"x"}}}',
      '{"params":{"arguments":{"content_base64x":"x","y":{"content_base64":"x"}}}}',
      '[{"params":{"arguments":{"content_base64":"x"}}}]',
    ]) {
      const json = spillOf(body, path)
      expect(json.spilled).toBe(false)
      expect(JSON.parse(json.skeleton)).toEqual(JSON.parse(body))
    }
  })

  it('should keep the last of twin keys as JSON.parse does: a later twin wins as text', () => {
    const path = ['content_base64']
    const first = spillOf('{"content_base64":"first","content_base64":"second"}', path)
    expect(first.spilled).toBe(true)
    expect(JSON.parse(first.skeleton)).toEqual({ content_base64: 'second' })
    // A first twin that is no string is not the string at the path: the second one is.
    const body = '{"content_base64":1,"content_base64":"second"}'
    expect(spillOf(body, path).spilled).toBe(true)
    expect(rebuilt(body, path)).toEqual({ content_base64: 'second' })
  })

  it('should say a string that is not well formed makes no JSON, as JSON.parse says of the body', () => {
    for (const body of [
      '{"content_base64":"ab\\x"}',
      '{"content_base64":"ab\\u12"}',
      '{"content_base64":"ab\\u12g4"}',
      '{"content_base64":"a\u0001b"}',
      '{"content_base64":"a\nb"}',
      '{"content_base64":"abc',
      '{"content_base64":"abc\\',
    ]) {
      expect(() => JSON.parse(body)).toThrow()
      for (let cut = 0; cut <= body.length; cut++) {
        const json = spillOf(body, ['content_base64'], [cut])
        expect(json.spilled).toBe(true)
        expect(json.wellFormed).toBe(false)
        // What the doors read: no value, as JSON.parse gives none of the body.
        expect(() => json.parse()).toThrow(SyntaxError)
        let input: { content_base64?: unknown } | null = null
        try {
          input = JSON.parse(json.skeleton)
        } catch {}
        // Nothing to take from a string that was not whole.
        if (input) expect(json.take(input.content_base64)).toBeNull()
      }
    }
  })

  it('should stop following a body that closes what it never opened, and read it as it came', () => {
    const body = ']{"content_base64":"x"}'
    const json = spillOf(body, ['content_base64'])
    expect(json.spilled).toBe(false)
    expect(json.skeleton).toBe(body)
  })

  it('should decode a base64 file as it comes, never holding it as text', () => {
    const file = new Uint8Array(300_000)
    for (let at = 0; at < file.length; at += 65_536)
      crypto.getRandomValues(file.subarray(at, at + 65_536))
    const base64 = Buffer.from(file).toString('base64')
    // As a PHP client sends it: `/` escaped, and wrapped at 76 characters with escaped line breaks.
    const escaped = (base64.match(/.{1,76}/g) ?? []).join('\r\n')
    const body = new TextEncoder().encode(
      JSON.stringify({ task: 'ONB-1', filename: 'f.bin', content_base64: escaped }).replaceAll(
        '/',
        '\\/'
      )
    )
    const spill = createJsonSpill({
      path: ['content_base64'],
      declaredBytes: body.length,
      sink(left) {
        const decoder = createBase64Decoder(left)
        return {
          write: decoder.write,
          end: () => ({ length: decoder.length, bytes: decoder.end() }),
        }
      },
    })
    for (let at = 0; at < body.length; at += 65_536) spill.push(body.slice(at, at + 65_536))
    const json = spill.end()
    expect(json.skeleton.length).toBeLessThan(200)
    const input = JSON.parse(json.skeleton) as { content_base64: string }
    const decoded = json.take(input.content_base64)
    expect(decoded?.length).toBe(escaped.length)
    expect(Buffer.from(decoded?.bytes as Uint8Array).equals(Buffer.from(file))).toBe(true)
  })

  it('should refuse a body nested too deep or holding too many values as it reads it, keeping nothing of it', () => {
    const read = (body: string, limits: { maxDepth?: number; maxValues?: number }) => {
      const spill = createJsonSpill({ path: ['content_base64'], sink: textSink, ...limits })
      const bytes = new TextEncoder().encode(body)
      for (let at = 0; at < bytes.length; at += 1000) spill.push(bytes.slice(at, at + 1000))
      return spill.end()
    }
    // 3 MB of `[` took a 160 MB heap down in JSON.parse; two million `{}` nearly did.
    const deep = read(`${'['.repeat(3_000_000)}${']'.repeat(3_000_000)}`, {})
    expect(deep.refused).toEqual({ reason: 'depth', limit: 64 })
    expect(deep.skeleton).toBe('')
    const wide = read(`[${'{},'.repeat(2_000_000)}{}]`, {})
    expect(wide.refused).toEqual({ reason: 'values', limit: 10_000 })
    expect(read(`{"a":[${'1,'.repeat(5)}1]}`, { maxValues: 5 }).refused?.reason).toBe('values')
    expect(read(`${'['.repeat(9)}${']'.repeat(9)}`, { maxDepth: 8 }).refused?.reason).toBe('depth')
    // At the limits, read as JSON.parse reads it; a comma or a bracket inside a string is no value.
    for (const body of [
      `{"a":[${'1,'.repeat(6)}1]}`,
      `${'['.repeat(8)}"[[[[,,,,"${']'.repeat(8)}`,
      `{"content_base64":"${'[,'.repeat(1000)}"}`,
    ]) {
      const json = read(body, { maxDepth: 8, maxValues: 8 })
      expect(json.refused, body).toBeNull()
      expect(JSON.parse(json.skeleton, (_k, v) => json.take(v) ?? v)).toEqual(JSON.parse(body))
    }
  })
})
