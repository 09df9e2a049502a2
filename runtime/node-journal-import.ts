/**
 * @module Moves a DATA_DIR written by earlier versions (unstorage's fs-lite driver: one file per key, `a:b:c` at
 * `a/b/c`, each holding the `{ $v, $e }` envelope) into a journal, once, and keeps the old files aside.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { isValidKey } from '../shared/store/envelope.ts'
import type { JournalRecord } from '../shared/store/local-state.ts'

/** Where the files of the earlier layout go once imported; delete it when the service runs well. */
export const IMPORTED_FILES_DIR = 'imported-before-journal'

/**
 * Import the files beside `journalPath` (none: nothing happens). Writes the journal whole or not at all (a
 * temporary file renamed), then moves the files aside so that they are imported once.
 * @returns what was imported, or null when there was nothing to import
 */
export function importUnstorageFiles(
  dir: string,
  journalPath: string,
  encode: (writer: string, records: Iterable<JournalRecord>) => string
): { keys: number; skipped: number; movedTo: string } | null {
  const entries = readdirSync(dir, { withFileTypes: true }).filter(
    (entry) => !entry.name.startsWith('store.journal') && entry.name !== IMPORTED_FILES_DIR
  )
  if (entries.length === 0) return null
  const records: JournalRecord[] = []
  let skipped = 0
  const nowMs = Date.now()
  for (const file of _filesUnder(
    dir,
    entries.map((e) => e.name)
  )) {
    const key = relative(dir, file).split(sep).join(':')
    const record = isValidKey(key) ? _recordOf(key, readFileSync(file, 'utf8'), nowMs) : null
    if (record === null) skipped++
    else if (record !== 'expired') records.push(record)
  }
  const tmp = `${journalPath}.import.tmp`
  writeFileSync(tmp, encode('import', records), { mode: 0o600 })
  renameSync(tmp, journalPath)
  const aside = join(dir, IMPORTED_FILES_DIR)
  mkdirSync(aside, { recursive: true })
  for (const entry of entries) renameSync(join(dir, entry.name), join(aside, entry.name))
  return { keys: records.length, skipped, movedTo: aside }
}

function* _filesUnder(dir: string, names: readonly string[]): Generator<string> {
  for (const name of names) {
    const path = join(dir, name)
    const inner = _listDir(path)
    if (inner === null) yield path
    else yield* _filesUnder(path, inner)
  }
}

function _listDir(path: string): string[] | null {
  try {
    return readdirSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return null
    throw error
  }
}

/** The record that restores one file: null when it is not a store entry, `expired` when it is out of date. */
function _recordOf(key: string, text: string, nowMs: number): JournalRecord | 'expired' | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // Not one of our files: left as it is, not imported.
    return null
  }
  if (typeof parsed !== 'object' || parsed === null || !('$v' in parsed)) return null
  const { $v, $e } = parsed as { $v: unknown; $e?: unknown }
  const expiresAt = typeof $e === 'number' && Number.isFinite($e) ? $e : 0
  if (expiresAt !== 0 && expiresAt <= nowMs) return 'expired'
  return ['s', key, JSON.stringify($v) ?? 'null', expiresAt]
}
