import { describe, expect, it } from 'vitest'
import { createBase64Decoder, decodeBase64 } from './base64.ts'

/** Random bytes as a Buffer (Node's global, for its base64 encoders: the reference to decode against). */
function randomBytes(n: number): Buffer {
  const bytes = new Uint8Array(n)
  // getRandomValues fills at most 64 KiB a call.
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536))
  return Buffer.from(bytes)
}

describe('decodeBase64', () => {
  it('should decode what Buffer encodes, standard and URL-safe, with and without padding', async () => {
    for (let n = 0; n < 70; n++) {
      const bytes = randomBytes(n)
      for (const text of [
        bytes.toString('base64'),
        bytes.toString('base64url'),
        bytes.toString('base64').replace(/=+$/, ''),
      ]) {
        const decoded = await decodeBase64(text)
        expect(Buffer.from(decoded as Uint8Array).equals(bytes)).toBe(true)
      }
    }
  })

  it('should skip line breaks and spaces (MIME wraps at 76 characters)', async () => {
    const bytes = randomBytes(300)
    const wrapped = (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n')
    expect(Buffer.from((await decodeBase64(` ${wrapped}\n`)) as Uint8Array).equals(bytes)).toBe(
      true
    )
  })

  it('should refuse what is not base64: another character, padding inside, a lone character, too much padding', async () => {
    for (const bad of ['ab$c', 'ab=c', 'a', 'YQ===', 'YWJj\u00e9', 'Y=Q='])
      expect(await decodeBase64(bad)).toBeNull()
  })

  it('should let other work run between slices of a large text', async () => {
    const text = randomBytes(3 * 1024 * 1024).toString('base64')
    let pauses = 0
    const decoded = await decodeBase64(text, {
      pause: async () => {
        pauses++
      },
    })
    expect(decoded?.length).toBe(3 * 1024 * 1024)
    // One pass over four slices of 1 Mi characters.
    expect(pauses).toBe(3)
  })

  it('should decode as the characters come, cut anywhere, strings and bytes alike', () => {
    const bytes = randomBytes(1000)
    const text = `${(bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n')}\n`
    const ascii = new TextEncoder().encode(text)
    for (let cut = 0; cut <= text.length; cut += 7) {
      const decoder = createBase64Decoder(cut % 2 === 0 ? text.length : null)
      decoder.write(text, 0, cut)
      decoder.write(ascii, cut, ascii.length)
      expect(decoder.length).toBe(text.length)
      expect(Buffer.from(decoder.end() as Uint8Array).equals(bytes)).toBe(true)
    }
  })

  it('should keep no more room than the bytes need when less came than was allowed for', () => {
    const decoder = createBase64Decoder(8 * 1024 * 1024)
    decoder.write('YWJj', 0, 4)
    const bytes = decoder.end() as Uint8Array
    expect(Buffer.from(bytes).toString()).toBe('abc')
    expect(bytes.buffer.byteLength).toBeLessThan(1024)
  })

  it('should count a character per UTF-8 sequence as a string counts it, and refuse it', () => {
    const text = 'YWJj é 😀'
    const decoder = createBase64Decoder()
    const utf8 = new TextEncoder().encode(text)
    decoder.write(utf8, 0, utf8.length)
    expect(decoder.length).toBe(text.length)
    expect(decoder.end()).toBeNull()
  })
})
