import { describe, expect, it } from 'vitest'
import { buildCycleUrl, renderCycleAnnouncement } from './cycle-messages.ts'

const project = { id: 'p1', name: 'Onboarding', identifier: 'ONB' }
const started = {
  transition: 'started' as const,
  name: 'Sprint 3',
  startDay: '2026-11-23',
  endDay: '2026-12-06',
  today: true,
  counts: { total: 8, completed: 0, cancelled: 0 },
}

describe('renderCycleAnnouncement', () => {
  it('should say a cycle starts today with how many tasks, in French and in English', () => {
    expect(renderCycleAnnouncement(started, project, 'fr')).toBe(
      '🚀 <b>[Onboarding]</b> Cycle « Sprint 3 » commence aujourd’hui : 8 tâches (jusqu’au 06/12/2026)'
    )
    expect(renderCycleAnnouncement(started, project, 'en')).toBe(
      '🚀 <b>[Onboarding]</b> Cycle “Sprint 3” starts today: 8 tasks (until 2026-12-06)'
    )
  })

  it('should give the start date of a late announcement, and an empty cycle its words', () => {
    const late = { ...started, today: false, counts: { total: 0, completed: 0, cancelled: 0 } }
    expect(renderCycleAnnouncement(late, null, 'fr')).toBe(
      '🚀 Cycle « Sprint 3 » a commencé le 23/11/2026 : aucune tâche (jusqu’au 06/12/2026)'
    )
    expect(renderCycleAnnouncement({ ...late, counts: null }, null, 'en')).toBe(
      '🚀 Cycle “Sprint 3” started on 2026-11-23 (until 2026-12-06)'
    )
  })

  it('should say what an ended cycle did: done, carried over, cancelled', () => {
    const ended = {
      transition: 'completed' as const,
      name: 'Sprint 3',
      counts: { total: 8, completed: 6, cancelled: 0 },
    }
    expect(renderCycleAnnouncement(ended, project, 'fr')).toBe(
      '🏁 <b>[Onboarding]</b> Cycle « Sprint 3 » est terminé : 6/8 terminées, 2 reportées'
    )
    expect(
      renderCycleAnnouncement(
        { ...ended, counts: { total: 3, completed: 1, cancelled: 1 } },
        project,
        'fr'
      )
    ).toBe(
      '🏁 <b>[Onboarding]</b> Cycle « Sprint 3 » est terminé : 1/3 terminée, 1 reportée, 1 annulée'
    )
    expect(
      renderCycleAnnouncement(
        { ...ended, counts: { total: 8, completed: 8, cancelled: 0 } },
        project,
        'en'
      )
    ).toBe('🏁 <b>[Onboarding]</b> Cycle “Sprint 3” has ended: 8/8 done')
  })

  it('should escape the names and link the cycle to Plane', () => {
    const url = buildCycleUrl('https://plane.example.com/', 'javisi', 'p1', 'c1')
    expect(url).toBe('https://plane.example.com/javisi/projects/p1/cycles/c1')
    expect(
      renderCycleAnnouncement(
        { transition: 'completed', name: 'R&D <1>', counts: null },
        { ...project, name: 'A & B' },
        'en',
        url
      )
    ).toBe(
      '🏁 <b>[A &amp; B]</b> Cycle <a href="https://plane.example.com/javisi/projects/p1/cycles/c1">“R&amp;D &lt;1&gt;”</a> has ended'
    )
  })
})
