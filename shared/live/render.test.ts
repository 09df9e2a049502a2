import { describe, expect, it } from 'vitest'
import { parseTelegramHtml } from '../../sim/telegram/html-parser.ts'
import { oneLine, type TaskProgress } from './progress.ts'
import { progressBar, renderLiveBoard, renderLiveTask } from './render.ts'

function makeProgress(overrides: Partial<TaskProgress> = {}): TaskProgress {
  return {
    v: 1,
    taskId: 't1',
    projectId: 'p1',
    ref: 'ONB-3',
    taskHtml: '<b>[Onboarding]</b> ONB-3 « Indexer »',
    agentName: 'Imhotep',
    percent: 60,
    step: 'indexé 120 pages <sur> 200 & plus',
    cost: null,
    state: 'active',
    since: 1_000,
    at: 2_000,
    live: true,
    ...overrides,
  }
}

const figures = new Map([['t1', { timeSpentSeconds: 65 * 60, cost: null }]])

describe('renderLiveTask', () => {
  it('should show the percent, the step escaped, the time spent, the cost and the state', () => {
    const html = renderLiveTask(makeProgress({ cost: 2.4 }), { locale: 'fr', figures })
    expect(html).toBe(
      [
        '⏳ <b>[Onboarding]</b> ONB-3 « Indexer » — <b>Imhotep</b>',
        '▰▰▰▰▰▰▱▱▱▱ 60 %',
        'Étape : indexé 120 pages &lt;sur&gt; 200 &amp; plus',
        '⏱ 1 h 5 min · 💰 2,4 $ · 🔨 en cours',
      ].join('\n')
    )
    expect(parseTelegramHtml(html).ok).toBe(true)
  })

  it('should say the end in English, without figures it does not know', () => {
    const html = renderLiveTask(makeProgress({ state: 'done', percent: 100, step: null }), {
      locale: 'en',
      figures: new Map(),
    })
    expect(html.split('\n')).toEqual([
      '✅ <b>[Onboarding]</b> ONB-3 « Indexer » — <b>Imhotep</b>',
      '▰▰▰▰▰▰▰▰▰▰ 100%',
      '✅ done',
    ])
  })
})

describe('renderLiveBoard', () => {
  it('should list tasks under way first, then ended ones, and stay within one message', () => {
    const tasks = Array.from({ length: 60 }, (_, i) =>
      makeProgress({
        taskId: `t${i}`,
        since: i,
        state: i === 0 ? 'done' : 'active',
        taskHtml: `ONB-${i} « ${'x'.repeat(100)} »`,
      })
    )
    const html = renderLiveBoard(tasks, { locale: 'fr', figures: new Map() })
    const lines = html.split('\n')
    expect(lines[0]).toBe('📋 <b>Tâches en cours (59)</b>')
    expect(lines[1]).toContain('ONB-1 ')
    expect(lines.at(-1)).toMatch(/^… et \d+ autres \(voir \/plane status\)$/)
    expect(html.length).toBeLessThan(4096)
    expect(parseTelegramHtml(html).ok).toBe(true)
  })
})

describe('progressBar and oneLine', () => {
  it('should fill a slot per ten percent, rounded down', () => {
    expect(progressBar(0)).toBe('▱▱▱▱▱▱▱▱▱▱')
    expect(progressBar(99)).toBe('▰▰▰▰▰▰▰▰▰▱')
  })

  it('should fold a report to one line, cut between characters', () => {
    expect(oneLine('  Étape 1\n\n  puis   la 2  ')).toBe('Étape 1 puis la 2')
    const cut = oneLine(`${'a'.repeat(198)}👩‍💻 fin`)
    expect(cut).toBe(`${'a'.repeat(198)}…`)
    expect(oneLine('x'.repeat(1_000_000)).length).toBe(200)
  })
})
