/**
 * @module Uploads spooled to `DATA_DIR/uploads/`: written as they arrive (hashed on the way), handed out as a
 * file-backed Blob (`fs.openAsBlob`) that fetch reads from disk as it sends. Two 50 MiB multipart uploads at once
 * held 700+ MB of RSS when read whole; spooled, a few chunks each. The file goes when the upload ends.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdirSync, openAsBlob, readdirSync, rmSync, statSync } from 'node:fs'
import { type FileHandle, open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import { type FileSpool, FileTooLargeError } from '../shared/uploads/spool.ts'

export const SPOOL_DIR = 'uploads'
/** A spooled file older than this was left by a process that died during an upload. */
const STALE_SPOOL_MS = 60 * 60 * 1000

export type NodeSpoolOptions = {
  /** DATA_DIR: the one writable folder of the container. */
  dataDir: string
  now?: () => number
}

/** Builds the spool and removes what a crashed process left in it (another process may be spooling now: only old files). */
export function createNodeSpool({ dataDir, now = Date.now }: NodeSpoolOptions): FileSpool {
  const dir = join(dataDir, SPOOL_DIR)
  let ready = false
  const prepare = () => {
    if (ready) return
    mkdirSync(dir, { recursive: true })
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      try {
        if (now() - statSync(path).mtimeMs > STALE_SPOOL_MS) rmSync(path, { force: true })
      } catch {
        // Removed meanwhile by the process that wrote it.
      }
    }
    ready = true
  }
  return {
    open({ maxBytes }) {
      prepare()
      const path = join(dir, `${randomUUID()}.part`)
      const hash = createHash('sha256')
      let file: Promise<FileHandle> | null = null
      let size = 0
      const drop = async () => {
        const handle = await file?.catch(() => null)
        await handle?.close().catch(() => undefined)
        await rm(path, { force: true })
      }
      return {
        async write(chunk) {
          if (size + chunk.byteLength > maxBytes) {
            await drop()
            throw new FileTooLargeError(maxBytes)
          }
          file ??= open(path, 'wx')
          const handle = await file
          hash.update(chunk)
          size += chunk.byteLength
          // A write may take fewer bytes than given: the rest goes after.
          for (let at = 0; at < chunk.byteLength; )
            at += (await handle.write(chunk, at, chunk.byteLength - at)).bytesWritten
        },
        async finish() {
          file ??= open(path, 'wx')
          await (await file).close()
          const blob = await openAsBlob(path)
          let released = false
          return {
            blob,
            size,
            sha256Hex: hash.digest('hex'),
            async release() {
              if (released) return
              released = true
              await rm(path, { force: true })
            },
          }
        },
        abort: drop,
      }
    },
  }
}

/**
 * UPLOAD_MEMORY_BUDGET_BYTES's default: an eighth of the heap's limit (~21 MiB under the image's 160 MB old
 * generation). A JSON upload's file is decoded as its body is read (json-spill.ts): it costs two to three times its
 * body while it is read, decoded and sent (the bytes as they came until collected, the file, the copy sent to Plane),
 * so the allowance full costs well under half the heap, beside the bridge's own ~50 MB (bench/README.md, `bounded`).
 */
export function nodeUploadAllowanceBytes(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 8)
}
