/** @module Compaction: the journal rewritten from the live state by one process at a time, what others appended meanwhile carried over. */
import { closeSync, fstatSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { JournalRecord } from '../shared/store/local-state.ts'
import { MOVED_LINE, parseLines, writeLines, writeText } from './node-journal-lines.ts'
import { type JournalFile, readNew } from './node-journal-read.ts'

const COMPACTING_FILE = 'store.journal.compacting'
// A compaction takes milliseconds: a marker this old was left by a process that died in the middle of one.
const STALE_COMPACTING_MS = 60_000

export type RewriteJournalOptions = {
  dir: string
  path: string
  mode: number
  writer: string
  ownPrefix: string
  /** Records of others that the rewrite copied over: pushed here, handed out by the next poll. */
  copied: JournalRecord[]
}

/**
 * Rewrite the journal at `path` from `snapshot`, unless another process is compacting it; `file` then points at
 * the new file. The old one gets the moved line, so that whoever reads it opens the new one.
 * @returns whether the journal was rewritten
 */
export function rewriteJournal(
  file: JournalFile,
  { dir, path, mode, writer, ownPrefix, copied }: RewriteJournalOptions,
  snapshot: () => Iterable<JournalRecord>
): boolean {
  const marker = join(dir, COMPACTING_FILE)
  if (!_takeMarker(marker)) return false
  const tmp = `${path}.${writer}.tmp`
  try {
    // The snapshot is everything up to `file.offset` minus a half line: the caller polled just before.
    const from = file.offset - Buffer.byteLength(file.carry)
    const out = openSync(tmp, 'w', mode)
    try {
      writeLines(out, writer, snapshot())
      fsyncSync(out)
    } finally {
      closeSync(out)
    }
    renameSync(tmp, path)
    const next = openSync(path, 'a+', mode)
    // What others appended after our last poll, up to its last whole line: a writer whose batch is cut here
    // sees its file unlinked after writing and writes it again into the new one.
    file.offset = from
    const tail = readNew(file)
    const whole = tail.slice(0, tail.lastIndexOf('\n') + 1)
    if (whole.length > 0) writeText(next, whole)
    copied.push(...parseLines(whole, ownPrefix).records)
    writeText(file.fd, `\n${MOVED_LINE}\n`)
    closeSync(file.fd)
    file.fd = next
    file.offset = fstatSync(file.fd).size
    file.carry = ''
    return true
  } finally {
    rmSync(tmp, { force: true })
    rmSync(marker, { force: true })
  }
}

// --- Internal helpers ---

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
