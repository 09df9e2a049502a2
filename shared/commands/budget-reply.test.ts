import { describe, expect, it } from 'vitest'
import { makeWorkspace, renderContext } from '../../test/fixtures/workspace.ts'
import { expectValidHtml } from '../../test/helpers/telegram-html.ts'
import type { BudgetView, ScopeFigures } from '../budget/budget.ts'
import { splitMessage, TELEGRAM_MESSAGE_LIMIT } from '../telegram/split.ts'
import { budgetDigestLines, budgetLine, buildBudgetReply } from './budget-reply.ts'
import { buildDigest } from './digest.ts'
import { buildStatusReply } from './status-reply.ts'

const fr = renderContext()
const en = renderContext({ locale: 'en' })

const scope = (overrides: Partial<ScopeFigures> = {}): ScopeFigures => ({
  scope: 'team',
  agentId: null,
  budgetUsd: 1000,
  raises: 0,
  spentUsd: 640,
  estimatedUsd: 40,
  committedUsd: 210,
  waitingUsd: 0,
  waitingCount: 0,
  leftUsd: 150,
  percent: 85,
  paused: false,
  ...overrides,
})
const view = (overrides: Partial<BudgetView> = {}): BudgetView => ({
  month: '2026-11',
  daysElapsed: 20,
  monthDays: 30,
  rebuilding: false,
  team: scope(),
  agents: [],
  projects: [],
  top: [],
  ...overrides,
})

describe('the budget line', () => {
  it('should say spent, committed, budget, left and percent, in French and in English', () => {
    expect(budgetLine(view(), fr)).toBe(
      '💰 <b>Budget novembre 2026</b> : 640 $ dépensés + 210 $ engagés sur 1\u202f000 $ — reste 150 $ (85 %)'
    )
    expect(
      budgetLine(view({ team: scope({ leftUsd: -20, percent: 102, paused: true }) }), en)
    ).toBe(
      '💰 <b>Budget November 2026</b>: $640 spent + $210 committed of $1,000 — -$20 left (102%) ⚠️ ⏸'
    )
  })

  it('should come second in /plane status, and not at all without a budget', () => {
    const workspace = makeWorkspace()
    expect(buildStatusReply(workspace, fr).html).not.toContain('💰')
    const lines = buildStatusReply({ ...workspace, budget: view() }, fr).html.split('\n')
    expect(lines[1]).toMatch(/^💰 <b>Budget novembre 2026<\/b>/)
  })

  it('should end the digest with the line and the forecast at the current pace', () => {
    // 640 $ in 20 days of 30: 960 $ by the end of the month.
    expect(budgetDigestLines(view(), fr).slice(2)).toEqual([
      '📈 Au rythme actuel : ~960 $ dépensés fin novembre 2026 (budget 1\u202f000 $).',
    ])
    const digest = buildDigest({ ...makeWorkspace(), budget: view() }, { since: 0 }, fr)
    expect(digest.html.split('\n').slice(-2)[0]).toMatch(/^💰 <b>Budget/)
    const quiet = buildDigest(
      { ...makeWorkspace({ projects: [] }), budget: view() },
      { since: 0 },
      en
    )
    expect(quiet).toMatchObject({
      quiet: true,
      html: expect.stringContaining('📈 At the current pace: ~$960'),
    })
  })
})

describe('/plane budget', () => {
  it('should say when no budget is set', () => {
    expect(buildBudgetReply(makeWorkspace(), fr).html).toContain('BUDGET_MONTHLY_USD')
  })

  it('should fit Telegram’s limits with many agents, projects and long names, as valid HTML', () => {
    const names = (i: number) => `Projet <${'é'.repeat(300)}> & ${i}`
    const workspace = {
      ...makeWorkspace(),
      agents: Array.from({ length: 30 }, (_, i) => ({
        id: `a${i}`,
        name: `Agent <${i}>`,
        planeUserId: null,
      })),
      projects: Array.from({ length: 60 }, (_, i) => ({
        id: `p${i}`,
        name: names(i),
        identifier: `P${i}`,
        tasks: [],
        truncated: false,
        cycle: null,
      })),
    }
    const budget = view({
      team: scope({ waitingCount: 2, waitingUsd: 30, paused: true }),
      rebuilding: true,
      agents: Array.from({ length: 30 }, (_, i) =>
        scope({ scope: `agent:a${i}`, agentId: `a${i}`, budgetUsd: i % 2 ? 100 : null })
      ),
      projects: Array.from({ length: 60 }, (_, i) => ({
        projectId: `p${i}`,
        spentUsd: i,
        committedUsd: 1,
      })),
      top: Array.from({ length: 10 }, (_, i) => ({
        taskId: `t${i}`,
        projectId: 'p1',
        ref: `P1-${i}`,
        agentId: 'a1',
        amountUsd: 100 - i,
      })),
    })
    for (const ctx of [fr, en]) {
      const { html, buttons } = buildBudgetReply({ ...workspace, budget }, ctx)
      expect(buttons).toEqual([])
      expectValidHtml(html)
      // The most spent first; sections cut at 40 lines.
      expect(html.indexOf('P59')).toBeLessThan(html.indexOf('P58'))
      expect(html).toMatch(ctx.locale === 'fr' ? /… et 20 de plus/ : /… and 20 more/)
      for (const part of splitMessage(html))
        expect(part.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT)
    }
    expect(buildBudgetReply({ ...workspace, budget }, fr).html).toContain(
      '🛂 2 tâches attendent votre accord : 30 $.'
    )
  })
})
