import { describe, expect, it } from 'vitest'
import {
  makeTaskRecord,
  makeWorkspace,
  NOW,
  PROJECTS,
  renderContext,
} from '../../test/fixtures/workspace.ts'
import { expectValidHtml, taskLink as link } from '../../test/helpers/telegram-html.ts'
import { buildDigest } from './digest.ts'

const DAY_MS = 24 * 60 * 60 * 1000

describe('buildDigest', () => {
  it('should render completions, blockers, due today, overdue and load per agent in French', () => {
    const digest = buildDigest(makeWorkspace(), { since: NOW - DAY_MS }, renderContext())
    expect(digest.quiet).toBe(false)
    expect(digest.html).toBe(
      [
        '☀️ <b>Résumé du 21/11/2026</b>',
        '',
        '✅ <b>Terminées depuis le dernier résumé</b> (1)',
        `• ${link('ONB-4')} « Déployer » — Imhotep`,
        '',
        '⛔ <b>Blocages actifs</b> (2)',
        `• ${link('ONB-2')} « Écrire la doc &lt;API&gt; &amp; exemples 📚 » — Thot — Bloqué`,
        `• ${link('RND-2')} « Benchmark » — Imhotep — Todo`,
        '',
        '📅 <b>Pour aujourd’hui</b> (1)',
        `• ${link('RND-1')} « Prototype » — Ada`,
        '',
        '⏰ <b>En retard</b> (1)',
        `• ${link('ONB-3')} « Tests e2e » — Séshat &lt;QA&gt; &amp; co — échéance 20/11/2026`,
        '',
        '👥 <b>Charge par agent</b>',
        '• <b>Imhotep</b> : 1 en cours, 0 à faire, 1 bloquée',
        '• <b>Thot</b> : 0 en cours, 0 à faire, 1 bloquée',
        '• <b>Séshat &lt;QA&gt; &amp; co</b> : 0 en cours, 1 à faire',
      ].join('\n')
    )
    expectValidHtml(digest.html)
  })

  it('should render the same in English', () => {
    const digest = buildDigest(
      makeWorkspace(),
      { since: NOW - DAY_MS },
      renderContext({ locale: 'en' })
    )
    expect(digest.html.split('\n')).toEqual([
      '☀️ <b>Digest for 2026-11-21</b>',
      '',
      '✅ <b>Completed since the last digest</b> (1)',
      `• ${link('ONB-4')} “Déployer” — Imhotep`,
      '',
      '⛔ <b>Active blockers</b> (2)',
      `• ${link('ONB-2')} “Écrire la doc &lt;API&gt; &amp; exemples 📚” — Thot — Bloqué`,
      `• ${link('RND-2')} “Benchmark” — Imhotep — Todo`,
      '',
      '📅 <b>Due today</b> (1)',
      `• ${link('RND-1')} “Prototype” — Ada`,
      '',
      '⏰ <b>Overdue</b> (1)',
      `• ${link('ONB-3')} “Tests e2e” — Séshat &lt;QA&gt; &amp; co — due 2026-11-20`,
      '',
      '👥 <b>Load per agent</b>',
      '• <b>Imhotep</b>: 1 in progress, 0 to do, 1 blocked',
      '• <b>Thot</b>: 0 in progress, 0 to do, 1 blocked',
      '• <b>Séshat &lt;QA&gt; &amp; co</b>: 0 in progress, 1 to do',
    ])
  })

  it('should count only what was completed after the previous digest', () => {
    // ONB-4 was completed on 20/11 at 16:00; a digest sent at 17:00 already covered it.
    const digest = buildDigest(
      makeWorkspace(),
      { since: Date.parse('2026-11-20T17:00:00Z') },
      renderContext()
    )
    expect(digest.html).not.toContain('Terminées depuis')
  })

  it('should give one short line on a quiet day, in both languages', () => {
    const calm = makeWorkspace({
      tasks: {
        [PROJECTS.onb.id]: {
          tasks: [
            makeTaskRecord({ name: 'Calme', stateName: 'In Progress', stateGroup: 'started' }),
          ],
          truncated: false,
        },
      },
    })
    expect(buildDigest(calm, { since: NOW - DAY_MS }, renderContext())).toEqual({
      html: '☀️ Résumé du 21/11/2026 : journée calme, rien à signaler.',
      quiet: true,
    })
    expect(buildDigest(calm, { since: NOW - DAY_MS }, renderContext({ locale: 'en' })).html).toBe(
      '☀️ Digest for 2026-11-21: a quiet day, nothing to report.'
    )
  })

  it('should list reviews waiting when the bridge has some', () => {
    const calm = makeWorkspace({
      tasks: {},
      reviews: [
        { taskRef: null, taskName: 'Audit & <sécurité>', agentId: 'thot', confidence: 0.4 },
      ],
    })
    const digest = buildDigest(calm, { since: NOW - DAY_MS }, renderContext({ locale: 'en' }))
    expect(digest.quiet).toBe(false)
    expect(digest.html).toContain(
      '🔍 <b>Reviews waiting</b> (1)\n• “Audit &amp; &lt;sécurité&gt;” — Thot — confidence 0.4'
    )
  })
})
