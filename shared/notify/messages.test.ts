import { describe, expect, it } from 'vitest'
import { makeSnapshot, STATES, USERS } from '../../test/fixtures/tasks.ts'
import { stateDisplayName } from './i18n.ts'
import {
  buildTaskUrl,
  type MessageContext,
  renderCycle,
  renderProjectCreated,
  renderReview,
  renderTaskNotification,
} from './messages.ts'

const names: Record<string, string> = {
  [USERS.imhotep]: 'Imhotep',
  [USERS.thot]: 'Thot <ibis> & co',
}
const ctx = (over: Partial<MessageContext> = {}): MessageContext => ({
  locale: 'fr',
  project: { id: 'p1', name: 'Onboarding', identifier: 'ONB' },
  taskUrl: 'https://work.example.com/javisi/browse/ONB-12/',
  userName: (id) => names[id] ?? id,
  actorName: 'Imhotep',
  ...over,
})

describe('notification messages', () => {
  const done = makeSnapshot({ state: STATES.done })

  it('should render a completion in French with link, time spent and assignees', () => {
    expect(
      renderTaskNotification({ kind: 'task.completed', task: done }, ctx({ timeSpentMinutes: 80 }))
    ).toBe(
      [
        '✅ <b>[Onboarding]</b> <b>Imhotep</b> a terminé <a href="https://work.example.com/javisi/browse/ONB-12/">ONB-12 « Configurer Redis »</a>',
        '⏱ Temps passé : 1 h 20 min',
        '👥 Assignée à : Imhotep',
      ].join('\n')
    )
  })

  it('should render the same in English', () => {
    expect(
      renderTaskNotification(
        { kind: 'task.completed', task: done },
        ctx({ locale: 'en', timeSpentMinutes: 45 })
      )
    ).toBe(
      [
        '✅ <b>[Onboarding]</b> <b>Imhotep</b> completed <a href="https://work.example.com/javisi/browse/ONB-12/">ONB-12 “Configurer Redis”</a>',
        '⏱ Time spent: 45m',
        '👥 Assigned to: Imhotep',
      ].join('\n')
    )
  })

  it('should escape names with <, &, quotes and keep emoji', () => {
    const task = makeSnapshot({ name: 'Fix <script> & "quotes" 🚀', assigneeIds: [USERS.thot] })
    const text = renderTaskNotification(
      {
        kind: 'task.blocked',
        task,
        blocker: { via: 'comment', text: '❌ Failed: a < b && c > d' },
      },
      ctx({
        project: { id: 'p', name: 'R&D <lab>', identifier: null },
        actorName: 'Thot <ibis> & co',
        taskUrl: 'https://x.example/a?b=1&c="2"',
      })
    )
    expect(text).toBe(
      [
        '⛔ <b>[R&amp;D &lt;lab&gt;]</b> <b>Thot &lt;ibis&gt; &amp; co</b> signale un blocage sur <a href="https://x.example/a?b=1&amp;c=&quot;2&quot;">« Fix &lt;script&gt; &amp; "quotes" 🚀 »</a> :',
        '<blockquote>❌ Failed: a &lt; b &amp;&amp; c &gt; d</blockquote>',
        '👥 Assignée à : Thot &lt;ibis&gt; &amp; co',
      ].join('\n')
    )
  })

  it('should stay under 4096 characters with huge titles, comments and blocker lists', () => {
    const task = makeSnapshot({ name: '&'.repeat(5000) })
    const text = renderTaskNotification(
      { kind: 'task.blocked', task, blocker: { via: 'comment', text: '<'.repeat(9000) } },
      ctx({ openBlockers: Array.from({ length: 50 }, () => '&'.repeat(500)) })
    )
    expect(text.length).toBeLessThanOrEqual(4096)
    expect(text).toContain('(+45)')
  })

  it('should render project, cycle and review messages', () => {
    expect(renderProjectCreated({ id: 'p', name: 'Site & Blog', identifier: 'WEB' }, 'fr')).toBe(
      '🆕 Nouveau projet : <b>Site &amp; Blog</b> (WEB)'
    )
    const cycle = { name: 'Sprint 1', startDate: '2026-11-23', endDate: '2026-12-06' }
    expect(renderCycle('started', cycle, ctx().project, 'fr')).toBe(
      '🚀 <b>[Onboarding]</b> Cycle « Sprint 1 » démarré (23/11/2026 → 06/12/2026)'
    )
    expect(renderCycle('completed', cycle, null, 'en')).toBe('🏁 Cycle “Sprint 1” completed')
    expect(
      renderReview({ name: 'Logo' }, 0.55, 'Basquiat', {
        locale: 'fr',
        project: null,
        taskUrl: null,
      })
    ).toBe('🔍 Revue demandée pour « Logo » : confiance 0,55 (<b>Basquiat</b>)')
  })

  it('should link to the browse page when the identifier is known, else to the project route', () => {
    const task = { id: 'i1', projectId: 'p1', sequenceId: 7 }
    expect(buildTaskUrl('https://work.example.com/', 'javisi', task, 'ONB')).toBe(
      'https://work.example.com/javisi/browse/ONB-7/'
    )
    expect(buildTaskUrl('https://work.example.com', 'javisi', task, null)).toBe(
      'https://work.example.com/javisi/projects/p1/issues/i1'
    )
    expect(buildTaskUrl(undefined, 'javisi', task, 'ONB')).toBeNull()
  })
})

describe('completions and state names', () => {
  it('should link the deliverables of a completion, and name Plane’s default states in French', () => {
    const done = renderTaskNotification(
      { kind: 'task.completed', task: makeSnapshot({ state: STATES.done }) },
      {
        locale: 'fr',
        project: { id: 'p', name: 'Onboarding', identifier: 'ONB' },
        taskUrl: null,
        userName: (id) => id,
        actorName: 'Imhotep',
        confidence: 0.9,
        deliverables: [
          { name: 'faq.pdf', url: 'https://work.example.com/a/faq.pdf' },
          { name: 'notes <v2>.md', url: null },
        ],
      }
    )
    expect(done).toContain(
      '📎 Livrables : <a href="https://work.example.com/a/faq.pdf">faq.pdf</a>, notes &lt;v2&gt;.md'
    )
    expect(done).toContain('a terminé ONB-12 « Configurer Redis »')
    expect(stateDisplayName('In Progress', 'fr')).toBe('En cours')
    expect(stateDisplayName('Todo', 'fr')).toBe('À faire')
    expect(stateDisplayName('Revue client', 'fr')).toBe('Revue client')
    expect(stateDisplayName('In Progress', 'en')).toBe('In Progress')
  })
})
