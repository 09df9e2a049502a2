import { afterEach, describe, expect, it } from 'vitest'
import { pollFunction } from '../../functions/poll/poll.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { CYCLE_LIST_REFRESH_MS } from '../../shared/poll/cycle-announcements.ts'
import { createMemoryStore, type Store } from '../../shared/store/store.ts'
import { startE2E } from '../../sim/e2e/harness.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

/** The bridge and Plane share one clock that the test moves: real time shifted to a chosen instant. */
function clockAt(iso: string) {
  let offset = Date.parse(iso) - Date.now()
  return {
    now: () => Date.now() + offset,
    /** Move to an instant (never back). */
    to: (next: string) => {
      offset = Date.parse(next) - Date.now()
    },
  }
}

async function start(
  clock: ReturnType<typeof clockAt>,
  env: Record<string, string>,
  store?: Store
) {
  e2e = await startE2E({
    now: clock.now,
    plane: { now: clock.now },
    env: { TIMEZONE: 'Europe/Paris', ...env },
    ...(store ? { store } : {}),
  })
  return e2e
}

/** Plane v1.2 stores a cycle's days as the project's day boundaries in UTC (Paris: 23:00Z, 22:59Z). */
function seedSprints(t: E2E) {
  const done = t.state('Done').id
  const todo = t.state('Todo').id
  const item = (name: string, state: string) =>
    t.plane.seed.workItem(t.project.id, { name, state }).id
  // Ends at the first minute of the test's Paris night: a running cycle that is about to end.
  const ending = t.plane.seed.cycle(t.project.id, {
    name: 'Sprint 2',
    start_date: '2026-11-08T23:00:00Z',
    end_date: '2026-11-22T22:59:00Z',
  })
  t.plane.seed.cycleItems(ending.id, [item('Logo', done), item('Charte', done), item('FAQ', todo)])
  // Starts at Paris midnight.
  const next = t.plane.seed.cycle(t.project.id, {
    name: 'Sprint 3',
    start_date: '2026-11-22T23:00:00Z',
    end_date: '2026-12-06T22:59:00Z',
  })
  t.plane.seed.cycleItems(next.id, [item('Accueil', todo), item('Contact', todo)])
  // Old news: started five days ago (still running), and one that ended a month ago.
  t.plane.seed.cycle(t.project.id, {
    name: 'Long',
    start_date: '2026-11-17T23:00:00Z',
    end_date: '2026-12-31T22:59:00Z',
  })
  t.plane.seed.cycle(t.project.id, {
    name: 'Sprint 0',
    start_date: '2026-10-11T22:00:00Z',
    end_date: '2026-10-24T21:59:00Z',
  })
  t.plane.seed.cycle(t.project.id, { name: 'Brouillon' })
}

async function poll(t: E2E) {
  const run = await executeJob(pollFunction, t.services.root, { trigger: 'cli' })
  expect(run.outcome).toBe('ok')
  await t.settle()
  return run
}

const cycleMessages = (t: E2E) =>
  t.telegram
    .callsOf('sendMessage')
    .filter((c) => c.status === 200)
    .map((c) => String(c.params.text))
    .filter((text) => text.includes('Cycle'))

/** The text without its links to Plane. */
const _unlinked = (html: string) => html.replace(/<a href="[^"]*">|<\/a>/g, '')

const cycleReads = (t: E2E) => {
  const requests = t.plane.requests.filter((r) => r.method === 'GET' && r.path.includes('/cycles/'))
  return {
    lists: requests.filter((r) => r.path.endsWith('/cycles/')).length,
    one: requests.filter((r) => !r.path.endsWith('/cycles/')).length,
  }
}

describe('cycle announcements by the poll (end to end)', () => {
  it('should announce each start and end once across polls, and nothing for old cycles', async () => {
    const clock = clockAt('2026-11-22T22:00:00Z') // 23:00 in Paris
    const t = await start(clock, {})
    seedSprints(t)

    await poll(t)
    expect(cycleMessages(t)).toEqual([])
    expect(cycleReads(t)).toEqual({ lists: 1, one: 0 })

    // 00:10 in Paris: Sprint 2 has ended and Sprint 3 has begun. The list is an hour old and read
    // again; Sprint 2, no longer "incomplete", is kept until its end is told.
    clock.to('2026-11-22T23:10:00Z')
    await poll(t)
    expect(cycleMessages(t).map(_unlinked)).toEqual([
      '🏁 <b>[Onboarding]</b> Cycle « Sprint 2 » est terminé : 2/3 terminées, 1 reportée',
      '🚀 <b>[Onboarding]</b> Cycle « Sprint 3 » commence aujourd’hui : 2 tâches (jusqu’au 06/12/2026)',
    ])
    expect(cycleMessages(t)[1]).toMatch(
      new RegExp(`<a href="[^"]+/projects/${t.project.id}/cycles/[0-9a-f-]{36}">« Sprint 3 »</a>`)
    )
    expect(cycleReads(t)).toEqual({ lists: 2, one: 2 })

    // Every 5 minutes for the rest of the hour, then the next day: nothing more, and one list an hour.
    for (let minutes = 15; minutes <= 65; minutes += 5) {
      clock.to(new Date(Date.parse('2026-11-22T23:00:00Z') + minutes * MINUTE).toISOString())
      await poll(t)
    }
    expect(cycleMessages(t)).toHaveLength(2)
    expect(cycleReads(t)).toEqual({ lists: 2, one: 2 })
    clock.to(new Date(Date.parse('2026-11-22T23:11:00Z') + CYCLE_LIST_REFRESH_MS).toISOString())
    await poll(t)
    expect(cycleReads(t)).toEqual({ lists: 3, one: 2 })
    clock.to(new Date(Date.parse('2026-11-22T23:10:00Z') + DAY + 30 * MINUTE).toISOString())
    await poll(t)
    expect(cycleMessages(t)).toHaveLength(2)
  })

  it('should not announce transitions older than a day when it first sees a cycle', async () => {
    const clock = clockAt('2026-11-24T09:00:00Z')
    const t = await start(clock, {})
    seedSprints(t)
    await poll(t)
    clock.to('2026-11-24T09:05:00Z')
    await poll(t)
    expect(cycleMessages(t)).toEqual([])
  })

  it('should speak English with LOCALE=en', async () => {
    const clock = clockAt('2026-11-22T23:05:00Z')
    const t = await start(clock, { LOCALE: 'en' })
    seedSprints(t)
    await poll(t)
    await poll(t)
    // First sight at 00:05 in Paris: Sprint 3 began 5 minutes ago (Sprint 2, already over, is not listed).
    expect(cycleMessages(t).map(_unlinked)).toEqual([
      '🚀 <b>[Onboarding]</b> Cycle “Sprint 3” starts today: 2 tasks (until 2026-12-06)',
    ])
  })

  it('should neither lose nor repeat an announcement when a write fails half-way', async () => {
    const clock = clockAt('2026-11-22T22:00:00Z')
    const memory = createMemoryStore({ now: clock.now })
    // Sprint 2's message fails to reach the outbox (a claim taken first would lose it for good);
    // Sprint 3's is queued, but the record of it fails (queueing it again must not send it twice).
    const failures = new Set(['outbox:Sprint 2', 'record:Sprint 3'])
    const names = new Map<string, string>()
    const failOnce = (what: string) => {
      if (!failures.delete(what)) return
      throw new Error('store went away')
    }
    const store: Store = new Proxy(memory, {
      get(target, key, receiver) {
        if (key !== 'set') return Reflect.get(target, key, receiver)
        return async (...args: Parameters<Store['set']>) => {
          const [storeKey, value] = args
          const text = String((value as { payload?: { text?: unknown } })?.payload?.text ?? '')
          const sprint = /Sprint \d/.exec(text)?.[0]
          if (storeKey.startsWith('outbox:item:') && sprint) failOnce(`outbox:${sprint}`)
          if (storeKey.startsWith('poll:cycle-announced:'))
            failOnce(`record:${names.get(storeKey.split(':')[2] ?? '')}`)
          return target.set(...args)
        }
      },
    })
    const t = await start(clock, {}, store)
    seedSprints(t)
    for (const cycle of t.plane.state.cycles.values()) names.set(cycle.id, cycle.name)
    await poll(t)
    for (const at of ['23:10', '23:15', '23:20']) {
      clock.to(`2026-11-22T${at}:00Z`)
      await poll(t)
    }
    expect(failures.size).toBe(0)
    expect(t.services.logs.filter((l) => l.msg === 'cycle announcements failed')).toHaveLength(2)
    expect(cycleMessages(t).map((m) => /Sprint \d/.exec(m)?.[0])).toEqual(['Sprint 2', 'Sprint 3'])
  })
})
