/**
 * The team's budget end to end (issue 47, OPENCLAW-11; Plane, Telegram and OpenClaw simulators): the Concierge's tasks
 * and the agents' reported costs fill the month; the human hears at 80 % and at 100 % once each, on cards with +20 %
 * and hold; past the budget a new task waits for approval ("budget dépassé"), tasks under way go on; /plane budget, the
 * status line and the digest show it in French and in English within Telegram's limits; the ledger comes back from
 * Plane's run cards after the store is lost; and with no budget set, nothing of it happens.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { takeInventory } from '../../shared/core/function-registry.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { createMemoryStore } from '../../shared/store/store.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { CHAT_ID, restartE2E, startE2E } from '../../sim/e2e/harness.ts'
import { chatCards, pressUpdate } from '../../sim/e2e/telegram-cards.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

const GROUP = Number(CHAT_ID)

/** The bridge waits on a clock of its own (a chat's one message a second moves it, never sleeps). */
function virtualClock() {
  let offset = 0
  return {
    now: () => Date.now() + offset,
    sleep: async (ms: number) => {
      offset += Math.max(0, ms)
    },
  }
}

/** Run deadlines (re-wakes, stale runs) far beyond the minutes the virtual clock moves on. */
const QUIET_RUNS = { WAKE_CHECKIN_SECONDS: '86400', RUN_STALE_MINUTES: '10080' }

async function start(env: Record<string, string> = { BUDGET_MONTHLY_USD: '100' }) {
  e2e = await startE2E({
    concierge: true,
    env: { ...QUIET_RUNS, ...env },
    ...virtualClock(),
    // Plane's sim counts its rate limit in real time, the bridge's key window on the virtual clock.
    plane: { rateLimitPerMinute: 1_000_000 },
  })
  return world(e2e)
}

function world(t: E2E) {
  const call =
    (agent: 'imhotep' | 'thot' | 'ra') =>
    async (tool: string, input: unknown): Promise<Record<string, unknown> & { id: string }> => {
      const result = await callHttp(t.app, tool, t.bridgeTokens[agent] as string, input)
      if (result.status !== 200) throw new Error(`${tool}: ${JSON.stringify(result.body)}`)
      return result.body as Record<string, unknown> & { id: string }
    }
  const cards = () => chatCards(t.telegram, GROUP)
  const budgetCards = () =>
    cards().filter((c) => /Budget (à 80|atteint|at 80|reached)/.test(c.text))
  /** What the human asks, and the reply as Telegram accepted it (the sim refuses what breaks its limits). */
  const ask = async (text: string) => {
    const before = t.telegram.callsOf('sendMessage').length
    expect(await t.postTelegram(t.telegram.makeMessageUpdate({ text, chatId: GROUP }))).toBe(200)
    await t.settle()
    const calls = t.telegram.callsOf('sendMessage').slice(before)
    for (const c of calls) expect(c.status, String(c.params.text).slice(0, 200)).toBe(200)
    return calls.map((c) => ({
      html: String(c.params.text),
      buttons: (
        (c.params.reply_markup as { inline_keyboard?: unknown[][] } | undefined)?.inline_keyboard ??
        []
      ).flat().length,
    }))
  }
  const press = async (messageId: number, label: string) => {
    expect(await t.postTelegram(pressUpdate(t.telegram, GROUP, messageId, label))).toBe(200)
    await t.settle()
  }
  const labelsOf = (taskId: string) => {
    const item = t.plane.state.issues.get(taskId)
    return [...t.plane.state.labels.values()]
      .filter((l) => (item?.labels ?? []).includes(l.id))
      .map((l) => l.name)
  }
  return { t, ra: call('ra'), imhotep: call('imhotep'), cards, budgetCards, ask, press, labelsOf }
}

describe('the budget told before it runs out (BUDGET_MONTHLY_USD=100)', () => {
  it('should tell 80 % and 100 % once each, hold a new task past it, and take +20 % for the month', async () => {
    const { t, ra, imhotep, cards, budgetCards, press, labelsOf } = await start()
    const first = await ra('create_task', {
      project: 'ONB',
      title: 'Rédiger la FAQ',
      assignee: 'imhotep',
      cost_estimate: 50,
    })
    await t.settle()
    expect(budgetCards()).toHaveLength(0)
    // 50 + 35 committed: 85 % of the month.
    await ra('create_task', {
      project: 'ONB',
      title: 'Traduire la FAQ',
      assignee: 'thot',
      cost_estimate: 35,
    })
    await t.settle()
    expect(budgetCards().map((c) => c.text)).toEqual([
      expect.stringContaining('Budget à 80 % — l’équipe'),
    ])
    expect(budgetCards()[0]?.text).toContain('0 $ dépensés + 85 $ engagés sur 100 $ (reste 15 $)')
    expect(budgetCards()[0]?.buttons.map((b) => b.text)).toEqual([
      '➕ +20 % ce mois-ci',
      '⏸ Retenir les nouvelles tâches',
    ])

    // The agent reports more than its estimate: 70 spent + 35 committed is past the budget. Told twice, counted once.
    await imhotep('update_task_status', { task: first.ref, status: 'in_progress' })
    const done = {
      task: first.ref,
      status: 'done',
      summary: 'FAQ rédigée',
      confidence: 0.9,
      cost: 70,
    }
    await imhotep('update_task_status', done)
    await imhotep('update_task_status', done)
    await t.settle()
    expect(budgetCards().map((c) => c.text)).toEqual([
      expect.stringContaining('Budget à 80 %'),
      expect.stringContaining('Budget atteint — l’équipe'),
    ])
    expect(budgetCards()[1]?.text).toContain('70 $ dépensés + 35 $ engagés sur 100 $ (reste −5 $)')
    const view = await t.bridge.budget?.view()
    expect(view?.team).toMatchObject({ spentUsd: 70, committedUsd: 35, leftUsd: -5 })

    // Past the budget: the Concierge's next task waits for the human, and says why.
    const held = await ra('create_task', {
      project: 'ONB',
      title: 'Relire la FAQ',
      assignee: 'imhotep',
      cost_estimate: 10,
    })
    expect(held).toMatchObject({ approval_pending: true, approval_reason: 'budget' })
    expect(held.budget_note).toMatch(/the team's budget for the month cannot cover it/)
    await t.settle()
    expect(labelsOf(held.id)).toContain('needs-approval')
    const approval = cards().find((c) => c.text.includes('Approbation demandée'))
    expect(approval?.text).toContain(
      'Approbation demandée (budget dépassé) : [Onboarding] ONB-3 « Relire la FAQ » — pour Imhotep.'
    )
    // Held, not committed: still 35 committed, the 10 waiting apart.
    expect((await t.bridge.budget?.view())?.team).toMatchObject({
      committedUsd: 35,
      waitingUsd: 10,
    })

    // +20 % for the month: 105 of 120 is 87 %, which the raise already covers: no new 80 % message.
    const reached = budgetCards()[1]
    await press(reached?.id as number, '➕ +20 % ce mois-ci')
    const edited = cards().find((c) => c.id === reached?.id)
    expect(edited?.text).toMatch(/➕ Budget porté à 120 \$ par .+ à \d\d:\d\d$/)
    expect(edited?.buttons).toEqual([])
    const after = await ra('create_task', {
      project: 'ONB',
      title: 'Publier la FAQ',
      assignee: 'thot',
      cost_estimate: 5,
    })
    expect(after).toMatchObject({ approval_pending: false, approval_reason: null })
    await t.settle()
    expect(budgetCards()).toHaveLength(2)

    // Hold on the 80 % card: the next task waits, whatever is left.
    await press(budgetCards()[0]?.id as number, '⏸ Retenir les nouvelles tâches')
    const small = await ra('create_task', {
      project: 'ONB',
      title: 'Annoncer la FAQ',
      assignee: 'thot',
      cost_estimate: 1,
    })
    expect(small).toMatchObject({ approval_pending: true, approval_reason: 'budget' })
    expect(small.budget_note).toMatch(/holds new work/)
  })

  it('should show /plane budget, the status line and the digest line in French and in English, within Telegram’s limits', async () => {
    for (const locale of ['fr', 'en'] as const) {
      const { t, ra, imhotep, ask } = await start({ BUDGET_MONTHLY_USD: '100', LOCALE: locale })
      // More open tasks than the list of the most expensive shows, with titles that need escaping and cutting.
      for (let i = 1; i <= 12; i++)
        await ra('create_task', {
          project: 'ONB',
          title: `Tâche ${i} <${'x'.repeat(200)}> & co`,
          assignee: i % 2 ? 'imhotep' : 'thot',
          cost_estimate: i,
        })
      for (const ref of ['ONB-1', 'ONB-3']) {
        await imhotep('update_task_status', { task: ref, status: 'in_progress' })
        await imhotep('update_task_status', {
          task: ref,
          status: 'done',
          summary: 'fait',
          confidence: 0.9,
          ...(ref === 'ONB-1' ? { cost: 40 } : {}),
        })
      }
      await t.settle()
      const budget = await ask('/plane budget')
      const html = budget.map((m) => m.html).join('\n')
      if (locale === 'fr') {
        // One header: the budget line opens the reply.
        expect(html.split('\n')[0]).toMatch(/^💰 <b>Budget \S+ \d{4}<\/b> : /)
        expect(html.match(/💰/g)).toHaveLength(1)
        expect(html).toContain('43 $ dépensés + 74 $ engagés sur 100 $ — reste −17 $ (117 %) ⚠️')
        expect(html).toContain('dont 3 $ estimés (tâches finies sans coût déclaré)')
        expect(html).toContain('🤖 <b>Par agent</b> (2)')
        expect(html).toContain('📁 <b>Par projet</b> (1)')
        expect(html).toContain('💸 <b>Tâches ouvertes les plus chères</b> (10)')
      } else {
        expect(html).toContain('$43 spent + $74 committed of $100 — -$17 left (117%) ⚠️')
        expect(html).toContain('🤖 <b>By agent</b> (2)')
        expect(html).toContain('💸 <b>Most expensive open tasks</b> (10)')
      }
      // The most expensive first, ten of them: ONB-12 at 12 $, then ONB-11; ONB-2 is not among them.
      expect(html.indexOf('ONB-12')).toBeLessThan(html.indexOf('ONB-11'))
      expect(html).not.toContain('ONB-2 ')
      for (const m of budget) expect(m.buttons).toBeLessThanOrEqual(100)

      const status = await ask('/plane status')
      const line = status[0]?.html.split('\n')[1] ?? ''
      expect(line).toMatch(
        locale === 'fr' ? /^💰 <b>Budget \S+ \d{4}<\/b> : / : /^💰 <b>Budget \S+ \d{4}<\/b>: /
      )
      for (const m of status) expect(m.buttons).toBeLessThanOrEqual(100)

      const digest = functions.find((f) => f.name === 'digest')
      if (!digest || digest.kind === 'http') throw new Error('digest is not registered')
      expect((await executeJob(digest, t.services.root, { trigger: 'cli' })).outcome).toBe('ok')
      await t.settle()
      const sent = t.telegram
        .callsOf('sendMessage')
        .filter((c) => String(c.params.text).includes(locale === 'fr' ? 'Résumé' : 'Digest'))
      expect(sent.length).toBeGreaterThan(0)
      for (const c of sent) expect(c.status).toBe(200)
      const text = sent.map((c) => String(c.params.text)).join('\n')
      expect(text).toContain('💰 <b>Budget')
      expect(text).toMatch(
        locale === 'fr'
          ? /📈 Au rythme actuel : ~.+ dépensés fin /
          : /📈 At the current pace: ~.+ spent by the end of /
      )
      await t.stop()
      e2e = null
    }
  }, 90_000)
})

describe('the ledger after the store is lost', () => {
  it('should be rebuilt from the run cards in Plane by the budget job', async () => {
    const { t, ra, imhotep } = await start()
    const a = await ra('create_task', {
      project: 'ONB',
      title: 'A',
      assignee: 'imhotep',
      cost_estimate: 20,
    })
    await ra('create_task', { project: 'ONB', title: 'B', assignee: 'thot', cost_estimate: 15 })
    await ra('create_task', { project: 'ONB', title: 'C', assignee: 'thot' })
    await imhotep('update_task_status', { task: a.ref, status: 'in_progress' })
    await imhotep('update_task_status', {
      task: a.ref,
      status: 'done',
      summary: 'ok',
      confidence: 0.9,
      cost: 12.5,
    })
    await t.settle()
    await t.bridge.runs?.flushCards({ all: true })
    const before = await t.bridge.budget?.view()
    expect(before?.team).toMatchObject({ spentUsd: 12.5, committedUsd: 15 })

    // A new store: nothing of the ledger, the run records or the claims is left.
    await t.halt()
    const next = await restartE2E(t, {
      store: createMemoryStore(),
      env: { BUDGET_MONTHLY_USD: '100' },
    })
    e2e = next
    expect((await next.bridge.budget?.view())?.rebuilding).toBe(true)
    const job = functions.find((f) => f.name === 'budget')
    if (!job || job.kind === 'http') throw new Error('budget is not registered')
    const run = await executeJob(job, next.services.root, { trigger: 'cli' })
    expect(run).toMatchObject({
      outcome: 'ok',
      summary: expect.stringContaining('3 tasks rebuilt'),
    })
    const after = await next.bridge.budget?.view()
    expect(after).toMatchObject({
      rebuilding: false,
      team: before?.team,
      agents: before?.agents,
      projects: before?.projects,
    })
    // The next run has nothing to rebuild.
    expect(await executeJob(job, next.services.root, { trigger: 'cli' })).toMatchObject({
      summary: expect.stringMatching(/^0 settled, 0 threshold/),
    })
  })
})

describe('no budget set', () => {
  it('should show no line, tell nothing, hold nothing and keep the budget job off', async () => {
    const { t, ra, imhotep, ask, cards } = await start({})
    expect(t.bridge.budget).toBeNull()
    const task = await ra('create_task', {
      project: 'ONB',
      title: 'A',
      assignee: 'imhotep',
      cost_estimate: 5_000,
    })
    expect(task).toMatchObject({
      approval_pending: false,
      approval_reason: null,
      budget_note: null,
    })
    await imhotep('update_task_status', { task: task.ref, status: 'in_progress' })
    await imhotep('update_task_status', {
      task: task.ref,
      status: 'done',
      summary: 'ok',
      confidence: 0.9,
      cost: 9_999,
    })
    await t.settle()
    expect(cards().filter((c) => c.text.includes('Budget'))).toEqual([])
    const status = await ask('/plane status')
    expect(status.map((m) => m.html).join('\n')).not.toContain('💰')
    expect((await ask('/plane budget'))[0]?.html).toContain('Aucun budget n’est défini')
    expect(await t.services.store.keys('budget:')).toEqual([])
    expect(takeInventory(functions, t.services.config).disabled.budget).toEqual([
      'BUDGET_MONTHLY_USD',
    ])
  })
})
