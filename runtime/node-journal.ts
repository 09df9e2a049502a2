/**
 * @module The fs store's journal: one append-only file, `DATA_DIR/store.journal`, one JSON line per batch of changes,
 * read line by line at start (never whole: a journal larger than the heap is never one string), tailed by every
 * process that opens it (a CLI job beside the service), rewritten from the live state when it has grown
 * (compaction).
 */
import { randomBytes } from 'node:crypto'
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import type { StoreJournal } from '../shared/store/local-journaled.ts'
import { isJournalRecord, type JournalRecord } from '../shared/store/local-state.ts'
import { importUnstorageFiles } from './node-journal-import.ts'

export const JOURNAL_FILE = 'store.journal'
/** Owner only: the journal holds what the bridge keeps (messages queued for the human, tasks' text). */
export const JOURNAL_MODE = 0o600
const COMPACTING_FILE = 'store.journal.compacting'
// A compaction takes milliseconds: a marker this old was left by a process that died in the middle of one.
const STALE_COMPACTING_MS = 60_000
export const COMPACT_MIN_BYTES = 8 * 1024 * 1024
// Rewrite once the file is this many times what the last rewrite left: amortised, each byte is copied ~1/3 times.
const COMPACT_GROWTH = 4
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
const MOVED_LINE = '{"moved":true}'
// A file deleted or cut by hand shows only in fstat, looked at this often (not at every operation).
const STAT_INTERVAL_MS = 1000
const READ_CHUNK_BYTES = 64 * 1024

export type FileJournalOptions = {
  dir: string
  /** Below this size the journal is never rewritten. */
  compactMinBytes?: number
  /** Damaged lines skipped at open, files imported from an earlier layout: said once, never fatal. */
  onNotice?: (message: string, fields: Record<string, unknown>) => void
}

/**
 * Each batch is written as `\n{"w":writer,"r":[records]}\n` in one `write` on a file opened with O_APPEND, so the
 * batches of several processes never interleave; the leading newline ends a line a crashed writer left half
 * written (skipped as damaged on reading). A process skips its own lines when tailing: it applied them already.
 */
export function openFileJournal({
  dir,
  compactMinBytes = COMPACT_MIN_BYTES,
  onNotice,
}: FileJournalOptions): StoreJournal {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, JOURNAL_FILE)
  if (!existsSync(path)) {
    const imported = importUnstorageFiles(dir, path, _encodeLines)
    if (imported)
      onNotice?.('store: files of the earlier layout imported into the journal', imported)
  }
  const writer = randomBytes(6).toString('base64url')
  const ownPrefix = `{"w":${JSON.stringify(writer)},`
  let fd = openSync(path, 'a+', JOURNAL_MODE)
  // An older version's journal is 644 (the umask's), narrowed here: it holds the outbox's messages and the tasks' text.
  fchmodSync(fd, JOURNAL_MODE)
  /** Bytes of the file taken in; `carry` is the start of a line whose end is not written yet. */
  let offset = 0
  let carry = ''
  /** Records of others that a compaction copied over: handed out by the next poll. */
  let copied: JournalRecord[] = []
  /** After a rewrite by another process, own lines may be missing from our state: apply them too. */
  let applyOwn = false
  let rewrittenSize = 0
  let statAt = Date.now()
  const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES)

  /** What was appended past `offset` (taken in): one read() finding nothing when nobody else writes. */
  const readNew = (): string => {
    const parts: Buffer[] = []
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, offset)
      if (n === 0) break
      parts.push(Buffer.from(chunk.subarray(0, n)))
      offset += n
      if (n < chunk.length) break
    }
    return parts.length === 0 ? '' : Buffer.concat(parts).toString('utf8')
  }

  /** Complete lines of `text` as records; the incomplete end is kept in `carry`. */
  const takeLines = (text: string, skipOwn: boolean): ParsedLines => {
    const all = carry + text
    const end = all.lastIndexOf('\n')
    carry = end === -1 ? all : all.slice(end + 1)
    return _parseLines(end === -1 ? '' : all.slice(0, end), skipOwn ? ownPrefix : null)
  }

  /**
   * The file's records from its start, one line at a time (the heap holds one line, never the file), a line over
   * MAX_LINE_BYTES skipped unread; leaves `offset` at the end and the unfinished last line in `carry`.
   */
  function* readFromStart(counts: ReadCounts): Generator<JournalRecord> {
    offset = 0
    carry = ''
    let parts: Buffer[] = []
    let size = 0
    let skipping = false
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, offset)
      if (n === 0) break
      offset += n
      let start = 0
      for (
        let end = chunk.indexOf(10, start);
        end !== -1 && end < n;
        end = chunk.indexOf(10, start)
      ) {
        if (!skipping && size + end - start > MAX_LINE_BYTES) counts.oversized++
        else if (!skipping) {
          const piece = chunk.subarray(start, end)
          const line = (size === 0 ? piece : Buffer.concat([...parts, piece])).toString('utf8')
          const parsed = _parseLine(line)
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
        parts.push(Buffer.from(chunk.subarray(start, n)))
        size += n - start
      }
    }
    carry = skipping ? '' : Buffer.concat(parts).toString('utf8')
  }

  const reopen = () => {
    closeSync(fd)
    fd = openSync(path, 'a+', JOURNAL_MODE)
    copied = []
    applyOwn = true
    const counts = { damaged: 0, oversized: 0, moved: false }
    return [...readFromStart(counts)]
  }

  return {
    *load() {
      const counts = { damaged: 0, oversized: 0, moved: false }
      yield* readFromStart(counts)
      if (counts.damaged > 0)
        onNotice?.('store: damaged journal lines skipped (a write cut short)', {
          damaged: counts.damaged,
          path,
        })
      if (counts.oversized > 0)
        onNotice?.(
          `store: journal lines over ${MAX_LINE_BYTES} bytes skipped unread, as damaged (written by an earlier version without size limits); what they held is lost, Plane still has what matters`,
          { oversized: counts.oversized, path }
        )
    },
    poll() {
      const nowMs = Date.now()
      if (nowMs - statAt >= STAT_INTERVAL_MS) {
        statAt = nowMs
        const stat = fstatSync(fd)
        if (stat.nlink === 0 || stat.size < offset) return { reset: true, records: reopen() }
      }
      const records = copied
      copied = []
      const text = readNew()
      if (text !== '') {
        const taken = takeLines(text, !applyOwn)
        // Rewritten by another process's compaction: read the new file afresh.
        if (taken.moved) return { reset: true, records: reopen() }
        records.push(...taken.records)
      }
      return records.length > 0 ? { reset: false, records } : null
    },
    append(records) {
      const length = _writeText(fd, _encodeLines(writer, records))
      const stat = fstatSync(fd)
      if (stat.nlink === 0) return false
      // Nothing of anyone else's before ours since the last poll: no need to read our own bytes back.
      if (stat.size === offset + length && carry === '') offset = stat.size
      return true
    },
    compact(snapshot) {
      if (offset < Math.max(compactMinBytes, rewrittenSize * COMPACT_GROWTH)) return
      const marker = join(dir, COMPACTING_FILE)
      if (!_takeMarker(marker)) return
      const tmp = `${path}.${writer}.tmp`
      try {
        // The snapshot is everything up to `offset` minus a half line: the caller polled just before.
        const from = offset - Buffer.byteLength(carry)
        const out = openSync(tmp, 'w', JOURNAL_MODE)
        try {
          _writeLines(out, writer, snapshot())
          fsyncSync(out)
        } finally {
          closeSync(out)
        }
        renameSync(tmp, path)
        const next = openSync(path, 'a+', JOURNAL_MODE)
        // What others appended after our last poll, up to its last whole line: a writer whose batch is cut here
        // sees its file unlinked after writing and writes it again into the new one.
        offset = from
        const tail = readNew()
        const whole = tail.slice(0, tail.lastIndexOf('\n') + 1)
        if (whole.length > 0) _writeText(next, whole)
        copied.push(..._parseLines(whole, ownPrefix).records)
        _writeText(fd, `\n${MOVED_LINE}\n`)
        closeSync(fd)
        fd = next
        offset = fstatSync(fd).size
        carry = ''
        rewrittenSize = offset
      } finally {
        rmSync(tmp, { force: true })
        rmSync(marker, { force: true })
      }
    },
    check() {
      accessSync(dir, constants.W_OK)
      fstatSync(fd)
    },
    close() {
      closeSync(fd)
    },
    schedule(flush) {
      setImmediate(flush)
    },
  }
}

/** Batches as journal lines: `\n{"w":writer,"r":[…]}\n`, a few hundred records a line at most. */
function _encodeLines(writer: string, records: Iterable<JournalRecord>): string {
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

/** `_encodeLines` written as it is encoded, a chunk at a time. */
function _writeLines(fd: number, writer: string, records: Iterable<JournalRecord>): void {
  let chunk: string[] = []
  let size = 0
  for (const line of _lines(writer, records)) {
    chunk.push(line)
    size += line.length
    if (size < REWRITE_CHUNK_BYTES) continue
    _writeText(fd, chunk.join(''))
    chunk = []
    size = 0
  }
  if (chunk.length > 0) _writeText(fd, chunk.join(''))
}

type ParsedLines = { records: JournalRecord[]; damaged: number; moved: boolean }
type ReadCounts = { damaged: number; oversized: number; moved: boolean }

/** One line's records; `moved` for the line a compaction leaves in the file it replaced. */
function _parseLine(line: string): JournalRecord[] | 'moved' | 'damaged' {
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
function _parseLines(text: string, skipPrefix: string | null): ParsedLines {
  const records: JournalRecord[] = []
  let damaged = 0
  for (const line of text.split('\n')) {
    if (skipPrefix !== null && line.startsWith(skipPrefix)) continue
    const parsed = line.length > MAX_LINE_BYTES ? 'damaged' : _parseLine(line)
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
function _writeText(fd: number, text: string): number {
  const length = Buffer.byteLength(text)
  const written = writeSync(fd, text)
  if (written !== length)
    throw new Error(`short write to the store journal: ${written} of ${length} bytes`)
  return length
}

/** Create the compaction marker; false when another process holds a fresh one. */
function _takeMarker(marker: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(marker, 'wx'))
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const age = Date.now() - (statSync(marker, { throwIfNoEntry: false })?.mtimeMs ?? 0)
      if (age < STALE_COMPACTING_MS) return false
      rmSync(marker, { force: true })
    }
  }
  return false
}
