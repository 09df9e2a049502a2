import { describe, expect, it } from 'vitest'
import type { AgentConfig } from '../agents/registry.ts'
import { planProvision, resolveAgents } from './plan.ts'
import type { PlaneFacts, ProjectFacts } from './types.ts'

const agent = (id: string, overrides: Partial<AgentConfig> = {}): AgentConfig => ({
  id,
  name: id,
  role: 'member',
  planeUser: `${id}@javisi.local`,
  openclawAgentId: id,
  tags: [],
  ...overrides,
})

const makeProject = (overrides: Partial<ProjectFacts> = {}): ProjectFacts => ({
  id: 'p-onb',
  name: 'Onboarding',
  identifier: 'ONB',
  bridgeIsMember: true,
  memberIds: ['u-bridge'],
  labelNames: [],
  stateNames: ['Backlog', 'Todo', 'In Progress', 'Done', 'Cancelled'],
  ...overrides,
})

const makeFacts = (overrides: Partial<PlaneFacts> = {}): PlaneFacts => ({
  bridge: { id: 'u-bridge', email: 'bridge@javisi.local', role: 20 },
  members: [
    { id: 'u-bridge', email: 'bridge@javisi.local', role: 20 },
    { id: 'u-imhotep', email: 'Imhotep@Javisi.local', role: 15 },
    { id: 'u-concierge', email: 'concierge@javisi.local', role: 20 },
  ],
  invitedEmails: [],
  projects: [makeProject()],
  ...overrides,
})

const fr = { locale: 'fr' } as const

describe('planProvision', () => {
  it('should add missing agents as Members and the Concierge as Admin (AUTH-01, #9517)', () => {
    const plan = planProvision(
      makeFacts(),
      [agent('imhotep'), agent('concierge', { role: 'concierge' })],
      fr
    )
    expect(plan.actions.filter((a) => a.kind === 'add-member')).toEqual([
      expect.objectContaining({ agentId: 'imhotep', userId: 'u-imhotep', role: 15 }),
      expect.objectContaining({ agentId: 'concierge', userId: 'u-concierge', role: 20 }),
    ])
  })

  it('should plan the agent labels and the blocked state in the configured language', () => {
    const agents = [agent('imhotep')]
    const kinds = (locale: 'fr' | 'en') =>
      planProvision(makeFacts(), agents, { locale }).actions.flatMap((a) =>
        a.kind === 'create-label' || a.kind === 'create-state' ? [`${a.kind} ${a.name}`] : []
      )
    expect(kinds('fr')).toEqual(['create-label agent:imhotep', 'create-state Bloqué'])
    expect(kinds('en')).toEqual(['create-label agent:imhotep', 'create-state Blocked'])
  })

  it('should plan nothing when everything exists, whatever the case or language of the names', () => {
    const facts = makeFacts({
      projects: [
        makeProject({
          memberIds: ['u-bridge', 'u-imhotep'],
          labelNames: ['Agent:Imhotep'],
          stateNames: ['Todo', 'Blocked'],
        }),
      ],
    })
    const plan = planProvision(facts, [agent('imhotep')], fr)
    expect(plan.actions).toEqual([])
    expect(plan.items.every((i) => i.status === 'ok' && !i.changed)).toBe(true)
  })

  it('should invite an email missing from the workspace once, only as workspace Admin', () => {
    const ghost = agent('ghost')
    expect(planProvision(makeFacts(), [ghost], fr).actions[0]).toEqual({
      kind: 'invite',
      agentId: 'ghost',
      email: 'ghost@javisi.local',
      role: 15,
    })
    const invited = planProvision(makeFacts({ invitedEmails: ['GHOST@javisi.local'] }), [ghost], fr)
    expect(invited.actions.some((a) => a.kind === 'invite')).toBe(false)
    expect(invited.items[0]).toMatchObject({ subject: 'agent ghost', status: 'blocked' })

    const member = makeFacts({
      bridge: { id: 'u-bridge', email: null, role: 15 },
      invitedEmails: null,
    })
    const notAdmin = planProvision(member, [ghost], fr)
    expect(notAdmin.actions.some((a) => a.kind === 'invite')).toBe(false)
    expect(notAdmin.items[0]?.detail).toContain(
      'invite ghost@javisi.local as Member in Workspace settings'
    )
  })

  it('should never guess a user id: an unknown id blocks and adds nobody', () => {
    const plan = planProvision(makeFacts(), [agent('thot', { planeUser: 'u-unknown' })], fr)
    expect(plan.actions.some((a) => a.kind === 'add-member' || a.kind === 'invite')).toBe(false)
    expect(plan.items[0]).toMatchObject({ subject: 'agent thot', status: 'blocked' })
  })

  it('should block on a Guest agent instead of adding it, and flag a Concierge that is not Admin', () => {
    const facts = makeFacts({
      members: [
        { id: 'u-guest', email: 'guest@javisi.local', role: 5 },
        { id: 'u-concierge', email: 'concierge@javisi.local', role: 15 },
      ],
    })
    const plan = planProvision(
      facts,
      [agent('guest'), agent('concierge', { role: 'concierge' })],
      fr
    )
    expect(plan.items.find((i) => i.subject === 'agent guest')?.status).toBe('blocked')
    expect(plan.items.find((i) => i.subject === 'agent concierge')).toMatchObject({
      status: 'human',
      detail: expect.stringContaining('AUTH-01'),
    })
    const added = plan.actions.flatMap((a) => (a.kind === 'add-member' ? [a.agentId] : []))
    expect(added).toEqual(['concierge'])
  })

  it('should report a project the bridge is not a member of, and plan nothing there', () => {
    const plan = planProvision(
      makeFacts({ projects: [makeProject({ bridgeIsMember: false })] }),
      [agent('imhotep')],
      fr
    )
    expect(plan.actions).toEqual([])
    expect(plan.items.find((i) => i.subject === 'project ONB')).toMatchObject({
      status: 'blocked',
      detail: expect.stringContaining('"Onboarding"'),
    })
  })
})

describe('resolveAgents', () => {
  it('should match emails case-insensitively and ids exactly', () => {
    const members = makeFacts().members
    const resolved = resolveAgents(
      [agent('imhotep'), agent('c', { planeUser: 'u-concierge' })],
      members
    )
    expect(resolved.map((r) => r.userId)).toEqual(['u-imhotep', 'u-concierge'])
  })
})
