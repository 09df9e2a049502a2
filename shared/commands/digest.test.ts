import { describe, expect, it } from 'vitest'
import {
  AGENTS,
  makeTaskRecord,
  makeWorkspace,
  NOW,
  PROJECTS,
  renderContext,
} from '../../test/fixtures/workspace.ts'
import { expectValidHtml, taskLink as link } from '../../test/helpers/telegram-html.ts'
import { buildDigest, percentile } from './digest.ts'

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
        `• ${link('RND-2')} « Benchmark » — Imhotep — À faire`,
        '',
        '🔨 <b>En cours ce matin</b> (1)',
        `• ${link('ONB-1')} « Configurer Redis » — Imhotep`,
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
      '🔨 <b>Under way this morning</b> (1)',
      `• ${link('ONB-1')} “Configurer Redis” — Imhotep`,
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

  it('should forecast the day when work is under way, even with nothing finished (NOTIF-08)', () => {
    const busy = makeWorkspace({
      tasks: {
        [PROJECTS.onb.id]: {
          tasks: [
            makeTaskRecord({ name: 'Migrer', stateName: 'In Progress', stateGroup: 'started' }),
          ],
          truncated: false,
        },
      },
    })
    const digest = buildDigest(busy, { since: NOW - DAY_MS }, renderContext())
    expect(digest.quiet).toBe(false)
    expect(digest.html).toContain('🔨 <b>En cours ce matin</b> (1)')
    expect(digest.html).toContain('« Migrer »')
    expect(digest.html).not.toContain('journée calme')
  })

  it('should say an agent is not in the Plane workspace yet instead of an empty load (issue 36)', () => {
    const workspace = makeWorkspace({
      agents: [...AGENTS, { id: 'r2d2', name: 'R2D2', planeUserId: null }],
    })
    const digest = buildDigest(workspace, { since: NOW - DAY_MS }, renderContext())
    expect(digest.html.split('\n')).toContain(
      '• <b>R2D2</b> : pas encore dans l’espace de travail Plane (invitation en attente ?)'
    )
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
          tasks: [makeTaskRecord({ name: 'Calme', stateName: 'Todo', stateGroup: 'unstarted' })],
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

describe('buildDigest: agent runs', () => {
  it('should list runs awaiting for more than 24 h and give the day’s p95 pick-up time', () => {
    const base = makeWorkspace()
    const task = (ref: string) => {
      const found = base.projects.flatMap((p) => p.tasks).find((t) => t.ref === ref)
      if (!found) throw new Error(ref)
      return found.id
    }
    const digest = buildDigest(
      {
        ...base,
        runs: [
          { taskId: task('ONB-2'), agentId: 'thot', state: 'awaiting', since: NOW - 30 * 3600_000 },
          { taskId: task('ONB-1'), agentId: 'imhotep', state: 'awaiting', since: NOW - 3600_000 },
          {
            taskId: task('RND-2'),
            agentId: 'imhotep',
            state: 'active',
            since: NOW - 40 * 3600_000,
          },
        ],
        checkinSeconds: [20, 45, 70, 90, 600],
      },
      { since: NOW - DAY_MS },
      renderContext()
    )
    const lines = digest.html.split('\n')
    const at = lines.indexOf('⏳ <b>En attente depuis plus de 24 h</b> (1)')
    expect(at).toBeGreaterThan(0)
    expect(lines[at + 1]).toBe(
      `• ${link('ONB-2')} « Écrire la doc &lt;API&gt; &amp; exemples 📚 » — <b>Thot</b> — attend une réponse, depuis 20/11/2026 02:00`
    )
    expect(lines).toContain(
      '⏱ Prise en main des tâches aujourd’hui : 10 min au 95e centile (5 tâches).'
    )
    expectValidHtml(digest.html)
  })

  it('should list the approvals waiting, even on an otherwise quiet day', () => {
    const calm = makeWorkspace({ tasks: {} })
    const digest = buildDigest(
      {
        ...calm,
        approvals: [
          { taskId: 'gone', taskRef: 'ONB-9', agentId: 'thot', since: NOW - 3 * 3600_000 },
        ],
      },
      { since: NOW - DAY_MS },
      renderContext()
    )
    expect(digest.quiet).toBe(false)
    expect(digest.html).toContain(
      '🛂 <b>Approbations en attente</b> (1)\n• ONB-9 — <b>Thot</b> — depuis 21/11/2026 05:00'
    )
    expectValidHtml(digest.html)
  })

  it('should take the nearest-rank percentile', () => {
    expect(percentile([], 0.95)).toBeNull()
    expect(percentile([5], 0.95)).toBe(5)
    expect(
      percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 0.95)
    ).toBe(19)
  })
})
