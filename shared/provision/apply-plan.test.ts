import { describe, expect, it } from 'vitest'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { applyProvisionPlan } from './apply-plan.ts'
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

  it('should add members with the first key and make labels and states with the second, side by side, items in order', async () => {
    const log: string[] = []
    const members = recordingClient('members', log, { hold: true })
    const entities = recordingClient('entities', log)
    const applying = applyProvisionPlan(members.client, actions, { entities: entities.client })
    // The first member add is held: the labels and the state went on meanwhile, on the other key.
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(log).toEqual(['members member', 'entities label', 'entities label', 'entities state'])
    members.release()
    await new Promise((resolve) => setTimeout(resolve, 10))
    members.release()
    const items = await applying
    expect(log.filter((l) => l.startsWith('members'))).toEqual(['members member', 'members member'])
    expect(items.map((i) => `${i.subject}: ${i.status}`)).toEqual([
      'member LAN imhotep: ok',
      'member LAN thot: ok',
      'label LAN agent:imhotep: ok',
      'label LAN agent:thot: ok',
      'state LAN Bloqué: ok',
    ])
  })

  it("should report a refusal on the second key as its item, and the first key's writes all the same", async () => {
    const log: string[] = []
    const members = recordingClient('members', log)
    const entities = {
      labels: {
        create: async () => {
          throw new PlaneApiError('Plane answered 403', {
            kind: 'forbidden',
            reason: 'http',
            status: 403,
            method: 'POST',
            path: '/labels/',
            body: { detail: 'You do not have permission to perform this action.' },
          })
        },
      },
      states: { create: async () => ({}) },
    } as unknown as PlaneClient
    const items = await applyProvisionPlan(members.client, actions, { entities })
    expect(items.map((i) => i.status)).toEqual(['ok', 'ok', 'human', 'human', 'ok'])
  })
})
