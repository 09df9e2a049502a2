import { describe, expect, it } from 'vitest'
import {
  makeTaskRecord,
  makeWorkspace,
  PLANE_USERS,
  PROJECTS,
  renderContext,
} from '../../test/fixtures/workspace.ts'
import { expectValidHtml, taskLink as link } from '../../test/helpers/telegram-html.ts'
import { splitMessage, TELEGRAM_MESSAGE_LIMIT } from '../telegram/split.ts'
import { buildWorkspaceView } from '../workspace/workspace-view.ts'
import { buildHelpReply } from './help-reply.ts'
import { buildStatusReply } from './status-reply.ts'

const fr = renderContext()
const en = renderContext({ locale: 'en' })

describe('/plane status', () => {
  it('should render projects, counts, in progress, blockers and overdue tasks in French', () => {
    const reply = buildStatusReply(makeWorkspace(), fr)
    expect(reply.html).toBe(
      [
        '📊 <b>État de l’espace de travail</b>',
        '',
        '📁 <b>Onboarding</b> (ONB) — 6 tâches',
        // A blocked task is counted as blocked, not in progress (issue 36): the counts add up to the lists below.
        'En cours 1 · Bloquées 1 · À faire 1 · Backlog 1 · Terminées 1 · Annulées 1',
        '',
        '📁 <b>R&amp;D &lt;Labs&gt; 🚀</b> (RND) — 2 tâches',
        'En cours 1 · Bloquées 1',
        '',
        '🔨 <b>En cours</b> (2)',
        `• ${link('ONB-1')} « Configurer Redis » — Imhotep`,
        `• ${link('RND-1')} « Prototype » — Ada`,
        '',
        '⛔ <b>Bloquées</b> (2)',
        `• ${link('ONB-2')} « Écrire la doc &lt;API&gt; &amp; exemples 📚 » — Thot — Bloqué`,
        `• ${link('RND-2')} « Benchmark » — Imhotep — À faire`,
        '',
        '⏰ <b>En retard</b> (1)',
        `• ${link('ONB-3')} « Tests e2e » — Séshat &lt;QA&gt; &amp; co — échéance 20/11/2026`,
      ].join('\n')
    )
    expectValidHtml(reply.html)
  })

  it('should render the same in English', () => {
    const reply = buildStatusReply(makeWorkspace(), en)
    expect(reply.html).toBe(
      [
        '📊 <b>Workspace status</b>',
        '',
        '📁 <b>Onboarding</b> (ONB) — 6 tasks',
        'In progress 1 · Blocked 1 · To do 1 · Backlog 1 · Done 1 · Cancelled 1',
        '',
        '📁 <b>R&amp;D &lt;Labs&gt; 🚀</b> (RND) — 2 tasks',
        'In progress 1 · Blocked 1',
        '',
        '🔨 <b>In progress</b> (2)',
        `• ${link('ONB-1')} “Configurer Redis” — Imhotep`,
        `• ${link('RND-1')} “Prototype” — Ada`,
        '',
        '⛔ <b>Blocked</b> (2)',
        `• ${link('ONB-2')} “Écrire la doc &lt;API&gt; &amp; exemples 📚” — Thot — Bloqué`,
        `• ${link('RND-2')} “Benchmark” — Imhotep — Todo`,
        '',
        '⏰ <b>Overdue</b> (1)',
        `• ${link('ONB-3')} “Tests e2e” — Séshat &lt;QA&gt; &amp; co — due 2026-11-20`,
      ].join('\n')
    )
  })

  it('should offer a drill-down button per project and per agent, unescaped, within 64 bytes', () => {
    const { buttons } = buildStatusReply(makeWorkspace(), fr)
    expect(buttons.flat().map((b) => b.text)).toEqual([
      '📁 Onboarding',
      '📁 R&D <Labs> 🚀',
      '🤖 Imhotep',
      '🤖 Thot',
      '🤖 Séshat <QA> & co',
    ])
    expect(buttons.flat()[0]?.callback_data).toBe(`p:${PROJECTS.onb.id}`)
    for (const b of buttons.flat())
      expect(new TextEncoder().encode(b.callback_data).length).toBeLessThanOrEqual(64)
  })

  it('should show reviews waiting only when the bridge has some', () => {
    const without = buildStatusReply(makeWorkspace(), fr).html
    expect(without).not.toContain('Revues')
    const withReview = buildStatusReply(
      makeWorkspace({
        reviews: [
          {
            taskRef: 'ONB-1',
            taskName: 'Configurer <Redis>',
            agentId: 'imhotep',
            confidence: 0.55,
          },
        ],
      }),
      fr
    ).html
    // Linked to Plane like every task line.
    expect(withReview).toContain(
      '🔍 <b>Revues en attente</b> (1)\n• <a href="https://work.example.com/javisi/browse/ONB-1/">ONB-1</a> « Configurer Redis » — Imhotep — confiance 0,55'
    )
  })

  it('should say so when there is no active project, and when a listing was cut', () => {
    const empty = buildWorkspaceView({ projects: [], tasks: {}, agents: [], userNames: {} })
    expect(buildStatusReply(empty, en).html).toBe(
      '📊 <b>Workspace status</b>\n\nNo active projects.'
    )
    const cut = makeWorkspace({
      tasks: { [PROJECTS.onb.id]: { tasks: [], truncated: true } },
    })
    expect(buildStatusReply(cut, fr).html).toContain(
      '📁 <b>Onboarding</b> (ONB) — 0 tâche\n⚠️ liste partielle'
    )
  })

  it('should need several messages for a big workspace, each valid and within 4096', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      makeTaskRecord({
        name: `Tâche n°${i} <lourde> & longue — ${'x'.repeat(60)} 🚀`,
        sequenceId: i + 1,
        stateName: 'In Progress',
        stateGroup: 'started',
        assigneeIds: [PLANE_USERS.imhotep],
      })
    )
    const reply = buildStatusReply(
      makeWorkspace({ tasks: { [PROJECTS.onb.id]: { tasks: many, truncated: false } } }),
      fr
    )
    const chunks = splitMessage(reply.html)
    expect(chunks.length).toBeGreaterThanOrEqual(2)
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT)
      expectValidHtml(chunk)
    }
    // The section is capped at 40 lines, the rest counted.
    expect(reply.html).toContain('… et 20 de plus')
  })
})

describe('/plane help', () => {
  it('should list the commands in both languages, as valid HTML', () => {
    const frHelp = buildHelpReply(fr).html
    expect(frHelp).toBe(
      [
        '🤖 <b>Commandes /plane</b>',
        '/plane status — projets actifs, tâches en cours, blocages, retards',
        '/plane project &lt;nom&gt; — un projet : avancement, cycle, tâches par agent, échéances',
        '/plane agent &lt;nom&gt; — les tâches d’un agent et sa dernière activité',
        '/plane budget — le budget du mois : dépensé, engagé, restant, par agent et par projet',
        '/plane help — cette aide',
      ].join('\n')
    )
    expect(buildHelpReply(en).html.split('\n')[0]).toBe('🤖 <b>/plane commands</b>')
    expectValidHtml(frHelp)
  })
})

describe('/plane status: agent runs', () => {
  it('should list runs to watch (woken without answer, quiet, waiting), not those at work', () => {
    const base = makeWorkspace()
    const id = (ref: string) =>
      base.projects.flatMap((p) => p.tasks).find((t) => t.ref === ref)?.id ?? ref
    const at = Date.parse('2026-11-21T07:15:00Z')
    const reply = buildStatusReply(
      {
        ...base,
        runs: [
          { taskId: id('ONB-3'), agentId: 'seshat', state: 'pending', since: at },
          { taskId: id('ONB-1'), agentId: 'imhotep', state: 'stale', since: at },
          { taskId: id('RND-1'), agentId: 'imhotep', state: 'active', since: at },
        ],
      },
      fr
    )
    const lines = reply.html.split('\n')
    const start = lines.indexOf('🤖 <b>Agents à surveiller</b> (2)')
    expect(start).toBeGreaterThan(0)
    expect(lines.slice(start + 1, start + 3)).toEqual([
      `• ${link('ONB-3')} « Tests e2e » — <b>Séshat &lt;QA&gt; &amp; co</b> — réveillé, pas encore de réponse, depuis 21/11/2026 07:15`,
      `• ${link('ONB-1')} « Configurer Redis » — <b>Imhotep</b> — sans nouvelles, depuis 21/11/2026 07:15`,
    ])
  })
})
