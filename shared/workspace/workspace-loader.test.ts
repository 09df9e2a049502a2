import { describe, expect, it } from 'vitest'
import type { TaskSnapshot } from '../events.ts'
import type { Directory } from '../notify/directory.ts'
import { createLogger } from '../observe/log.ts'
import type { PlaneClient } from '../plane/client.ts'
import { createMemoryStore } from '../store/store.ts'
import { createWorkspaceLoader, noteTaskChanged } from './workspace-loader.ts'

const PROJECT = 'p1'
const item = (id: string, state: string, updated: string) => ({
  id,
  name: `Tâche ${id}`,
  sequence_id: Number(id.slice(1)),
  state: { name: state, group: state === 'Terminé' ? 'completed' : 'started' },
  assignees: [],
  labels: [],
  target_date: null,
  completed_at: null,
  updated_at: updated,
})
const snapshot = (id: string, state: string, updated: string): TaskSnapshot => ({
  id,
  projectId: PROJECT,
  sequenceId: Number(id.slice(1)),
  name: `Tâche ${id}`,
  state: { id: 's', name: state, group: state === 'Terminé' ? 'completed' : 'started' },
  assigneeIds: [],
  labels: [],
  priority: 'none',
  targetDate: null,
  completedAt: null,
  updatedAt: updated,
})

function setup(listed: Array<ReturnType<typeof item>>) {
  const store = createMemoryStore()
  const snapshots = new Map<string, TaskSnapshot>()
  let clock = Date.parse('2026-11-26T10:00:00Z')
  /** Every listing made, and those made through the renewals' client (an agent's priority in the runtime). */
  const calls = { listings: 0, renewed: 0 }
  /** What Plane lists now, and a listing held until `release` (the key's window full). */
  const plane$ = {
    projects: [{ id: PROJECT, name: 'Onboarding', identifier: 'ONB' }],
    listed,
    held: null as Promise<void> | null,
    release: (): void => undefined,
  }
  const client = (renewal: boolean) =>
    ({
      projects: { list: async () => plane$.projects },
      workItems: {
        listAll: async () => {
          calls.listings++
          if (renewal) calls.renewed++
          const results = plane$.listed
          await plane$.held
          return { results, truncated: false }
        },
      },
    }) as unknown as PlaneClient
  const hold = (next: Array<ReturnType<typeof item>>) => {
    plane$.listed = next
    plane$.held = new Promise<void>((resolve) => {
      plane$.release = resolve
    })
  }
  const directory = {
    agentById: async () => null,
    userName: async (id: string) => id,
  } as unknown as Directory
  const loader = createWorkspaceLoader({
    plane: client(false),
    renewals: client(true),
    store,
    directory,
    agents: [],
    log: createLogger({ level: 'error' }),
    now: () => clock,
    latest: async (ids) => ids.map((id) => snapshots.get(id) ?? null),
  })
  const states = async () =>
    Object.fromEntries(
      ((await loader.view()).projects[0]?.tasks ?? []).map((t) => [t.id, t.stateName])
    )
  /** The pipeline stores a version (or, with null, forgets the task). */
  const change = async (id: string, next: TaskSnapshot | null, was?: TaskSnapshot) => {
    clock += 1
    if (next) snapshots.set(id, next)
    else snapshots.delete(id)
    await noteTaskChanged(store, next ?? (was as TaskSnapshot), clock)
  }
  return {
    loader,
    calls,
    addProject: (id: string, name: string) =>
      plane$.projects.push({ id, name, identifier: id.toUpperCase() }),
    projectIds: async () => (await loader.view()).projects.map((p) => p.id),
    change,
    states,
    hold,
    release: () => plane$.release(),
    tick: (ms: number) => (clock += ms),
  }
}

describe('the workspace loader laying changes over a cached listing (issues 36, 39)', () => {
  it('should show a change stored after the listing without listing the project again', async () => {
    const t = setup([
      item('t1', 'En cours', '2026-11-26T09:00:00Z'),
      item('t2', 'En cours', '2026-11-26T08:00:00Z'),
    ])
    expect(await t.states()).toEqual({ t1: 'En cours', t2: 'En cours' })
    await t.change('t2', snapshot('t2', 'Terminé', '2026-11-26T10:00:01Z'))
    await t.change('t3', snapshot('t3', 'En cours', '2026-11-26T10:00:02Z'))
    expect(await t.states()).toEqual({ t1: 'En cours', t2: 'Terminé', t3: 'En cours' })
    expect(t.calls.listings).toBe(1)
  })

  it('should drop a task the pipeline forgot, and keep a listed version newer than a stored one', async () => {
    const t = setup([
      item('t1', 'Terminé', '2026-11-26T09:30:00Z'),
      item('t2', 'En cours', '2026-11-26T08:00:00Z'),
    ])
    await t.states()
    await t.change('t1', snapshot('t1', 'En cours', '2026-11-26T09:00:00Z'))
    await t.change('t2', null, snapshot('t2', 'En cours', '2026-11-26T08:00:00Z'))
    expect(await t.states()).toEqual({ t1: 'Terminé' })
    expect(t.calls.listings).toBe(1)
  })

  it('should list again when more changed since the listing than one read should hold, or when older than the changes kept', async () => {
    const t = setup([item('t1', 'En cours', '2026-11-26T09:00:00Z')])
    await t.states()
    for (let i = 0; i < 2000; i++)
      await t.change(`t${i + 2}`, snapshot(`t${i + 2}`, 'En cours', '2026-11-26T10:00:00Z'))
    expect(Object.keys(await t.states())).toHaveLength(2001)
    expect(t.calls.listings).toBe(1)
    await t.change('t9999', snapshot('t9999', 'En cours', '2026-11-26T10:00:00Z'))
    await t.states()
    expect(t.calls.listings).toBe(2)
    // The store's own expiry runs on real time; the loader's guard on the injected clock: past ten minutes a listing
    // answers while the next one is made; past fifteen (the changed set's memory) a reply waits for the new one.
    t.tick(14 * 60_000)
    t.hold([item('t1', 'En cours', '2026-11-26T09:00:00Z')])
    expect(Object.keys(await t.states()).sort()).toEqual(['t1', 't9999'])
    expect(t.calls.listings).toBe(3)
    t.tick(60_000)
    let answered = false
    const waiting = t.states().then((states) => {
      answered = true
      return states
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(answered).toBe(false)
    t.release()
    expect(await waiting).toEqual({ t1: 'En cours' })
    expect(t.calls.listings).toBe(3)
  })

  it('should answer from a listing past its ten minutes while the next one is made, then show the new one', async () => {
    const t = setup([item('t1', 'En cours', '2026-11-26T09:00:00Z')])
    await t.states()
    // Ten minutes on, Plane's listing waits for the key's window (a poll holds it): the reply does not.
    t.tick(10 * 60_000)
    t.hold([item('t1', 'Terminé', '2026-11-26T10:05:00Z')])
    await t.change('t2', snapshot('t2', 'En cours', '2026-11-26T10:06:00Z'))
    expect(await t.states()).toEqual({ t1: 'En cours', t2: 'En cours' })
    expect(await t.states()).toEqual({ t1: 'En cours', t2: 'En cours' })
    // One listing made again, for both replies, by the renewals' client: nobody waits on it, so it goes at an
    // agent's priority, never ahead of a person's press in the key's window.
    expect(t.calls.listings).toBe(2)
    expect(t.calls.renewed).toBe(1)
    t.release()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(await t.states()).toEqual({ t1: 'Terminé', t2: 'En cours' })
    expect(t.calls.listings).toBe(2)
  })

  it('should answer from the projects past their ten minutes while the next list is made, a new project listed before it shows', async () => {
    const t = setup([item('t1', 'En cours', '2026-11-26T09:00:00Z')])
    expect(await t.projectIds()).toEqual([PROJECT])
    // Ten minutes on, a project is new and Plane's listings wait for the key's window (a poll holds it).
    t.tick(10 * 60_000)
    t.addProject('p2', 'Recherche')
    t.hold([item('t1', 'En cours', '2026-11-26T09:00:00Z')])
    let answered = false
    const reply = t.projectIds().then((ids) => {
      answered = true
      return ids
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(answered).toBe(true)
    expect(await reply).toEqual([PROJECT])
    t.release()
    await new Promise((resolve) => setTimeout(resolve, 10))
    // The new project shows with its first listing made: the reply made none (the first, the renewed one, p2's).
    expect(await t.projectIds()).toEqual([PROJECT, 'p2'])
    expect(t.calls.listings).toBe(3)
  })
})
