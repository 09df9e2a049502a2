import { describe, expect, it } from 'vitest'
import { createPlaneSim } from '../../sim/plane/index.ts'
import { silentLogger } from '../observe/log.ts'
import { createPlaneClient } from '../plane/client.ts'
import { UNLIMITED_RATE } from '../plane/request-window.ts'
import { createPlaneDirectory } from './plane-directory.ts'

/** A directory over the Plane simulator whose requests can be held (a listing waiting for the key's window). */
function setup() {
  const sim = createPlaneSim()
  const admin = sim.seed.user({ role: 20, display_name: 'ada', email: 'ada@example.com' })
  sim.seed.project({ name: 'Onboarding', identifier: 'ONB', creator: admin.id })
  let held: Promise<void> | null = null
  let release: () => void = () => undefined
  let requests = 0
  const plane = createPlaneClient({
    baseUrl: `${sim.baseUrl}/`,
    apiKey: admin.apiKey,
    workspaceSlug: sim.workspaceSlug,
    rateLimit: UNLIMITED_RATE,
    fetch: async (input, init) => {
      requests++
      await held
      return sim.fetch(input, init)
    },
  })
  let t = 0
  const directory = createPlaneDirectory({
    plane,
    agents: [
      {
        id: 'ada',
        name: 'Ada',
        role: 'member',
        planeUser: 'ada@example.com',
        openclawAgentId: 'ada',
        tags: [],
      },
    ],
    log: silentLogger,
    now: () => t,
    refreshMs: 1000,
  })
  return {
    sim,
    admin,
    directory,
    requests: () => requests,
    advance: (ms: number) => {
      t += ms
    },
    hold() {
      held = new Promise<void>((r) => {
        release = r
      })
    },
    release: () => release(),
  }
}

describe('the Plane directory', () => {
  it('should answer from its last listing past its age while the next one waits, and use the new one after', async () => {
    const w = setup()
    expect((await w.directory.agentById('ada'))?.planeUserId).toBe(w.admin.id)
    const first = w.requests()
    w.sim.seed.project({ name: 'Lancement', identifier: 'LAN', creator: w.admin.id })
    w.advance(1500)
    w.hold()
    // The listing is old: a new one starts, and what names someone is answered from the last one meanwhile.
    expect((await w.directory.agentById('ada'))?.name).toBe('Ada')
    expect((await w.directory.projects()).map((p) => p.identifier)).toEqual(['ONB'])
    expect(w.requests()).toBeGreaterThan(first)
    w.release()
    await w.directory.refresh()
    await new Promise((r) => setTimeout(r, 0))
    expect((await w.directory.projects()).map((p) => p.identifier).sort()).toEqual(['LAN', 'ONB'])
  })

  it('should wait for the first listing, and for a listing a miss asks for', async () => {
    const w = setup()
    w.hold()
    let answered = false
    const first = w.directory.agentById('ada').then((a) => {
      answered = true
      return a
    })
    await new Promise((r) => setTimeout(r, 20))
    expect(answered).toBe(false)
    w.release()
    expect((await first)?.name).toBe('Ada')
    // A project it does not know, asked for a minute later: the listing it asks for is awaited.
    const lan = w.sim.seed.project({ name: 'Lancement', identifier: 'LAN', creator: w.admin.id })
    w.advance(61_000)
    expect((await w.directory.project(lan.id))?.identifier).toBe('LAN')
  })

  it('should know a project made here at once, even when a listing that began before it ends after', async () => {
    const w = setup()
    await w.directory.projects()
    w.advance(61_000)
    w.hold()
    const listing = w.directory.refresh()
    const lan = w.sim.seed.project({ name: 'Lancement', identifier: 'LAN', creator: w.admin.id })
    w.directory.known({ id: lan.id, name: 'Lancement', identifier: 'LAN', archived: false })
    expect((await w.directory.projects()).map((p) => p.identifier).sort()).toEqual(['LAN', 'ONB'])
    w.release()
    await listing
    expect((await w.directory.projects()).map((p) => p.identifier).sort()).toEqual(['LAN', 'ONB'])
  })

  it('should answer from a listing another part has just made, listing nothing of its own until it is due', async () => {
    const w = setup()
    const onb = [...w.sim.state.projects.values()][0]!
    // What the start probe listed with the bridge's key, handed over.
    w.directory.accept(
      {
        projects: [{ id: onb.id, name: 'Onboarding', identifier: 'ONB', archived_at: null }],
        members: [{ id: w.admin.id, email: 'ada@example.com', display_name: 'ada' }],
      },
      0
    )
    expect((await w.directory.project(onb.id))?.identifier).toBe('ONB')
    expect((await w.directory.agentByPlaneUser(w.admin.id))?.id).toBe('ada')
    expect(w.requests()).toBe(0)
    // A minute on, a miss lists again, as after a listing of its own.
    w.advance(61_000)
    await w.directory.refresh()
    expect(w.requests()).toBe(2)
  })
})
