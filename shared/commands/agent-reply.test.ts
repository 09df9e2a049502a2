import { describe, expect, it } from 'vitest'
import { AGENTS, makeWorkspace, NOW, renderContext } from '../../test/fixtures/workspace.ts'
import { expectValidHtml, taskLink as link } from '../../test/helpers/telegram-html.ts'
import { answerAgentQuery, buildAgentReply } from './agent-reply.ts'

const fr = renderContext()
const en = renderContext({ locale: 'en' })

describe('/plane agent', () => {
  it('should render an agent’s tasks by status and last activity in French', () => {
    const reply = answerAgentQuery('IMHO', makeWorkspace(), fr)
    expect(reply.html).toBe(
      [
        '🤖 <b>Imhotep</b> — 3 tâches',
        '🕑 Dernière activité : 21/11/2026 07:30 (UTC) (ONB-1)',
        '',
        '⛔ <b>Bloquées</b> (1)',
        `• ${link('RND-2')} « Benchmark » — À faire`,
        '',
        '🔨 <b>En cours</b> (1)',
        `• ${link('ONB-1')} « Configurer Redis »`,
        '',
        '✅ <b>Terminées</b> (1)',
        `• ${link('ONB-4')} « Déployer »`,
      ].join('\n')
    )
    expectValidHtml(reply.html)
  })

  it('should render an agent known by its label only, in English, with accents folded', () => {
    const reply = answerAgentQuery('seshat', makeWorkspace(), en)
    expect(reply.html).toBe(
      [
        '🤖 <b>Séshat &lt;QA&gt; &amp; co</b> — 1 task',
        '🕑 Last activity: 2026-11-20 10:00 (UTC) (ONB-3)',
        '',
        '📋 <b>To do</b> (1)',
        `• ${link('ONB-3')} “Tests e2e” — due 2026-11-20`,
      ].join('\n')
    )
    expectValidHtml(reply.html)
  })

  it('should show the last activity in TIMEZONE and a running timer when the bridge has one', () => {
    const reply = answerAgentQuery(
      'thot',
      makeWorkspace({
        timers: [
          {
            agentId: 'thot',
            taskRef: 'ONB-2',
            taskName: 'Doc <API>',
            startedAt: NOW - 85 * 60_000,
          },
        ],
      }),
      renderContext({ timeZone: 'Europe/Paris' })
    )
    expect(reply.html.split('\n').slice(0, 3)).toEqual([
      '🤖 <b>Thot</b> — 1 tâche',
      '⏱ Minuteur en cours : ONB-2 « Doc &lt;API&gt; » depuis 1 h 25 min',
      // The zone is said: the human may be elsewhere (issue 36).
      '🕑 Dernière activité : 20/11/2026 11:00 (Europe/Paris) (ONB-2)',
    ])
  })

  it('should say an agent is not in the workspace yet, not "0 tâche / Aucune tâche" (issue 36)', () => {
    const workspace = makeWorkspace({
      agents: [...AGENTS, { id: 'r2d2', name: 'R2D2', planeUserId: null }],
    })
    const reply = buildAgentReply({ id: 'r2d2', name: 'R2D2', planeUserId: null }, workspace, fr)
    expect(reply.html).toBe(
      '🤖 <b>R2D2</b> — pas encore membre de l’espace de travail Plane (invitation en attente ?) : aucune tâche ne peut lui être confiée. Acceptez l’invitation, puis relancez provision.'
    )
    expect(reply.buttons.flat().map((b) => b.text)).toEqual(['📊 État'])
    expect(
      buildAgentReply(
        { id: 'r2d2', name: 'R2D2', planeUserId: null },
        workspace,
        en
      ).buttons.flat()[0]?.text
    ).toBe('📊 Status')
  })

  it('should list several agents, or name the known ones when none matches', () => {
    const workspace = makeWorkspace({
      agents: [...AGENTS, { id: 'thotmes', name: 'Thoutmôsis', planeUserId: null }],
    })
    expect(answerAgentQuery('tho', workspace, fr).html).toBe(
      'Plusieurs agents correspondent à « tho » :\n• <b>Thot</b>\n• <b>Thoutmôsis</b>'
    )
    expect(answerAgentQuery('thot', workspace, fr).html).toMatch(/^🤖 <b>Thot<\/b>/)
    expect(answerAgentQuery('anubis', makeWorkspace(), en).html).toBe(
      'No agent matches “anubis”.\n🤖 Imhotep, Thot, Séshat &lt;QA&gt; &amp; co'
    )
  })
})
