/**
 * @module Where an uploaded file waits between the request that brings it and Plane's storage: written as it arrives,
 * then handed out as a Blob that is read again as it is sent. The Node runtime spools to DATA_DIR (a file-backed
 * Blob: no copy in memory); the default here keeps the chunks in memory, for Workers and tests.
 */

/** A file received whole, kept on disk until `release`. */
export type SpooledFile = {
  /** The bytes, typeless (the caller slices it with the MIME type it settles on). */
  blob: Blob
  size: number
  /** Lowercase hex SHA-256 of the bytes, computed as they arrived. */
  sha256Hex: string
  /** Frees what holds the file (the spooled file on disk); safe to call twice. */
  release(): Promise<void>
}

/** One file being received. */
export type SpoolWriter = {
  /** Appends bytes; throws FileTooLargeError past the spool's `maxBytes`, having dropped what it held. */
  write(chunk: Uint8Array): Promise<void>
  finish(): Promise<SpooledFile>
  /** Drops what was written (a body that failed half-way). */
  abort(): Promise<void>
}

export type FileSpool = {
  open(options: { maxBytes: number }): SpoolWriter
}

export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError'
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes.`)
  }
}

/** Chunks kept in memory: for Workers (no disk; the isolate's 128 MB bound the size) and tests. */
export function createMemorySpool(): FileSpool {
  return {
    open({ maxBytes }) {
      let chunks: Uint8Array[] = []
      let size = 0
      return {
        async write(chunk) {
          if (size + chunk.byteLength > maxBytes) {
            chunks = []
            throw new FileTooLargeError(maxBytes)
          }
          // A copy: the reader may hand out views of a buffer it reuses.
          chunks.push(chunk.slice())
          size += chunk.byteLength
        },
        async finish() {
          const blob = new Blob(chunks as BlobPart[])
          chunks = []
          const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())
          const sha256Hex = [...new Uint8Array(digest)]
            .map((b) => b.toString(16).padStart(2, '0'))
            .join('')
          return { blob, size, sha256Hex, release: async () => undefined }
        },
        async abort() {
          chunks = []
        },
      }
    },
  }
}

/** The bytes of a JSON upload (already in memory) as a spooled file, so both doors share one path. */
export function spooledBytes(bytes: Uint8Array, sha256Hex: string): SpooledFile {
  return {
    blob: new Blob([bytes as BlobPart]),
    size: bytes.byteLength,
    sha256Hex,
    release: async () => undefined,
  }
}
