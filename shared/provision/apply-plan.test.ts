import { describe, expect, it } from 'vitest'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { applyProvisionPlan } from './apply-plan.ts'
import { ProvisionError } from './errors.ts'
import type { ProvisionAction } from './types.ts'

const project = { id: 'p1', name: 'Lancement', identifier: 'LAN' }
const actions: ProvisionAction[] = [
  { kind: 'add-member', project, agentId: 'imhotep', userId: 'u1', role: 15 },
  { kind: 'add-member', project, agentId: 'thot', userId: 'u2', role: 15 },
  { kind: 'create-label', project, name: 'agent:imhotep', agentId: 'imhotep' },
  { kind: 'create-label', project, name: 'agent:thot', agentId: 'thot' },
  { kind: 'create-state', project, name: 'Bloqué' },
]

/** A client that records its writes and answers each once `release` is called (or at once). */
function recordingClient(name: string, log: string[], { hold = false } = {}) {
  const waiting: Array<() => void> = []
  const write = (what: string) => async () => {
    log.push(`${name} ${what}`)
    if (hold) await new Promise<void>((resolve) => waiting.push(resolve))
    return {}
  }
  const client = {
    projectMembers: { add: write('member'), list: async () => [] },
    labels: { create: write('label') },
    states: { create: write('state') },
  } as unknown as PlaneClient
  return {
    client,
    release: () => {
      for (const resolve of waiting.splice(0)) resolve()
    },
  }
}

describe('applyProvisionPlan', () => {
  it('should make every write with one key, in order, without a second one', async () => {
    const log: string[] = []
    const items = await applyProvisionPlan(recordingClient('A', log).client, actions)
    expect(log).toEqual(['A member', 'A member', 'A label', 'A label', 'A state'])
    expect(items.map((i) => i.subject)).toEqual([
      'member LAN imhotep',
      'member LAN thot',
      'label LAN agent:imhotep',
      'label LAN agent:thot',
      'state LAN Bloqué',
    ])
  })

  it("should make each agent's label with its own key beside the member adds, items in the actions' order", async () => {
    const log: string[] = []
    const setUp = recordingClient('concierge', log, { hold: true })
    const imhotep = recordingClient('imhotep', log)
    const items = applyProvisionPlan(setUp.client, actions, {
      // Thot has no key of its own: its label goes with the set-up's.
      labelsBy: (agentId) => (agentId === 'imhotep' ? imhotep.client : null),
    })
    // The first member add is held: Imhotep's label was made meanwhile, with Imhotep's key.
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(log).toEqual(['concierge member', 'imhotep label'])
    for (let i = 0; i < 4; i++) {
      setUp.release()
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect((await items).map((i) => `${i.subject}: ${i.status}`)).toEqual([
      'member LAN imhotep: ok',
      'member LAN thot: ok',
      'label LAN agent:imhotep: ok',
      'label LAN agent:thot: ok',
      'state LAN Bloqué: ok',
    ])
    expect(log).toEqual([
      'concierge member',
      'imhotep label',
      'concierge member',
      'concierge label',
      'concierge state',
    ])
  })

  it("should make a label with the set-up's key when Plane refuses the agent's own, and report its other refusals", async () => {
    const log: string[] = []
    const setUp = recordingClient('concierge', log)
    const refusing = (kind: 'auth' | 'conflict', status: number) =>
      ({
        labels: {
          create: async () => {
            log.push(`refused ${status}`)
            throw new PlaneApiError(`Plane answered ${status}`, {
              kind,
              reason: 'http',
              status,
              method: 'POST',
              path: '/labels/',
              body: { detail: 'no' },
            })
          },
        },
      }) as unknown as PlaneClient
    const items = await applyProvisionPlan(setUp.client, actions, {
      labelsBy: (agentId) =>
        agentId === 'imhotep' ? refusing('auth', 401) : refusing('conflict', 409),
    })
    // Imhotep's key revoked: its label made with the Concierge's; Thot's already there: said so, not made twice.
    expect(log.filter((l) => l.endsWith('label'))).toEqual(['concierge label'])
    expect(log.filter((l) => l.startsWith('refused')).sort()).toEqual([
      'refused 401',
      'refused 409',
    ])
    expect(items.map((i) => i.status)).toEqual(['ok', 'ok', 'ok', 'human', 'ok'])
  })

  it("should name the key that was refused mid-run: the bridge's by default, the one the caller says otherwise", async () => {
    const refused = new PlaneApiError('Plane POST /members/ failed: 401 auth', {
      kind: 'auth',
      reason: 'http',
      status: 401,
      method: 'POST',
      path: '/members/',
      body: { detail: 'Given API token is not valid' },
    })
    const revoked = {
      projectMembers: {
        add: async () => {
          throw refused
        },
      },
    } as unknown as PlaneClient
    const [first] = actions
    const bridge = await applyProvisionPlan(revoked, [first as ProvisionAction]).catch((e) => e)
    expect(bridge).toBeInstanceOf(ProvisionError)
    expect(bridge.message).toContain('Plane refused PLANE_API_KEY during the run')
    expect(bridge.message).toContain("a new key for the bridge's user")
    expect(bridge.message).toContain('then run provision again')
    // create_project's set-up writes with the Concierge's own key: that is the key to fix, not the bridge's.
    const concierge = await applyProvisionPlan(revoked, [first as ProvisionAction], {
      keyVariable: 'PLANE_TOKEN_CONCIERGE',
    }).catch((e) => e)
    expect(concierge).toBeInstanceOf(ProvisionError)
    expect(concierge.message).toContain('Plane refused PLANE_TOKEN_CONCIERGE during the run')
    expect(concierge.message).toContain(
      'create a new key for the user of PLANE_TOKEN_CONCIERGE in Profile settings → API tokens and set it in PLANE_TOKEN_CONCIERGE'
    )
    expect(concierge.message).not.toContain('PLANE_API_KEY')
    expect(concierge.message).not.toContain('provision again')
  })
})
