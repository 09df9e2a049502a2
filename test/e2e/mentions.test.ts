/**
 * @mentions wake agents (issue 37): a comment in Plane that mentions an agent's Plane user (Plane CE writes
 * `<mention-component entity_identifier="<uuid>" entity_name="user_mention">`) wakes that agent with the comment and
 * the task's link, through verified wakes; once per comment, whichever way it comes; never for the bridge's own.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { mentionHtml } from '../../shared/plane/mentions.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { BRIDGE_EXTERNAL_SOURCE } from '../../shared/runs/records.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { type E2E, startE2E } from '../../sim/e2e/harness.ts'
import { virtualClock } from '../helpers/clock.ts'

let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

async function start() {
  const clock = virtualClock()
  const t = await startE2E({ now: clock.now, sleep: clock.sleep, plane: { now: clock.now } })
  e2e = t
  const human = t.plane.seed.user({
    email: 'gilles@javisi.local',
    display_name: 'gilles',
    first_name: 'Gilles',
    role: 20,
  })
  t.plane.seed.member(t.project.id, human.id, 20)
  const item = t.plane.seed.workItem(t.project.id, {
    name: 'Configurer Redis',
    assignees: [t.users.imhotep.id],
    state: t.state('In Progress').id,
  })
  const poll = async () => {
    clock.advance(5 * 60_000)
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
  }
  await poll()
  const as = (agent: 'imhotep' | 'thot') => (tool: string, input: unknown) =>
    callHttp(t.app, tool, t.bridgeTokens[agent] as string, input)
  return { t, clock, human, item, poll, imhotep: as('imhotep'), thot: as('thot') }
}

const wakesTo = (t: E2E, agent: string) =>
  t.openclaw.calls
    .filter((c) => c.path === '/hooks/agent' && (c.body as { agentId?: string }).agentId === agent)
    .map((c) => String((c.body as { message?: string }).message))

describe('@mentions wake agents (issue 37)', () => {
  it('should wake a mentioned agent once with the comment and the link, again until it answers, and never twice for an edit', async () => {
    const { t, clock, human, item, thot } = await start()
    const ref = `ONB-${item.sequence_id}`
    const comment = await t.plane.ui.addComment(
      human.id,
      item.id,
      `<p>${mentionHtml(t.users.thot.id)} peux-tu vérifier le port de Redis ?</p>`
    )
    await t.settle()
    const [wake, ...more] = wakesTo(t, 'thot')
    expect(more).toEqual([])
    expect(wake).toContain('gilles')
    expect(wake).toContain(ref)
    expect(wake).toContain('peux-tu vérifier le port de Redis')
    expect(wake).toContain(`/browse/${ref}/`)
    expect(wake).toContain('add_comment')

    // Edited in Plane (a webhook again): not a second wake.
    await t.plane.ui.updateComment(
      human.id,
      comment.id,
      `<p>${mentionHtml(t.users.thot.id)} peux-tu vérifier le port de Redis (6379) ?</p>`
    )
    await t.settle()
    expect(wakesTo(t, 'thot')).toHaveLength(1)

    // Not answered within the check-in time: woken again, as an assignment is.
    clock.advance(121_000)
    await t.settle()
    expect(wakesTo(t, 'thot')).toHaveLength(2)
    expect(wakesTo(t, 'thot')[1]).toMatch(/^Rappel \(2\/3\)/)

    // Thot answers on a task that is not its own: allowed for a mention, and it stops the reminders.
    const answer = await thot('add_comment', { task: ref, text: 'Le port est 6379.' })
    expect(answer.status).toBe(200)
    clock.advance(10 * 60_000)
    await t.settle()
    expect(wakesTo(t, 'thot')).toHaveLength(2)
    // Its answer did not take Imhotep's run.
    expect((await t.bridge.runs?.peek(item.id))?.agentId).not.toBe('thot')
    // Without a mention, another agent's task is still refused.
    const other = t.plane.seed.workItem(t.project.id, {
      name: 'Autre',
      assignees: [t.users.imhotep.id],
      state: t.state('Todo').id,
    })
    expect((await thot('add_comment', { task: other.id, text: 'Je passe par là.' })).status).toBe(
      403
    )
  })

  it('should wake nobody for a mention in a comment the bridge wrote, nor its author for its own mention', async () => {
    const { t, item } = await start()
    await t.bridge.plane!.comments.create(t.project.id, item.id, {
      comment_html: `<p>${mentionHtml(t.users.thot.id)} carte de suivi</p>`,
      external_source: BRIDGE_EXTERNAL_SOURCE,
      external_id: 'test-card',
    })
    await t.plane.ui.addComment(
      t.users.thot.id,
      item.id,
      `<p>Note à moi-même ${mentionHtml(t.users.thot.id)}</p>`
    )
    await t.settle()
    expect(wakesTo(t, 'thot')).toEqual([])
  })

  it('should wake an agent another agent mentions with @id in add_comment', async () => {
    const { t, item, imhotep } = await start()
    const ref = `ONB-${item.sequence_id}`
    const res = await imhotep('add_comment', {
      task: ref,
      text: '@thot peux-tu relire la config ?',
    })
    expect(res.status).toBe(200)
    await t.settle()
    const written = [...t.plane.state.comments.values()].find((c) =>
      c.comment_html.includes('relire la config')
    )
    expect(written?.comment_html).toContain(
      `<mention-component entity_identifier="${t.users.thot.id}" entity_name="user_mention">`
    )
    const wakes = wakesTo(t, 'thot')
    expect(wakes).toHaveLength(1)
    expect(wakes[0]).toContain('Imhotep')
    expect(wakes[0]).toContain('peux-tu relire la config')
  })

  it('should wake a mentioned agent after the next poll when the webhook is off, once', async () => {
    const { t, human, item, poll } = await start()
    for (const hook of t.plane.state.webhooks.values()) hook.is_active = false
    await t.plane.ui.addComment(
      human.id,
      item.id,
      `<p>${mentionHtml(t.users.thot.id)} un coup de main ?</p>`
    )
    await t.settle()
    expect(wakesTo(t, 'thot')).toEqual([])
    await poll()
    const first = () =>
      wakesTo(t, 'thot').filter((w) => w.includes('un coup de main') && !w.startsWith('Rappel'))
    expect(first()).toHaveLength(1)
    // Another poll: no second first wake.
    await poll()
    expect(first()).toHaveLength(1)
  })
})
