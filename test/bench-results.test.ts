/** The benches' JSON results: the latest run under its bench's name, and every run kept in history/ (issue 64). */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { historyStamp, writeJsonResult } from '../bench/report.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('bench results', () => {
  it('should keep the latest run under its name and each run in history, none overwritten', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-bench-results-'))
    dirs.push(dir)
    const first = new Date('2026-11-28T19:17:00.250Z')
    const second = new Date('2026-11-28T19:23:59.900Z')
    const path = await writeJsonResult('ingest', { run: 1 }, dir, first)
    await writeJsonResult('ingest', { run: 2 }, dir, second)
    await writeJsonResult('poll', { run: 1 }, dir, second)

    expect(path).toBe(join(dir, 'ingest.json'))
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ run: 2 })
    expect(readdirSync(join(dir, 'history')).sort()).toEqual([
      'ingest-2026-11-28T19-17-00Z.json',
      'ingest-2026-11-28T19-23-59Z.json',
      'poll-2026-11-28T19-23-59Z.json',
    ])
    const kept = (file: string) => JSON.parse(readFileSync(join(dir, 'history', file), 'utf8'))
    expect(kept('ingest-2026-11-28T19-17-00Z.json')).toEqual({ run: 1 })
    expect(kept('ingest-2026-11-28T19-23-59Z.json')).toEqual({ run: 2 })
  })

  it('should stamp a run with a name every file system accepts, in time order', () => {
    const stamps = ['2026-01-02T03:04:05.678Z', '2026-11-28T19:17:00.000Z'].map((iso) =>
      historyStamp(new Date(iso))
    )
    expect(stamps).toEqual(['2026-01-02T03-04-05Z', '2026-11-28T19-17-00Z'])
    expect([...stamps].sort()).toEqual(stamps)
    for (const stamp of stamps) expect(stamp).toMatch(/^[0-9TZ-]+$/)
  })
})
