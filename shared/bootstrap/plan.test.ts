import { describe, expect, it } from 'vitest'
import type { AgentConfig } from '../agents/registry.ts'
import type { MemberRow } from '../plane/session/calls.ts'
import type { WebhookRow } from '../plane/session/webhooks.ts'
import { bridgeEmailOf, wantedAccounts } from './accounts.ts'
import { planInvitations, planKey, planRoles, planWebhook, WEBHOOK_EVENTS } from './plan.ts'

const agent = (
  id: string,
  role: 'concierge' | 'member',
  extra: Partial<AgentConfig> = {}
): AgentConfig => ({
  id,
  name: id,
  role,
  planeUser: `${id}@team.example`,
  openclawAgentId: id,
  planeTokenEnv: `PLANE_TOKEN_${id.toUpperCase()}`,
  tags: [],
  ...extra,
})
const { accounts, problems } = wantedAccounts(
  [
    agent('ra', 'concierge'),
    agent('thot', 'member'),
    agent('ptah', 'member', { planeTokenEnv: undefined }),
    agent('x', 'member', { planeUser: 'a1b2' }),
  ],
  { bridgeEmail: 'plane-bridge@team.example' }
)
const [bridge, ra, thot] = accounts as [
  (typeof accounts)[0],
  (typeof accounts)[0],
  (typeof accounts)[0],
]
const member = (email: string, role: number, active = true): MemberRow => ({
  id: `m-${email}`,
  userId: `u-${email}`,
  email,
  role,
  active,
})

describe('the accounts bootstrap wants', () => {
  it('should want the bridge and the Concierge as Admins, the others as Members, each with its secrets’ names', () => {
    expect(accounts.map((a) => [a.ref, a.role, a.tokenVar, a.passwordVar, a.keyIdVar])).toEqual([
      ['bridge', 20, 'PLANE_API_KEY', 'BOOTSTRAP_PASSWORD_BRIDGE', 'BOOTSTRAP_KEY_ID_BRIDGE'],
      [
        'agent:ra',
        20,
        'PLANE_TOKEN_RA',
        'BOOTSTRAP_PASSWORD_AGENT_RA',
        'BOOTSTRAP_KEY_ID_AGENT_RA',
      ],
      [
        'agent:thot',
        15,
        'PLANE_TOKEN_THOT',
        'BOOTSTRAP_PASSWORD_AGENT_THOT',
        'BOOTSTRAP_KEY_ID_AGENT_THOT',
      ],
      [
        'agent:ptah',
        15,
        'PLANE_TOKEN_PTAH',
        'BOOTSTRAP_PASSWORD_AGENT_PTAH',
        'BOOTSTRAP_KEY_ID_AGENT_PTAH',
      ],
    ])
    expect(accounts[3]?.tokenVarDeclared).toBe(false)
    expect(problems).toEqual([
      { subject: 'account x', detail: expect.stringContaining('is not an e-mail') },
    ])
    expect(bridgeEmailOf({ PLANE_ADMIN_EMAIL: 'Me@Team.Example' })).toBe(
      'plane-bridge@team.example'
    )
    expect(
      bridgeEmailOf({ PLANE_BRIDGE_EMAIL: 'bot@x.example', PLANE_ADMIN_EMAIL: 'me@y.example' })
    ).toBe('bot@x.example')
  })
})

describe('planInvitations and planRoles', () => {
  it('should invite who is neither an active member nor invited, a member removed from the workspace included', () => {
    const invited = planInvitations(
      [bridge, ra, thot],
      [member(bridge.email, 20), member(thot.email, 15, false)],
      [{ id: 'i1', email: ra.email, role: 20, workspaceSlug: 'w' }]
    )
    expect(invited.map((a) => a.ref)).toEqual(['agent:thot'])
  })

  it('should raise a member below its role and leave one above it', () => {
    const changes = planRoles(
      [bridge, ra, thot],
      [member(bridge.email, 20), member(ra.email, 15), member(thot.email, 20)]
    )
    expect(changes.map((c) => [c.account.ref, c.from])).toEqual([['agent:ra', 15]])
  })
})

describe('planKey', () => {
  const labelled = (id: string) => ({ id, label: thot.keyLabel })
  it('should keep the key the file holds and revoke the other labelled ones, leaving keys of other labels', () => {
    expect(
      planKey(thot, [labelled('k1'), labelled('k2'), { id: 'mine', label: 'made by hand' }], {
        token: 'plane_api_x',
        keyId: 'k2',
      })
    ).toEqual({ keep: 'k2', revoke: ['k1'], create: false })
  })

  it('should revoke every labelled key and make one when the file lacks the secret or Plane the key', () => {
    expect(planKey(thot, [labelled('k1')], { token: undefined, keyId: 'k1' })).toEqual({
      keep: null,
      revoke: ['k1'],
      create: true,
    })
    expect(planKey(thot, [], { token: 'plane_api_x', keyId: 'gone' })).toEqual({
      keep: null,
      revoke: [],
      create: true,
    })
  })
})

describe('planWebhook', () => {
  const url = 'https://hooks.team.example/webhooks/plane'
  const webhook = (over: Partial<WebhookRow> = {}): WebhookRow => ({
    id: 'w1',
    url,
    active: true,
    secret: 'plane_wh_1',
    ...WEBHOOK_EVENTS,
    ...over,
  })

  it('should create it when no webhook has the URL', () => {
    expect(planWebhook(url, [webhook({ url: 'https://other.example/x' })], undefined)).toEqual({
      kind: 'create',
    })
  })

  it('should keep it as it is when active with every event and its secret in the file', () => {
    expect(planWebhook(url, [webhook()], 'plane_wh_1')).toMatchObject({
      kind: 'keep',
      patch: {},
      adoptSecret: false,
    })
  })

  it('should make it active again, turn on missing events and take its secret into the file', () => {
    expect(
      planWebhook(url, [webhook({ active: false, cycle: false })], 'plane_wh_0')
    ).toMatchObject({
      kind: 'keep',
      patch: { cycle: true, is_active: true },
      adoptSecret: true,
    })
  })
})
