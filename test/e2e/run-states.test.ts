/**
 * A run's states as the agent's calls make them (Plane v1.2 and OpenClaw simulators, a test clock for the bridge): a
 * listing or a read checks a run in ("seen", never "au travail", no stale clock), work starts it; a task checked in
 * and not started is told once as not started, unless its agent is at work on another or a dependency holds it back;
 * `/plane agent`, `/plane status` and the digest say the same.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { runRecordKey } from '../../shared/runs/records.ts'
import type { RunRecord } from '../../shared/runs/types.ts'
import { type ClockedE2E, startClocked } from './clocked.ts'

let e2e: ClockedE2E | null = null
afterEach(async () => {
  await e2e?.t.stop()
  e2e = null
})

const MINUTE = 60_000
const STALE = 'ne donne plus de nouvelles'
const UNSTARTED = "mais ne l'a pas commencée"

async function start() {
  e2e = await startClocked()
  const { t, as } = e2e
  return {
    ...e2e,
    ra: as('ra'),
    thot: as('thot'),
    record: (taskId: string) => t.services.store.get<RunRecord>(runRecordKey(taskId)),
  }
}

describe('run states: a listed task is not a started one', () => {
  it('should keep a listed-only task seen, never "au travail", and tell it once as not started, never as stale', async () => {
    const { t, ra, thot, sent, record, later, ask } = await start()
    const task = await ra('create_task', { project: 'ONB', title: 'Rédiger', assignee: 'thot' })
    await t.settle()
    await thot('list_my_tasks', {})
    await t.settle()
    expect((await record(task.id))?.state).toBe('seen')

    const agent = await ask('/plane agent thot')
    expect(agent).toContain('a vu la tâche, pas commencée')
    expect(agent).not.toContain('au travail')
    // Queued work is the normal course: not a run to watch.
    expect(await ask('/plane status')).not.toContain('a vu la tâche')

    // Listed again and again over three stale windows: still seen, never stale, told once as not started.
    for (let i = 0; i < 9; i++) {
      await later(10 * MINUTE)
      await thot('list_my_tasks', {})
    }
    await later(MINUTE)
    expect((await record(task.id))?.state).toBe('seen')
    expect(sent().filter((m) => m.includes(STALE))).toEqual([])
    const unstarted = sent().filter((m) => m.includes(UNSTARTED))
    expect(unstarted).toHaveLength(1)
    expect(unstarted[0]).toContain('<b>Thot</b> a vu')
    expect(unstarted[0]).toContain('Rédiger')

    // It starts: "au travail", and from then the stale clock runs as it always did.
    await thot('update_task_status', { task: task.ref, status: 'in_progress' })
    expect((await record(task.id))?.state).toBe('active')
    expect(await ask('/plane agent thot')).toContain('au travail')
    await later(31 * MINUTE)
    expect((await record(task.id))?.state).toBe('stale')
    expect(sent().filter((m) => m.includes(STALE))).toHaveLength(1)
    expect(sent().filter((m) => m.includes(UNSTARTED))).toHaveLength(1)
  })

  it('should take a read (get_task_details) as a check-in, not a start', async () => {
    const { t, ra, thot, sent, record, later } = await start()
    const task = await ra('create_task', { project: 'ONB', title: 'Lire', assignee: 'thot' })
    await t.settle()
    await thot('get_task_details', { task: task.ref })
    expect((await record(task.id))?.state).toBe('seen')
    // The wake is answered: no reminder follows.
    const wakes = () => t.openclaw.calls.filter((c) => c.path === '/hooks/agent').length
    const before = wakes()
    await later(20 * MINUTE)
    expect(wakes()).toBe(before)
    await later(20 * MINUTE)
    expect(sent().filter((m) => m.includes(STALE))).toEqual([])
    expect(sent().filter((m) => m.includes(UNSTARTED))).toHaveLength(1)
    // A comment is work: the run starts.
    await thot('add_comment', { task: task.ref, kind: 'progress', text: 'Je commence.' })
    expect((await record(task.id))?.state).toBe('active')
  })

  it('should say nothing of a queued task while its agent works on another, nor of one a dependency holds back', async () => {
    const { t, ra, thot, sent, record, later } = await start()
    const first = await ra('create_task', { project: 'ONB', title: 'Premier', assignee: 'thot' })
    const queued = await ra('create_task', { project: 'ONB', title: 'Ensuite', assignee: 'thot' })
    const after = await ra('create_task', {
      project: 'ONB',
      title: 'Après le premier',
      assignee: 'thot',
      dependencies: [first.ref],
    })
    await t.settle()
    await thot('list_my_tasks', {})
    await thot('update_task_status', { task: first.ref, status: 'in_progress' })
    await t.settle()
    expect((await record(queued.id))?.state).toBe('seen')
    expect((await record(after.id))?.state).toBe('seen')
    // At work on the first for two hours, reporting every 20 minutes.
    for (let i = 0; i < 6; i++) {
      await later(20 * MINUTE)
      await thot('add_comment', { task: first.ref, kind: 'progress', text: `Étape ${i + 1}.` })
    }
    expect(sent().filter((m) => m.includes(UNSTARTED) || m.includes(STALE))).toEqual([])
    // The first done: the queued one is the agent's to start, the dependent too once released.
    await thot('update_task_status', {
      task: first.ref,
      status: 'done',
      summary: 'Fait.',
      confidence: 0.9,
    })
    await later(31 * MINUTE)
    await later(31 * MINUTE)
    const unstarted = sent().filter((m) => m.includes(UNSTARTED))
    expect(unstarted.filter((m) => m.includes('Ensuite'))).toHaveLength(1)
    expect(unstarted.filter((m) => m.includes('Après le premier'))).toHaveLength(1)
    expect(unstarted).toHaveLength(2)
  })
})
