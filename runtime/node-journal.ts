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
  mkdirSync,
  openSync,
} from 'node:fs'
import { join } from 'node:path'
import type { StoreJournal } from '../shared/store/local-journaled.ts'
import type { JournalRecord } from '../shared/store/local-state.ts'
import { rewriteJournal } from './node-journal-compact.ts'
import { importUnstorageFiles } from './node-journal-import.ts'
import { encodeLines, MAX_LINE_BYTES, writeText } from './node-journal-lines.ts'
import { type JournalFile, readFromStart, readNew, takeLines } from './node-journal-read.ts'

export const JOURNAL_FILE = 'store.journal'
/** Owner only: the journal holds what the bridge keeps (messages queued for the human, tasks' text). */
export const JOURNAL_MODE = 0o600
export const COMPACT_MIN_BYTES = 8 * 1024 * 1024
// Rewrite once the file is this many times what the last rewrite left: amortised, each byte is copied ~1/3 times.
const COMPACT_GROWTH = 4
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
    const imported = importUnstorageFiles(dir, path, encodeLines)
    if (imported)
      onNotice?.('store: files of the earlier layout imported into the journal', imported)
  }
  const writer = randomBytes(6).toString('base64url')
  const ownPrefix = `{"w":${JSON.stringify(writer)},`
  // Lines this process reads back like another's (a lock's records, decided by their place in the file): a writer
  // name of their own, which `ownPrefix` does not match.
  const readBackWriter = `${writer}.`
  const file: JournalFile = {
    fd: openSync(path, 'a+', JOURNAL_MODE),
    offset: 0,
    carry: '',
    chunk: Buffer.allocUnsafe(READ_CHUNK_BYTES),
  }
  // An older version's journal is 644 (the umask's), narrowed here: it holds the outbox's messages and the tasks' text.
  fchmodSync(file.fd, JOURNAL_MODE)
  /** Records of others that a compaction copied over: handed out by the next poll. */
  let copied: JournalRecord[] = []
  /** After a rewrite by another process, own lines may be missing from our state: apply them too. */
  let applyOwn = false
  let rewrittenSize = 0
  let statAt = Date.now()

  const reopen = () => {
    closeSync(file.fd)
    file.fd = openSync(path, 'a+', JOURNAL_MODE)
    copied = []
    applyOwn = true
    const counts = { damaged: 0, oversized: 0, moved: false }
    return [...readFromStart(file, counts)]
  }

  return {
    *load() {
      const counts = { damaged: 0, oversized: 0, moved: false }
      yield* readFromStart(file, counts)
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
        const stat = fstatSync(file.fd)
        if (stat.nlink === 0 || stat.size < file.offset) return { reset: true, records: reopen() }
      }
      const records = copied
      copied = []
      const text = readNew(file)
      if (text !== '') {
        const taken = takeLines(file, text, ownPrefix, !applyOwn)
        // Rewritten by another process's compaction: read the new file afresh.
        if (taken.moved) return { reset: true, records: reopen() }
        records.push(...taken.records)
      }
      return records.length > 0 ? { reset: false, records } : null
    },
    append(records, { readBack = false } = {}) {
      const length = writeText(file.fd, encodeLines(readBack ? readBackWriter : writer, records))
      const stat = fstatSync(file.fd)
      // Replaced by another process's compaction, which may not have written the moved line yet: the next poll
      // looks at the file itself, not only at its lines.
      if (stat.nlink === 0) {
        statAt = 0
        return false
      }
      // Nothing of anyone else's before ours since the last poll: no need to read our own bytes back.
      if (!readBack && stat.size === file.offset + length && file.carry === '')
        file.offset = stat.size
      return true
    },
    compact(snapshot) {
      if (file.offset < Math.max(compactMinBytes, rewrittenSize * COMPACT_GROWTH)) return
      const options = { dir, path, mode: JOURNAL_MODE, writer, ownPrefix, copied }
      if (rewriteJournal(file, options, snapshot)) rewrittenSize = file.offset
    },
    check() {
      accessSync(dir, constants.W_OK)
      fstatSync(file.fd)
    },
    close() {
      // Once: the number may belong to another file or socket by a second call (test/store-journal.test.ts).
      if (file.fd < 0) return
      closeSync(file.fd)
      file.fd = -1
    },
    schedule(flush) {
      setImmediate(flush)
    },
  }
}
