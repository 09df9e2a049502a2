import { describe, expect, it } from 'vitest'
import { makeWorkspace, PROJECTS, renderContext } from '../../test/fixtures/workspace.ts'
import { expectValidHtml, taskLink as link } from '../../test/helpers/telegram-html.ts'
import { answerProjectQuery } from './project-reply.ts'

const fr = renderContext()
const en = renderContext({ locale: 'en' })

describe('/plane project', () => {
  it('should render progress, cycle, open tasks by agent, blockers and due dates in French', () => {
    const reply = answerProjectQuery('onboard', makeWorkspace(), fr)
    expect(reply.html).toBe(
      [
        '📁 <b>Onboarding</b> (ONB)',
        'Avancement : 1 tâche terminée sur 5 (20 %)',
        '🔄 Cycle en cours : « Sprint 1 » (16/11/2026 → 29/11/2026)',
        '',
        '👥 <b>Tâches ouvertes par agent</b> (4)',
        '<b>Imhotep</b> (1)',
        `• ${link('ONB-1')} « Configurer Redis » — En cours`,
        '<b>Séshat &lt;QA&gt; &amp; co</b> (1)',
        `• ${link('ONB-3')} « Tests e2e » — À faire — échéance 20/11/2026`,
        '<b>Thot</b> (1)',
        `• ${link('ONB-2')} « Écrire la doc &lt;API&gt; &amp; exemples 📚 » — Bloqué`,
        '<b>Non assignées</b> (1)',
        `• ${link('ONB-5')} « Nettoyer » — Backlog — échéance 23/11/2026`,
        '',
        '⛔ <b>Bloquées</b> (1)',
        `• ${link('ONB-2')} « Écrire la doc &lt;API&gt; &amp; exemples 📚 » — Thot — Bloqué`,
        '',
        '⏰ <b>En retard</b> (1)',
        `• ${link('ONB-3')} « Tests e2e » — Séshat &lt;QA&gt; &amp; co — échéance 20/11/2026`,
        '',
        '📅 <b>Échéances dans les 3 jours</b> (1)',
        `• ${link('ONB-5')} « Nettoyer » — personne — échéance 23/11/2026`,
      ].join('\n')
    )
    expectValidHtml(reply.html)
    expect(reply.buttons.flat().map((b) => b.callback_data)).toEqual([
      'a:imhotep',
      'a:thot',
      'a:seshat',
      's',
    ])
  })

  it('should render the same in English, with no cycle', () => {
    const reply = answerProjectQuery('ONB', makeWorkspace({ cycles: {} }), en)
    expect(reply.html.split('\n').slice(0, 5)).toEqual([
      '📁 <b>Onboarding</b> (ONB)',
      'Progress: 1 of 5 done (20%)',
      '🔄 No current cycle.',
      '',
      '👥 <b>Open tasks by agent</b> (4)',
    ])
    expect(reply.html).toContain('<b>Unassigned</b> (1)')
    expect(reply.html).toContain(
      `📅 <b>Due within 3 days</b> (1)\n• ${link('ONB-5')} “Nettoyer” — nobody — due 2026-11-23`
    )
  })

  it('should match without accents or case, and list several matches with buttons', () => {
    expect(answerProjectQuery('r&d <LABS>', makeWorkspace(), fr).html).toMatch(
      /^📁 <b>R&amp;D &lt;Labs&gt; 🚀<\/b> \(RND\)/
    )
    const several = answerProjectQuery('n', makeWorkspace(), fr)
    expect(several.html).toBe(
      [
        'Plusieurs projets correspondent à « n » :',
        '• <b>Onboarding</b> (ONB)',
        '• <b>R&amp;D &lt;Labs&gt; 🚀</b> (RND)',
      ].join('\n')
    )
    expect(several.buttons.flat().map((b) => b.callback_data)).toEqual([
      `p:${PROJECTS.onb.id}`,
      `p:${PROJECTS.rnd.id}`,
    ])
    // None matches: the projects there are, with their buttons (issue 36); archived ones are not offered.
    expect(answerProjectQuery('ancien', makeWorkspace(), en).html).toBe(
      'No project matches “ancien”.\n\nProjects:\n• <b>Onboarding</b> (ONB)\n• <b>R&amp;D &lt;Labs&gt; 🚀</b> (RND)'
    )
    const none = answerProjectQuery('<x>', makeWorkspace(), fr)
    expect(none.html).toBe(
      'Aucun projet ne correspond à « &lt;x&gt; ».\n\nProjets :\n• <b>Onboarding</b> (ONB)\n• <b>R&amp;D &lt;Labs&gt; 🚀</b> (RND)'
    )
    expect(none.buttons.flat().map((b) => b.callback_data)).toEqual([
      `p:${PROJECTS.onb.id}`,
      `p:${PROJECTS.rnd.id}`,
    ])
  })
})
