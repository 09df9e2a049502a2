/**
 * get_team_status (OPENCLAW-17): the Concierge sees each agent's tags, load, open tasks by status with their
 * references, runs and spend, from the bridge's own index; a member is not offered it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { type ClockedE2E, startClocked } from './clocked.ts'

let e2e: ClockedE2E | null = null
afterEach(async () => {
  await e2e?.t.stop()
  e2e = null
})

type AgentStatus = {
  id: string
  tags: string[]
  load: string
  todo: { count: number; refs: string[] }
  in_progress: { count: number; refs: string[] }
  blocked: { count: number; refs: string[] }
  seen_runs: number
  runs: Array<{ task: string; state: string; since: string | null }>
  working_since: string | null
  last_call_at: string | null
  budget: unknown
}

describe('get_team_status', () => {
  it("should give the Concierge every agent's tags, load, tasks by status and runs, and a member nothing", async () => {
    e2e = await startClocked()
    const { t, as, advance } = e2e
    const [ra, imhotep, thot] = [as('ra'), as('imhotep'), as('thot')]
    await t.bridge.plane?.states.create(t.project.id, {
      name: 'Bloqué',
      group: 'started',
      color: '#e5484d',
    })
    for (const [title, assignee] of [
      ['Installer Redis', 'imhotep'],
      ['Sauvegardes', 'imhotep'],
      ['Rédiger le guide', 'thot'],
      ['Traduire', 'thot'],
    ] as const)
      await ra('create_task', { project: 'ONB', title, assignee })
    await t.settle()
    await imhotep('update_task_status', { task: 'ONB-1', status: 'in_progress' })
    await imhotep('update_task_status', { task: 'ONB-2', status: 'in_progress' })
    await imhotep('update_task_status', {
      task: 'ONB-2',
      status: 'blocked',
      reason: 'Il manque l’accès au serveur.',
    })
    await thot('list_my_tasks', {})
    // A minute on: Plane's window for the keys (60 requests a minute) is free again.
    advance(61_000)
    await t.settle()

    const answer = (await ra('get_team_status', {})) as unknown as {
      as_of: string
      agents: AgentStatus[]
    }
    expect(Date.parse(answer.as_of)).not.toBeNaN()
    const byId = new Map(answer.agents.map((a) => [a.id, a]))
    expect([...byId.keys()].sort()).toEqual(['imhotep', 'ra', 'thot'])
    const imhotepStatus = byId.get('imhotep')
    expect(imhotepStatus).toMatchObject({
      load: 'working',
      in_progress: { count: 1, refs: ['ONB-1'] },
      blocked: { count: 1, refs: ['ONB-2'] },
      todo: { count: 0, refs: [] },
    })
    expect(imhotepStatus?.working_since).not.toBeNull()
    expect(imhotepStatus?.last_call_at).not.toBeNull()
    expect(imhotepStatus?.runs.map((r) => [r.task, r.state]).sort()).toEqual([
      ['ONB-1', 'active'],
      ['ONB-2', 'awaiting'],
    ])
    // Listed, not started: queued, its runs seen.
    expect(byId.get('thot')).toMatchObject({
      load: 'queued',
      todo: { count: 2, refs: ['ONB-3', 'ONB-4'] },
      in_progress: { count: 0 },
      working_since: null,
    })
    // Its queue is counted, not listed: the tasks are in todo.
    expect(byId.get('thot')).toMatchObject({ seen_runs: 2, runs: [] })
    expect(byId.get('ra')).toMatchObject({ load: 'idle', todo: { count: 0 } })
    // The registry's tags: what each agent is for.
    for (const agent of answer.agents)
      expect(agent.tags).toEqual(t.services.agents.find((a) => a.id === agent.id)?.tags)

    // One agent by name.
    const one = (await ra('get_team_status', { agent: 'Thot' })) as unknown as {
      agents: AgentStatus[]
    }
    expect(one.agents.map((a) => a.id)).toEqual(['thot'])
    // In reference order: ONB-10 after ONB-9, as a person reads them.
    for (let i = 5; i <= 11; i++)
      await ra('create_task', { project: 'ONB', title: `Chapitre ${i}`, assignee: 'thot' })
    await t.settle()
    const more = (await ra('get_team_status', { agent: 'thot' })) as unknown as {
      agents: AgentStatus[]
    }
    expect(more.agents[0]?.todo).toEqual({
      count: 9,
      refs: ['ONB-3', 'ONB-4', 'ONB-5', 'ONB-6', 'ONB-7', 'ONB-8', 'ONB-9', 'ONB-10', 'ONB-11'],
    })
    const unknown = await callHttp(t.app, 'get_team_status', t.bridgeTokens.ra as string, {
      agent: 'anubis',
    })
    expect(unknown).toMatchObject({ status: 404, body: { error: 'not_found' } })

    // A member is not offered it, and a call by name is refused.
    const refused = await callHttp(t.app, 'get_team_status', t.bridgeTokens.thot as string, {})
    expect(refused).toMatchObject({ status: 403, body: { error: 'forbidden' } })
  })
})
