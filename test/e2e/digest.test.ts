import { afterEach, describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { runJobCommand } from '../../runtime/node-cli.ts'
import { cronMatches, parseCron } from '../../shared/core/cron.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { BOT_TOKEN, CHAT_ID, startE2E } from '../../sim/e2e/harness.ts'
import { makeServices, type TestServices } from '../../sim/e2e/services.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

async function start(env: Record<string, string> = {}): Promise<E2E> {
  e2e = await startE2E({ env })
  return e2e
}

/** `npm run job -- digest`, as the CLI runs it (flushes the outbox before returning). */
async function runDigestCommand(services: TestServices, extra: string[] = []) {
  const out: string[] = []
  const err: string[] = []
  const code = await runJobCommand({
    args: ['digest', ...extra],
    functions,
    root: services.root,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  })
  return { code, out, err }
}

const digests = (t: E2E) =>
  t.telegram.callsOf('sendMessage').filter((c) => c.status === 200 && c.params.chat_id === CHAT_ID)

describe('daily digest (end to end)', () => {
  it('should send one digest with `npm run job -- digest`, and none on a second run the same day', async () => {
    const t = await start()
    const blocked = t.plane.seed.label(t.project.id, { name: 'Bloqué' })
    t.plane.seed.workItem(t.project.id, {
      name: 'Configurer <Redis> & co',
      state: t.state('Done').id,
      assignees: [t.users.imhotep.id],
      completed_at: new Date(Date.now() - 60 * 60 * 1000).toISOString(),
    })
    t.plane.seed.workItem(t.project.id, {
      name: 'Écrire la doc 📚',
      state: t.state('In Progress').id,
      assignees: [t.users.thot.id],
      labels: [blocked.id],
    })

    // Issue 45: a preview prints it, sends nothing and marks nothing: the day's digest is still to be sent.
    const preview = await runDigestCommand(t.services, ['--preview'])
    expect(preview.code).toBe(0)
    expect(preview.out.at(-1)).toMatch(
      /^job digest: ok in \d+ ms — preview of the digest for \d{4}-\d\d-\d\d: nothing sent, nothing marked$/
    )
    expect(preview.out.join('\n')).toContain('✅ <b>Terminées depuis le dernier résumé</b> (1)')
    expect(digests(t)).toHaveLength(0)
    expect(await t.services.store.keys()).not.toContainEqual(expect.stringMatching(/^digest:/))

    const first = await runDigestCommand(t.services)
    expect(first.code).toBe(0)
    expect(first.out[0]).toMatch(
      /^job digest: ok in \d+ ms — digest for \d{4}-\d\d-\d\d: 1 message.* — sent now, it counts as today's digest: the scheduled one will not be sent again today/
    )
    expect(digests(t)).toHaveLength(1)
    const text = String(digests(t)[0]?.params.text)
    expect(text).toMatch(/^☀️ <b>Résumé du \d\d\/\d\d\/\d{4}<\/b>/)
    expect(text).toContain('✅ <b>Terminées depuis le dernier résumé</b> (1)')
    expect(text).toContain('« Configurer &lt;Redis&gt; &amp; co » — Imhotep')
    expect(text).toContain('⛔ <b>Blocages actifs</b> (1)')
    expect(text).toContain('• <b>Thot</b> : 0 en cours, 0 à faire, 1 bloquée')

    const second = await runDigestCommand(t.services)
    expect(second.code).toBe(0)
    expect(second.out[0]).toContain('already sent for')
    expect(second.out[0]).toContain('--preview shows it again without sending')
    expect(digests(t)).toHaveLength(1)
    // Once sent, a preview still shows the day's digest, and sends nothing more.
    const after = await runDigestCommand(t.services, ['--preview'])
    expect(after.out.join('\n')).toMatch(/Résumé du \d\d\/\d\d\/\d{4}/)
    expect(after.out.at(-1)).toContain(
      "today's was sent already: this is what the next one holds so far"
    )
    expect(digests(t)).toHaveLength(1)
  })

  it('should give one short line on a quiet day, in English with LOCALE=en', async () => {
    const t = await start({ LOCALE: 'en' })
    expect((await runDigestCommand(t.services)).code).toBe(0)
    const sent = digests(t)
    expect(sent).toHaveLength(1)
    expect(String(sent[0]?.params.text)).toMatch(
      /^☀️ Digest for \d{4}-\d\d-\d\d: a quiet day, nothing to report\.$/
    )
  })

  it('should send once when two replicas run it at the same time on one store', async () => {
    const t = await start()
    const { config } = t.services
    const replica = makeServices({
      functions,
      agents: t.services.agents,
      store: t.services.store,
      env: {
        PLANE_BASE_URL: config.PLANE_BASE_URL,
        PLANE_API_KEY: config.PLANE_API_KEY,
        PLANE_WORKSPACE_SLUG: config.PLANE_WORKSPACE_SLUG,
        TELEGRAM_BOT_TOKEN: BOT_TOKEN,
        TELEGRAM_CHAT_ID: CHAT_ID,
        TELEGRAM_API_BASE: config.TELEGRAM_API_BASE,
      },
    })
    const digest = functions.find((f) => f.name === 'digest')
    if (!digest || digest.kind === 'http') throw new Error('digest is not registered')
    // At the same time: the store's running lock lets one through.
    const together = await Promise.all([
      executeJob(digest, t.services.root, { trigger: 'cli' }),
      executeJob(digest, replica.root, { trigger: 'cli' }),
    ])
    expect(together.map((r) => r.outcome).sort()).toEqual(['ok', 'overlap'])
    // Later, after a restart (no shared schedule slot): the day's claim keeps it quiet.
    const later = await executeJob(digest, replica.root, {
      trigger: 'cron',
      slot: '2026-11-21T08:00:00Z',
    })
    expect(later).toMatchObject({ outcome: 'ok', summary: expect.stringContaining('already sent') })
    await t.settle()
    expect(digests(t)).toHaveLength(1)
    replica.background.stop()
    await replica.background.idle(2000)
  })

  it('should run at 08:00 in TIMEZONE and each quarter hour until noon, sending once when 08:00 failed', async () => {
    const digest = functions.find((f) => f.name === 'digest')
    if (digest?.kind !== 'cron') throw new Error('digest is not a cron function')
    expect(digest.timezone).toBe('config')
    const schedule = parseCron(digest.schedule)
    const at = (hhmm: string) => cronMatches(schedule, new Date(`2026-11-23T${hhmm}:00Z`), 'UTC')
    expect(['08:00', '08:15', '10:30', '11:45'].map(at)).toEqual([true, true, true, true])
    expect(['07:45', '08:05', '12:00', '20:00'].map(at)).toEqual([false, false, false, false])

    const t = await start()
    // Plane down at 08:00: the run fails and leaves the day open.
    t.plane.faults.failNext(10_000, 500)
    const slot = (hhmm: string) => ({ trigger: 'cron' as const, slot: `2026-11-23T${hhmm}:00Z` })
    expect((await executeJob(digest, t.services.root, slot('08:00'))).outcome).toBe('error')
    t.plane.faults.clear()
    expect(await executeJob(digest, t.services.root, slot('08:15'))).toMatchObject({
      outcome: 'ok',
      summary: expect.stringMatching(/^digest for /),
    })
    // Sent: the later ticks cost one store read and log nothing at info.
    expect(await executeJob(digest, t.services.root, slot('08:30'))).toMatchObject({
      outcome: 'ok',
      summary: expect.stringContaining('already sent'),
      idle: true,
    })
    await t.settle()
    expect(digests(t)).toHaveLength(1)
  })
})
