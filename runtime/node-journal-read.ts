/** @module Reading the journal file: what was appended since the last read, its whole lines, and everything from the start a line at a time. */
import { readSync } from 'node:fs'
import type { JournalRecord } from '../shared/store/local-state.ts'
import { MAX_LINE_BYTES, type ParsedLines, parseLine, parseLines } from './node-journal-lines.ts'

/** The open journal file and how far this process has taken it in. */
export type JournalFile = {
  fd: number
  /** Bytes of the file taken in; `carry` is the start of a line whose end is not written yet. */
  offset: number
  carry: string
  chunk: Buffer
}

export type ReadCounts = { damaged: number; oversized: number; moved: boolean }

/** What was appended past `file.offset` (taken in): one read() finding nothing when nobody else writes. */
export function readNew(file: JournalFile): string {
  const parts: Buffer[] = []
  for (;;) {
    const n = readSync(file.fd, file.chunk, 0, file.chunk.length, file.offset)
    if (n === 0) break
    parts.push(Buffer.from(file.chunk.subarray(0, n)))
    file.offset += n
    if (n < file.chunk.length) break
  }
  return parts.length === 0 ? '' : Buffer.concat(parts).toString('utf8')
}

/** Complete lines of `text` as records; the incomplete end is kept in `file.carry`. */
export function takeLines(
  file: JournalFile,
  text: string,
  ownPrefix: string,
  skipOwn: boolean
): ParsedLines {
  const all = file.carry + text
  const end = all.lastIndexOf('\n')
  file.carry = end === -1 ? all : all.slice(end + 1)
  return parseLines(end === -1 ? '' : all.slice(0, end), skipOwn ? ownPrefix : null)
}

/**
 * The file's records from its start, one line at a time (the heap holds one line, never the file), a line over
 * MAX_LINE_BYTES skipped unread; leaves `file.offset` at the end and the unfinished last line in `file.carry`.
 */
export function* readFromStart(file: JournalFile, counts: ReadCounts): Generator<JournalRecord> {
  file.offset = 0
  file.carry = ''
  let parts: Buffer[] = []
  let size = 0
  let skipping = false
  for (;;) {
    const n = readSync(file.fd, file.chunk, 0, file.chunk.length, file.offset)
    if (n === 0) break
    file.offset += n
    let start = 0
    for (
      let end = file.chunk.indexOf(10, start);
      end !== -1 && end < n;
      end = file.chunk.indexOf(10, start)
    ) {
      if (!skipping && size + end - start > MAX_LINE_BYTES) counts.oversized++
      else if (!skipping) {
        const piece = file.chunk.subarray(start, end)
        const line = (size === 0 ? piece : Buffer.concat([...parts, piece])).toString('utf8')
        const parsed = parseLine(line)
        // The file was replaced after it was opened: what follows is not read (the next poll reopens).
        if (parsed === 'moved') {
          counts.moved = true
          return
        }
        if (parsed === 'damaged') counts.damaged++
        else yield* parsed
      }
      parts = []
      size = 0
      skipping = false
      start = end + 1
    }
    if (skipping || start >= n) continue
    if (size + n - start > MAX_LINE_BYTES) {
      counts.oversized++
      skipping = true
      parts = []
      size = 0
    } else {
      parts.push(Buffer.from(file.chunk.subarray(start, n)))
      size += n - start
    }
  }
  file.carry = skipping ? '' : Buffer.concat(parts).toString('utf8')
}
