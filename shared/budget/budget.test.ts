import { describe, expect, it } from 'vitest'
import { createCardStore, decodeCardAction } from '../actions/cards.ts'
import { createOutbox } from '../notify/outbox.ts'
import { emptyRunRecord } from '../runs/records.ts'
import type { RunRecord } from '../runs/types.ts'
import { createMemoryStore } from '../store/store.ts'
import { createBudgetTeller } from './alerts.ts'
import { type BudgetAlert, createBudget } from './budget.ts'
import { budgetPhrasesFor } from './phrases.ts'

const NOW = Date.parse('2026-07-10T09:00:00Z')
let n = 0
const task = (overrides: Partial<RunRecord>): RunRecord => ({
  ...emptyRunRecord({ id: `task-${++n}`, projectId: 'onb', ref: `ONB-${n}` }),
  ...overrides,
})

function setup() {
  const store = createMemoryStore({ now: () => NOW })
  const outbox = createOutbox(
    store,
    () => NOW,
    () => undefined
  )
  const cards = createCardStore({ store, outbox, now: () => NOW })
  const told: BudgetAlert[] = []
  const teller = createBudgetTeller({
    cards,
    chatId: '-100',
    locale: 'fr',
    nameOf: (id) => `Agent ${id}`,
  })
  const budget = createBudget({
    store,
    teamUsd: 100,
    agents: [
      { id: 'imhotep', name: 'Imhotep', monthlyBudgetUsd: 40 },
      { id: 'thot', name: 'Thot' },
    ],
    timeZone: 'Europe/Paris',
    now: () => NOW,
    tell: async (alert) => {
      told.push(alert)
      return teller(alert)
    },
  })
  const add = async (r: RunRecord) => {
    const marked = await budget.saving(
      emptyRunRecord({ id: r.taskId, projectId: r.projectId, ref: r.ref }),
      r
    )
    await budget.saved(r, marked)
  }
  const pending = async () =>
    (await outbox.pending('telegram')).map((i) => ({
      text: String((i.payload as { text: string }).text),
      buttons: (
        i.payload as {
          reply_markup: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
        }
      ).reply_markup.inline_keyboard,
    }))
  return { store, budget, told, add, pending, cards }
}

describe('the thresholds', () => {
  it('should tell 80 % then 100 % once each, as cards with +20 % and hold', async () => {
    const { budget, told, add, pending } = setup()
    await add(task({ agentId: 'thot', costEstimate: 79 }))
    expect(told).toEqual([])
    await add(task({ agentId: 'thot', costEstimate: 1 }))
    await budget.check()
    expect(told.map((a) => [a.figures.scope, a.level])).toEqual([['team', 80]])
    await add(
      task({ agentId: 'thot', state: 'done', finishedAt: new Date(NOW).toISOString(), cost: 20 })
    )
    await budget.check()
    expect(told.map((a) => [a.figures.scope, a.level])).toEqual([
      ['team', 80],
      ['team', 100],
    ])
    const cards = await pending()
    expect(cards.map((c) => c.text)).toEqual([
      '⚠️ <b>Budget à 80 %</b> — l’équipe, juillet 2026 : 0 $ dépensés + 80 $ engagés sur 100 $ (reste 20 $).\nÀ 100 %, les nouvelles tâches attendront votre accord.',
      '🛑 <b>Budget atteint</b> — l’équipe, juillet 2026 : 20 $ dépensés + 80 $ engagés sur 100 $ (reste 0 $).\nLes nouvelles tâches attendront votre accord (label needs-approval) ; celles en cours continuent.',
    ])
    // One button per row, each a card action in 64 bytes at most (Telegram's callback_data).
    for (const { buttons } of cards) {
      expect(buttons.map((row) => row.length)).toEqual([1, 1])
      for (const [button] of buttons) {
        expect(new TextEncoder().encode(button?.callback_data).length).toBeLessThanOrEqual(64)
        expect(decodeCardAction(button?.callback_data ?? '')?.action).toMatch(/^(raise|pause)$/)
      }
    }
  })

  it('should tell only 100 % when one change passes both, and an agent’s own budget apart from the team’s', async () => {
    const { budget, told, add } = setup()
    await add(task({ agentId: 'imhotep', costEstimate: 45 }))
    expect(told.map((a) => [a.figures.scope, a.level])).toEqual([['agent:imhotep', 100]])
    await budget.check()
    expect(told).toHaveLength(1)
    expect(told[0]?.figures).toMatchObject({
      budgetUsd: 40,
      committedUsd: 45,
      leftUsd: -5,
      percent: 113,
    })
  })

  it('should keep a pause stored by an earlier version (`budget:holds:<month>`, the stored format)', async () => {
    const { store, budget } = setup()
    await store.sortedAdd('budget:holds:2026-07', 'team', NOW)
    expect(await budget.gateFor('thot', 0)).toMatchObject({ scope: 'team', why: 'paused' })
    expect((await budget.view()).team.paused).toBe(true)
  })

  it('should raise a budget by 20 % for the month, not tell again what the raise covers, and lift a pause', async () => {
    const { budget, told, add } = setup()
    await add(task({ agentId: 'thot', costEstimate: 105 }))
    expect(told.map((a) => a.level)).toEqual([100])
    await budget.pause('2026-07', 'team')
    expect(await budget.gateFor('thot', 0)).toMatchObject({ scope: 'team', why: 'paused' })
    const raised = await budget.raise('2026-07', 'team', 'card-1')
    // Pressed twice (one card): one step.
    await budget.raise('2026-07', 'team', 'card-1')
    expect(raised).toMatchObject({ budgetUsd: 120, raises: 1, percent: 88, paused: false })
    await budget.check()
    expect(told.map((a) => a.level)).toEqual([100])
    expect(await budget.gateFor('thot', 15)).toBeNull()
    expect(await budget.gateFor('thot', 15.01)).toMatchObject({ scope: 'team', why: 'out' })
    // A new crossing of the raised budget is news.
    await add(task({ agentId: 'thot', costEstimate: 20 }))
    expect(told.map((a) => [a.level, a.figures.raises])).toEqual([
      [100, 0],
      [100, 1],
    ])
  })

  it('should hold a new task for the agent whose own budget is out, not for another', async () => {
    const { budget, add } = setup()
    await add(task({ agentId: 'imhotep', costEstimate: 35 }))
    expect(await budget.gateFor('imhotep', 5)).toBeNull()
    expect(await budget.gateFor('imhotep', 6)).toMatchObject({ scope: 'agent:imhotep', why: 'out' })
    expect(await budget.gateFor('thot', 6)).toBeNull()
    expect(await budget.gateFor(null, 66)).toMatchObject({ scope: 'team' })
  })
})

describe('the view', () => {
  it('should break the month down by agent and project and list the most expensive open tasks first', async () => {
    const { budget, add } = setup()
    for (let i = 1; i <= 12; i++)
      await add(task({ agentId: i % 2 ? 'imhotep' : 'thot', costEstimate: i }))
    await add(task({ agentId: 'thot', costEstimate: 4, waitsFor: 'budget' }))
    await add(task({ state: 'done', finishedAt: new Date(NOW).toISOString(), costEstimate: 3 }))
    const view = await budget.view()
    expect(view).toMatchObject({ month: '2026-07', monthDays: 31, rebuilding: true })
    expect(view.team).toMatchObject({
      spentUsd: 3,
      estimatedUsd: 3,
      committedUsd: 78,
      waitingUsd: 4,
      waitingCount: 1,
    })
    expect(view.agents.map((a) => [a.agentId, a.committedUsd, a.budgetUsd])).toEqual([
      ['imhotep', 36, 40],
      ['thot', 42, null],
    ])
    expect(view.projects).toEqual([{ projectId: 'onb', spentUsd: 3, committedUsd: 78 }])
    expect(view.top.map((t) => t.amountUsd)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3])
  })
})

describe('amounts as the human reads them', () => {
  it('should write dollars in French and in English, cents only below a hundred', () => {
    const fr = budgetPhrasesFor('fr')
    const en = budgetPhrasesFor('en')
    expect([fr.usd(1234.56), fr.usd(12.5), fr.usd(-5), fr.usd(0), fr.usd(-0.001)]).toEqual([
      '1\u202f235 $',
      '12,5 $',
      '−5 $',
      '0 $',
      '0 $',
    ])
    expect([en.usd(1234.56), en.usd(12.5), en.usd(-5)]).toEqual(['$1,235', '$12.5', '-$5'])
    expect([fr.month('2026-08'), en.month('2026-08')]).toEqual(['août 2026', 'August 2026'])
  })
})
