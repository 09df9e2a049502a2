/** @module The journal's line format: batches encoded as JSON lines and written in one write each, lines parsed back into records. */
import { writeSync } from 'node:fs'
import { isJournalRecord, type JournalRecord } from '../shared/store/local-state.ts'

// Snapshot lines stay readable: a few hundred records, about a MiB at most (a record past it is a line of its own).
const SNAPSHOT_RECORDS_PER_LINE = 500
const LINE_TARGET_BYTES = 1024 * 1024
/**
 * A line longer than this is not read: skipped as damaged, with a notice, as a line a crash cut short. The store
 * never writes one (values are ≤ MAX_VALUE_CHARS, 4 Mi characters, ≤ 12 MiB as a line; batches are split at a
 * MiB); an earlier version could (a 900 KB name in 500 records), and reading it would take the heap it cannot give.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024
/** The last line a compaction writes into the file it replaced: whoever reads it opens the new one. */
export const MOVED_LINE = '{"moved":true}'

/** Batches as journal lines: `\n{"w":writer,"r":[…]}\n`, a few hundred records a line at most. */
export function encodeLines(writer: string, records: Iterable<JournalRecord>): string {
  return [..._lines(writer, records)].join('')
}

/** One `\n{"w":writer,"r":[...]}\n` line per SNAPSHOT_RECORDS_PER_LINE records or LINE_TARGET_BYTES, whichever first. */
function* _lines(writer: string, records: Iterable<JournalRecord>): Generator<string> {
  let batch: JournalRecord[] = []
  let size = 0
  for (const record of records) {
    batch.push(record)
    size += _recordChars(record)
    if (batch.length < SNAPSHOT_RECORDS_PER_LINE && size < LINE_TARGET_BYTES) continue
    yield `\n${JSON.stringify({ w: writer, r: batch })}\n`
    batch = []
    size = 0
  }
  if (batch.length > 0) yield `\n${JSON.stringify({ w: writer, r: batch })}\n`
}

/** About a record's length as a line (its strings; numbers and punctuation are a few dozen characters). */
function _recordChars(record: JournalRecord): number {
  return record[1].length + (typeof record[2] === 'string' ? record[2].length : 0) + 32
}

/** What a rewrite holds in memory at most before writing: the snapshot is never one string (it was 3× the state). */
const REWRITE_CHUNK_BYTES = 256 * 1024

/** `encodeLines` written as it is encoded, a chunk at a time. */
export function writeLines(fd: number, writer: string, records: Iterable<JournalRecord>): void {
  let chunk: string[] = []
  let size = 0
  for (const line of _lines(writer, records)) {
    chunk.push(line)
    size += line.length
    if (size < REWRITE_CHUNK_BYTES) continue
    writeText(fd, chunk.join(''))
    chunk = []
    size = 0
  }
  if (chunk.length > 0) writeText(fd, chunk.join(''))
}

export type ParsedLines = { records: JournalRecord[]; damaged: number; moved: boolean }

/** One line's records; `moved` for the line a compaction leaves in the file it replaced. */
export function parseLine(line: string): JournalRecord[] | 'moved' | 'damaged' {
  if (line === MOVED_LINE) return 'moved'
  if (line === '') return []
  try {
    const batch = JSON.parse(line) as { r?: unknown }
    if (!Array.isArray(batch.r)) return 'damaged'
    return batch.r.filter(isJournalRecord)
  } catch {
    // A line a crash cut short: counted and told by the reader (onNotice).
    return 'damaged'
  }
}

/** Records of whole lines, up to a moved line (`moved`: the file was replaced, what follows is not read). */
export function parseLines(text: string, skipPrefix: string | null): ParsedLines {
  const records: JournalRecord[] = []
  let damaged = 0
  for (const line of text.split('\n')) {
    if (skipPrefix !== null && line.startsWith(skipPrefix)) continue
    const parsed = line.length > MAX_LINE_BYTES ? 'damaged' : parseLine(line)
    if (parsed === 'moved') return { records, damaged, moved: true }
    if (parsed === 'damaged') damaged++
    else for (const record of parsed) records.push(record)
  }
  return { records, damaged, moved: false }
}

/**
 * One `write()` of a string (Node encodes it into a native buffer freed at once). A short write (a full disk)
 * leaves a damaged line, skipped on reading, and is an error here.
 * @returns the bytes written
 */
export function writeText(fd: number, text: string): number {
  const length = Buffer.byteLength(text)
  const written = writeSync(fd, text)
  if (written !== length)
    throw new Error(`short write to the store journal: ${written} of ${length} bytes`)
  return length
}
