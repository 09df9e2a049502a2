/**
 * The embedded fs store under hostile input (issue 38): it always starts. A journal line too long to read is skipped,
 * a journal whose live data passes what the heap can load is refused in one line naming DATA_DIR, and a running
 * store refuses to grow past what its next start can load.
 */
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { JOURNAL_FILE } from '../../runtime/node-journal.ts'
import { MAX_LINE_BYTES } from '../../runtime/node-journal-lines.ts'
import { createNodeStore, StoreStartError } from '../../runtime/node-store.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { StoreTooLargeError } from '../../shared/store/local-journaled.ts'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-abuse-'))
  dirs.push(dir)
  return dir
}

type Notice = { message: string; fields: Record<string, unknown> }

/** The store `npm start` builds on DATA_DIR, with the heap it would take its limits from. */
function openStore(dir: string, heapLimitBytes?: number, notices: Notice[] = []) {
  return createNodeStore(loadConfig({ DATA_DIR: dir }), {
    ...(heapLimitBytes ? { heapLimitBytes } : {}),
    onNotice: (message, fields) => notices.push({ message, fields }),
  })
}

/** One journal line as the store writes it: `\n{"w":…,"r":[records]}\n`. */
const line = (records: unknown[]) => `\n${JSON.stringify({ w: 'test', r: records })}\n`

describe('fs store under hostile input', () => {
  it('should skip a journal line too long to read, say so, and load the lines around it', async () => {
    const dir = freshDir()
    const path = join(dir, JOURNAL_FILE)
    writeFileSync(path, line([['s', 'before', '1', 0]]))
    // As an earlier version wrote a compaction of 900 KB names: one line of ~17 MiB.
    const big = JSON.stringify('x'.repeat(MAX_LINE_BYTES))
    appendFileSync(path, line([['s', 'huge', big, 0]]))
    appendFileSync(path, line([['s', 'after', '2', 0]]))
    expect(statSync(path).size).toBeGreaterThan(MAX_LINE_BYTES)
    const notices: Notice[] = []
    const store = openStore(dir, undefined, notices)
    expect(await store.get('before')).toBe(1)
    expect(await store.get('after')).toBe(2)
    expect(await store.has('huge')).toBe(false)
    expect(notices).toContainEqual({
      message: expect.stringContaining('skipped unread'),
      fields: { oversized: 1, path },
    })
    // The store goes on writing after the skipped line, and reads it all back.
    await store.set('later', 3)
    await store.dispose()
    const again = openStore(dir)
    expect([await again.get('before'), await again.get('after'), await again.get('later')]).toEqual(
      [1, 2, 3]
    )
    await again.dispose()
  })

  it('should refuse to start on a journal whose live data the heap cannot load, in one line naming DATA_DIR', async () => {
    const dir = freshDir()
    // 2 MB of live data, in lines of a readable size.
    const value = JSON.stringify('v'.repeat(20_000))
    for (let i = 0; i < 100; i++)
      appendFileSync(join(dir, JOURNAL_FILE), line([['s', `k${i}`, value, 0]]))
    // A 4 MB heap loads 40 % of it: 1.6 MB.
    let error: unknown
    try {
      openStore(dir, 4 * 1024 * 1024)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(StoreStartError)
    const message = (error as Error).message
    expect(message).toContain(`DATA_DIR=${dir}`)
    expect(message).toContain(`mv ${join(dir, JOURNAL_FILE)} ${join(dir, JOURNAL_FILE)}.too-large`)
    expect(message).toContain('--max-old-space-size')
    expect(message).not.toContain('\n')
    // The same journal loads with the heap it needs.
    const roomy = openStore(dir, 64 * 1024 * 1024)
    expect(await roomy.get('k99')).toBe('v'.repeat(20_000))
    await roomy.dispose()
  })

  it('should refuse a write past its live limit, make room as entries expire, and always start again', async () => {
    const dir = freshDir()
    const heap = 4 * 1024 * 1024
    const store = openStore(dir, heap)
    const value = 'w'.repeat(10_000)
    let refused: unknown = null
    let written = 0
    for (; written < 1000 && refused === null; written++)
      await store.set(`value:${written}`, value).catch((error: unknown) => {
        refused = error
      })
    // 30 % of a 4 MB heap: ~1.2 MB, about 120 values of 10 KB; never the 1000 asked.
    expect(refused).toBeInstanceOf(StoreTooLargeError)
    expect(written).toBeGreaterThan(100)
    expect(written).toBeLessThan(200)
    // Deletes are never refused, and make room.
    for (let i = 0; i < 20; i++) await store.delete(`value:${i}`)
    await expect(store.set('after-room', value)).resolves.toBeUndefined()
    await store.dispose()
    // What a store held to its limit wrote, the same heap loads.
    const again = openStore(dir, heap)
    expect(await again.get('after-room')).toBe(value)
    await again.dispose()
  })

  it('should not load values already expired, nor count them against the heap', async () => {
    const dir = freshDir()
    const value = JSON.stringify('e'.repeat(20_000))
    const past = Date.now() - 1000
    for (let i = 0; i < 100; i++)
      appendFileSync(join(dir, JOURNAL_FILE), line([['s', `gone:${i}`, value, past]]))
    appendFileSync(join(dir, JOURNAL_FILE), line([['s', 'kept', '1', 0]]))
    // 2 MB of expired values on a heap that loads 1.6 MB: it starts.
    const store = openStore(dir, 4 * 1024 * 1024)
    expect(await store.get('kept')).toBe(1)
    expect(await store.keys('gone:')).toEqual([])
    await store.dispose()
  })
})
