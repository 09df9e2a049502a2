import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fsLite from 'unstorage/drivers/fs-lite'
import { afterAll, describe, expect, it } from 'vitest'
import { JOURNAL_FILE, openFileJournal } from '../runtime/node-journal.ts'
import { IMPORTED_FILES_DIR } from '../runtime/node-journal-import.ts'
import { createNodeStore } from '../runtime/node-store.ts'
import { loadConfig } from '../shared/core/config.ts'
import { createLocalStore } from '../shared/store/local.ts'
import { createStore, type Store } from '../shared/store/store.ts'
import { openFileStore } from './helpers/file-store.ts'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-journal-'))
  dirs.push(dir)
  return dir
}

/** The store `npm start` and `npm run job` build on DATA_DIR. */
function openStore(dir: string): Store {
  return createNodeStore(loadConfig({ DATA_DIR: dir }))
}

/** A store whose journal is rewritten from `compactMinBytes` on (8 MiB by default: too much for a test). */
function openCompacting(dir: string, compactMinBytes: number): Store {
  return openFileStore(dir, { compactMinBytes })
}

/** A journal on `dir` whose first write runs `race` just before it (another process, between a look and a write). */
function journalRacedOnce(dir: string, race: () => void) {
  const real = openFileJournal({ dir })
  let raced = false
  const journal: typeof real = {
    ...real,
    append(records) {
      if (!raced) {
        raced = true
        race()
      }
      return real.append(records)
    },
  }
  return { journal, raced: () => raced }
}

function journalBytes(dir: string): number {
  return statSync(join(dir, JOURNAL_FILE)).size
}

describe('fs store journal', () => {
  it('should keep values, expiries, indexes and counters across a restart', async () => {
    const dir = freshDir()
    const first = openStore(dir)
    await first.set('outbox:1', { text: 'bonjour' })
    await first.set('ttl:short', 1, { ttlSeconds: 1 })
    await first.set('ttl:long', 2, { ttlSeconds: 3600 })
    await first.sortedAdd('queue', 'b', 2)
    await first.sortedAdd('queue', 'a', 1)
    await first.sortedAdd('queue', 'c', 3)
    await first.sortedRemove('queue', 'c')
    expect(await first.increment('count', 60)).toBe(1)
    expect(await first.increment('count', 60)).toBe(2)
    await first.set('gone', true)
    await first.delete('gone')
    await first.dispose()

    const second = openStore(dir)
    expect(await second.get('outbox:1')).toEqual({ text: 'bonjour' })
    expect(await second.sortedRange('queue')).toEqual([
      { member: 'a', score: 1 },
      { member: 'b', score: 2 },
    ])
    expect(await second.increment('count', 60)).toBe(3)
    expect(await second.has('gone')).toBe(false)
    expect(await second.get('ttl:long')).toBe(2)
    await new Promise((r) => setTimeout(r, 1100))
    expect(await second.get('ttl:short')).toBeNull()
    await second.dispose()
  })

  it('should not bring back the members of an expired index when it is created again', async () => {
    const dir = freshDir()
    let now = 1_000_000
    const open = () => openFileStore(dir, { now: () => now })
    const first = open()
    // Still in memory when created again, dropped by a read, dropped by a sweep.
    const keys = ['deadlines', 'dependents:a', 'dependents:b']
    for (const key of keys) await first.sortedAdd(key, 'old', 1, { ttlSeconds: 5 })
    now += 6000
    await first.sortedAdd('deadlines', 'new', 2)
    expect(await first.sortedRange('deadlines')).toEqual([{ member: 'new', score: 2 }])
    expect(await first.has('dependents:a')).toBe(false)
    expect(await first.sweep()).toBe(1)
    await first.sortedAdd('dependents:a', 'new', 2)
    await first.sortedAdd('dependents:b', 'new', 2)
    await first.dispose()
    const second = open()
    for (const key of keys)
      expect(await second.sortedRange(key)).toEqual([{ member: 'new', score: 2 }])
    await second.dispose()
  })

  it('should sweep expired entries from memory and leave the rest', async () => {
    const dir = freshDir()
    let now = 1_000_000
    const store = openFileStore(dir, { now: () => now })
    await store.set('keep', 'oui')
    await store.set('sweep:a', 1, { ttlSeconds: 5 })
    await store.sortedAdd('sweep:index', 'm', 1, { ttlSeconds: 5 })
    now += 6000
    expect(await store.sweep()).toBe(2)
    expect(await store.keys()).toEqual(['keep'])
    await store.dispose()
  })

  it('should show a CLI job what the service wrote and the service what the job wrote', async () => {
    const dir = freshDir()
    const service = openStore(dir)
    const job = openStore(dir)
    await service.set('outbox:item:1', { text: 'a' })
    await service.sortedAdd('outbox:due', '1', 10)
    expect(await job.get('outbox:item:1')).toEqual({ text: 'a' })
    expect(await job.sortedRange('outbox:due')).toEqual([{ member: '1', score: 10 }])

    // `dead-letters --retry` from the job: the service sees the item queued again and the letter gone.
    await job.set('outbox:dead:2', { text: 'b' })
    await job.sortedAdd('outbox:due', '2', 5)
    await job.delete('outbox:item:1')
    expect(await service.sortedRange('outbox:due')).toEqual([
      { member: '2', score: 5 },
      { member: '1', score: 10 },
    ])
    expect(await service.get('outbox:item:1')).toBeNull()
    // A claim taken by one is seen by the other.
    expect(await job.claim('cron:slot:poll:1', 60)).toBe(true)
    expect(await service.claim('cron:slot:poll:1', 60)).toBe(false)
    await job.dispose()
    await service.dispose()
  })

  it('should batch the changes of one turn of the event loop into one write', async () => {
    const dir = freshDir()
    const store = openStore(dir)
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.set(`k:${i}`, i)))
    const lines = readFileSync(join(dir, JOURNAL_FILE), 'utf8').split('\n').filter(Boolean)
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] ?? '{}').r).toHaveLength(50)
    await store.dispose()
  })

  it('should skip a line a crash cut short and read what was written after it', async () => {
    const dir = freshDir()
    const first = openStore(dir)
    await first.set('before', 1)
    await first.dispose()
    // A writer that died in the middle of its batch.
    appendFileSync(join(dir, JOURNAL_FILE), '\n{"w":"dead","r":[["s","half","1"')
    const notices: Array<Record<string, unknown>> = []
    const onNotice = (_: string, fields: Record<string, unknown>) => notices.push(fields)
    const second = createNodeStore(loadConfig({ DATA_DIR: dir }), { onNotice })
    await second.set('after', 2)
    await second.dispose()
    const third = createNodeStore(loadConfig({ DATA_DIR: dir }), { onNotice })
    expect(await third.get('before')).toBe(1)
    expect(await third.get('after')).toBe(2)
    expect(await third.has('half')).toBe(false)
    expect(notices.at(-1)).toMatchObject({ damaged: 1 })
    await third.dispose()
  })

  it('should rewrite a grown journal from the live state, and a job that has it open should go on', async () => {
    const dir = freshDir()
    const open = () => openCompacting(dir, 64 * 1024)
    const service = open()
    const job = open()
    const body = 'x'.repeat(1000)
    for (let i = 0; i < 200; i++) {
      await service.set(`webhook:inbox:${i}`, { body })
      await service.sortedAdd('webhook:inbox', String(i), i)
      await service.delete(`webhook:inbox:${i}`)
      await service.sortedRemove('webhook:inbox', String(i))
    }
    await service.set('kept', { body })
    // Written and deleted 200 times over: the journal holds only what is live.
    expect(journalBytes(dir)).toBeLessThan(64 * 1024)
    expect(existsSync(join(dir, 'store.journal.compacting'))).toBe(false)
    // The job's file was replaced under it: it reads the new one and writes into it.
    expect(await job.get('kept')).toEqual({ body })
    await job.set('from-job', 1)
    expect(await service.get('from-job')).toBe(1)
    await job.dispose()
    await service.dispose()
    const reopened = open()
    expect(await reopened.get('kept')).toEqual({ body })
    expect(await reopened.get('from-job')).toBe(1)
    expect(await reopened.sortedSize('webhook:inbox')).toBe(0)
    expect(await reopened.keys()).toEqual(['from-job', 'kept'])
    await reopened.dispose()
  })

  it('should keep the journal readable by its owner only (600), a new one, an older 644 one and a rewrite (issue 45)', async () => {
    const mode = (dir: string) => statSync(join(dir, JOURNAL_FILE)).mode & 0o777
    const fresh = freshDir()
    const store = openStore(fresh)
    await store.set('a', 1)
    expect(mode(fresh)).toBe(0o600)
    await store.dispose()
    // One an earlier version left world-readable is narrowed when opened.
    const older = freshDir()
    appendFileSync(join(older, JOURNAL_FILE), '', { mode: 0o644 })
    chmodSync(join(older, JOURNAL_FILE), 0o644)
    const reopened = openCompacting(older, 16 * 1024)
    expect(mode(older)).toBe(0o600)
    // A rewrite (compaction) replaces the file: the new one is 600 too.
    for (let i = 0; i < 40; i++) await reopened.set(`k${i % 2}`, 'x'.repeat(1000))
    await reopened.set('last', 1)
    expect(mode(older)).toBe(0o600)
    await reopened.dispose()
  })

  it('should rewrite a live state larger than one write chunk (256 KiB) whole', async () => {
    const dir = freshDir()
    const service = openCompacting(dir, 64 * 1024)
    const body = (round: number) => `${round}`.padEnd(1000, 'y')
    // 400 values of 1 KB live, each written four times: rewrites happen with more than 256 KiB to copy.
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 400; i++) await service.set(`v:${i}`, { body: body(round) })
    }
    const size = journalBytes(dir)
    expect(size).toBeLessThan(4 * 400 * 1000)
    await service.dispose()
    const reopened = openCompacting(dir, 64 * 1024)
    expect((await reopened.keys('v:')).length).toBe(400)
    for (const i of [0, 199, 399]) expect(await reopened.get(`v:${i}`)).toEqual({ body: body(3) })
    await reopened.dispose()
  })

  it('should go on in the new journal when another process rewrote it while the job had it open', async () => {
    const dir = freshDir()
    const open = () => openCompacting(dir, 16 * 1024)
    const job = open()
    await job.set('job:first', 1)
    const service = open()
    const body = 'y'.repeat(2000)
    // The service compacts while the job still holds the old file.
    for (let i = 0; i < 20; i++) await service.set(`big:${i % 2}`, { body, i })
    await job.set('job:second', 2)
    await job.dispose()
    await service.dispose()
    const reopened = open()
    expect(await reopened.get('job:first')).toBe(1)
    expect(await reopened.get('job:second')).toBe(2)
    expect(await reopened.get('big:1')).toEqual({ body, i: 19 })
    await reopened.dispose()
  })

  it('should write a batch again when another process rewrote the journal between its look and its write', async () => {
    const dir = freshDir()
    const service = openFileJournal({ dir, compactMinBytes: 1 })
    service.load()
    // The job's first write finds the journal replaced just before it: the service compacted between the job's look
    // at the file (in the same turn of the event loop) and its write.
    const racing = journalRacedOnce(dir, () => {
      service.append([['s', 'service:key', '1', 0]])
      service.compact(() => [['s', 'service:key', '1', 0]])
    })
    const job = createLocalStore({ name: 'fs', location: dir, journal: racing.journal })
    await job.set('job:one', 1)
    await job.set('job:two', 2)
    expect(racing.raced()).toBe(true)
    await job.dispose()
    service.close()
    const reopened = openStore(dir)
    expect(await reopened.get('job:one')).toBe(1)
    expect(await reopened.get('job:two')).toBe(2)
    expect(await reopened.get('service:key')).toBe(1)
    await reopened.dispose()
  })

  it('should write a batch again when the journal was replaced and the moved line is not written yet', async () => {
    const dir = freshDir()
    const path = join(dir, JOURNAL_FILE)
    // Another process's compaction halfway: its new file renamed over the journal, the old one not told yet.
    const racing = journalRacedOnce(dir, () => {
      copyFileSync(path, `${path}.tmp`)
      renameSync(`${path}.tmp`, path)
    })
    const job = createLocalStore({ name: 'fs', location: dir, journal: racing.journal })
    await job.set('job:one', 1)
    expect(racing.raced()).toBe(true)
    await job.dispose()
    const reopened = openStore(dir)
    expect(await reopened.get('job:one')).toBe(1)
    await reopened.dispose()
  })

  it('should copy what another process appended during a rewrite, and have a batch written into a replaced file written again', () => {
    const dir = freshDir()
    const service = openFileJournal({ dir, compactMinBytes: 1 })
    const job = openFileJournal({ dir })
    service.load()
    job.load()
    job.append([['s', 'x', '1', 0]])
    expect(service.poll()).toEqual({ reset: false, records: [['s', 'x', '1', 0]] })
    // Appended after the service's last poll: not in its snapshot, copied over behind it.
    job.append([['s', 'w', '4', 0]])
    service.compact(() => [['s', 'x', '1', 0]])
    expect(service.poll()).toEqual({ reset: false, records: [['s', 'w', '4', 0]] })
    // The job's batch lands in the unlinked file: it is told to poll and write it again.
    expect(job.append([['s', 'z', '3', 0]])).toBe(false)
    expect(job.poll()).toEqual({
      reset: true,
      records: [
        ['s', 'x', '1', 0],
        ['s', 'w', '4', 0],
      ],
    })
    expect(job.append([['s', 'z', '3', 0]])).toBe(true)
    expect(service.poll()).toEqual({ reset: false, records: [['s', 'z', '3', 0]] })
    service.close()
    job.close()
    const reader = openFileJournal({ dir })
    expect([...reader.load()]).toEqual([
      ['s', 'x', '1', 0],
      ['s', 'w', '4', 0],
      ['s', 'z', '3', 0],
    ])
    reader.close()
  })

  it('should import the files an earlier version wrote, once, and keep them aside', async () => {
    const dir = freshDir()
    const legacy = createStore({ driver: fsLite({ base: dir }), name: 'fs', location: dir })
    await legacy.set('outbox:item:7', { text: 'ancien' })
    await legacy.set('ttl:expired', 1, { ttlSeconds: 1 })
    await legacy.sortedAdd('outbox:due', '7', 70)
    await legacy.sortedAdd('outbox:due', '8', 80)
    expect(await legacy.increment('webhook:rate', 60)).toBe(1)
    await new Promise((r) => setTimeout(r, 1100))
    await legacy.dispose()

    const notices: Array<Record<string, unknown>> = []
    const onNotice = (_: string, fields: Record<string, unknown>) => notices.push(fields)
    const store = createNodeStore(loadConfig({ DATA_DIR: dir }), { onNotice })
    expect(await store.get('outbox:item:7')).toEqual({ text: 'ancien' })
    expect(await store.get('ttl:expired')).toBeNull()
    // The index was one `{ member: score }` entry: it reads as an index and takes new members.
    expect(await store.sortedRange('outbox:due')).toEqual([
      { member: '7', score: 70 },
      { member: '8', score: 80 },
    ])
    expect(await store.sortedAdd('outbox:due', '8', 1, { onlyIfAbsent: true })).toBe(false)
    expect(await store.sortedScore('outbox:due', '8')).toBe(80)
    expect(await store.sortedAdd('outbox:due', '9', 90)).toBe(true)
    expect(await store.increment('webhook:rate', 60)).toBe(2)
    expect(notices[0]).toMatchObject({ keys: 3, skipped: 0 })
    await store.dispose()
    expect(readdirSync(dir).sort()).toEqual([IMPORTED_FILES_DIR, JOURNAL_FILE])
    expect(readdirSync(join(dir, IMPORTED_FILES_DIR)).sort()).toEqual(['outbox', 'ttl', 'webhook'])

    const again = createNodeStore(loadConfig({ DATA_DIR: dir }), { onNotice })
    expect(await again.sortedSize('outbox:due')).toBe(3)
    expect(notices).toHaveLength(1)
    await again.dispose()
  })

  it('should close its journal once, and refuse a write once closed', async () => {
    // A store disposed twice (SIGTERM then SIGINT, a test's world) closed its file's number twice: by then it was
    // the next store's journal, whose writes failed (EBADF). The invariants hunt on this store found it.
    const first = openStore(freshDir())
    await first.set('before', 1)
    await first.dispose()
    // The lowest free descriptor is the one just closed: the next journal opens under the same number.
    const dir = freshDir()
    const second = openStore(dir)
    await first.dispose()
    await second.set('kept', 'oui')
    await second.dispose()
    const again = openStore(dir)
    expect(await again.get('kept')).toBe('oui')
    await again.dispose()
    // Kept in memory only, a write after the close would be lost without a word.
    await expect(first.set('late', 1)).rejects.toThrow(
      /DATA_DIR: .*closed, this process is stopping: the write was refused, not kept/
    )
  })

  it('should refuse an index operation on a key that holds another value', async () => {
    const store = openStore(freshDir())
    await store.set('plain', 'texte')
    await expect(store.sortedAdd('plain', 'm', 1)).rejects.toThrow(/holds a value, not an index/)
    await store.dispose()
  })
})
