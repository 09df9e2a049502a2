import { describe, expect, it } from 'vitest'
import {
  MultipartError,
  type MultipartPart,
  multipartBoundary,
  readMultipart,
} from './multipart.ts'

type Read = { part: MultipartPart; bytes: Uint8Array; writes: number }

/** The body fetch would send for `form`, with its Content-Type (undici's own serialization). */
async function serialize(form: FormData): Promise<{ bytes: Uint8Array; type: string }> {
  const response = new Response(form)
  return {
    bytes: new Uint8Array(await response.arrayBuffer()),
    type: response.headers.get('content-type') ?? '',
  }
}

/** `bytes` as a stream of chunks of the given sizes (cycled). */
function streamOf(bytes: Uint8Array, sizes: readonly number[]): ReadableStream<Uint8Array> {
  let at = 0
  let turn = 0
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close()
      const size = sizes[turn++ % sizes.length] as number
      controller.enqueue(bytes.slice(at, at + size))
      at += size
    },
  })
}

async function readAll(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  options: { maxHeaderBytes?: number; maxParts?: number } = {}
): Promise<Read[]> {
  const parts: Read[] = []
  await readMultipart(body, {
    boundary,
    ...options,
    onPart(part) {
      const chunks: Uint8Array[] = []
      const read: Read = { part, bytes: new Uint8Array(), writes: 0 }
      parts.push(read)
      return {
        write(chunk) {
          read.writes++
          chunks.push(chunk.slice())
        },
        end() {
          read.bytes = new Uint8Array(Buffer.concat(chunks))
        },
      }
    },
  })
  return parts
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const raw = (s: string) => new TextEncoder().encode(s)

describe('multipartBoundary', () => {
  it('should read the boundary, quoted or not, and refuse other types or a boundary over 70 characters', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toBe('abc')
    expect(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b;c"')).toBe('a b;c')
    expect(multipartBoundary('application/json')).toBeNull()
    expect(multipartBoundary('multipart/form-data')).toBeNull()
    expect(multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`)).toBeNull()
  })
})

describe('readMultipart', () => {
  it('should read what undici sends, whatever the chunking, the file byte for byte', async () => {
    const file = new Uint8Array(200_000)
    for (let i = 0; i < file.length; i++) file[i] = (i * 7919) % 256
    // Bytes that look like the start of a delimiter, inside the file.
    file.set(raw('\r\n--\r\n-'), 1000)
    const form = new FormData()
    form.append('task', 'ONB-12')
    form.append('file', new Blob([file], { type: 'application/pdf' }), 'rapport été.pdf')
    form.append('description', 'Le rapport final')
    const { bytes, type } = await serialize(form)
    const boundary = multipartBoundary(type) as string
    for (const sizes of [[1], [7, 3], [65_536], [bytes.length]]) {
      const parts = await readAll(streamOf(bytes, sizes), boundary)
      expect(parts.map((p) => p.part)).toEqual([
        { name: 'task', filename: null, contentType: null },
        { name: 'file', filename: 'rapport été.pdf', contentType: 'application/pdf' },
        { name: 'description', filename: null, contentType: null },
      ])
      expect(text(parts[0]?.bytes as Uint8Array)).toBe('ONB-12')
      expect(Buffer.compare(Buffer.from(parts[1]?.bytes as Uint8Array), Buffer.from(file))).toBe(0)
      expect(text(parts[2]?.bytes as Uint8Array)).toBe('Le rapport final')
    }
  })

  it('should hand a large part over in many writes, never whole', async () => {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(1_000_000)]), 'big.bin')
    const { bytes, type } = await serialize(form)
    const [part] = await readAll(streamOf(bytes, [16_384]), multipartBoundary(type) as string)
    expect(part?.bytes.length).toBe(1_000_000)
    expect(part?.writes).toBeGreaterThan(50)
  })

  it('should skip a preamble, transport padding and an epilogue, and read a part without headers', async () => {
    const body = raw(
      'ignored preamble\r\n--b  \r\nContent-Disposition: form-data; name="a"\r\n\r\none\r\n--b\r\nContent-Disposition: form-data; name="f"; filename="x.txt"; filename*=UTF-8\'\'na%C3%AFve.txt\r\n\r\ntwo\r\n--b--\r\nepilogue'
    )
    const parts = await readAll(streamOf(body, [5]), 'b')
    expect(parts.map((p) => [p.part.name, p.part.filename, text(p.bytes)])).toEqual([
      ['a', null, 'one'],
      ['f', 'naïve.txt', 'two'],
    ])
  })

  it('should refuse a body cut before its closing boundary, headers too long, too many parts, a part with no name', async () => {
    const form = new FormData()
    form.append('file', new Blob(['abc']), 'a.txt')
    const { bytes, type } = await serialize(form)
    const boundary = multipartBoundary(type) as string
    await expect(readAll(streamOf(bytes.slice(0, -10), [100]), boundary)).rejects.toThrow(
      /ended before its closing boundary/
    )
    const longHeader = raw(
      `--b\r\nContent-Disposition: form-data; name="${'a'.repeat(9000)}"\r\n\r\nx\r\n--b--`
    )
    await expect(readAll(streamOf(longHeader, [1000]), 'b')).rejects.toThrow(/headers exceed 8192/)
    const many = raw(
      `${Array.from({ length: 5 }, (_, i) => `--b\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`).join('')}--b--`
    )
    await expect(readAll(streamOf(many, [64]), 'b', { maxParts: 4 })).rejects.toThrow(
      /More than 4 parts/
    )
    const nameless = raw('--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--')
    await expect(readAll(streamOf(nameless, [64]), 'b')).rejects.toBeInstanceOf(MultipartError)
    await expect(readAll(streamOf(raw('no boundary at all'), [4]), 'b')).rejects.toThrow(
      /ended before/
    )
  })

  it('should cancel the body when a sink throws (a file over its limit), reading no further', async () => {
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(
          pulled === 1
            ? raw('--b\r\nContent-Disposition: form-data; name="file"\r\n\r\n')
            : new Uint8Array(1024)
        )
      },
    })
    let written = 0
    await expect(
      readMultipart(body, {
        boundary: 'b',
        onPart: () => ({
          write(chunk) {
            written += chunk.length
            if (written > 10_000) throw new Error('too large')
          },
          end() {},
        }),
      })
    ).rejects.toThrow('too large')
    expect(pulled).toBeLessThan(20)
  })
})
