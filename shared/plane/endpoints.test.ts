import { describe, expect, it } from 'vitest'
import { makeRouteFixture, PROJECT_ID } from '../../test/fixtures/plane.ts'
import { makeRoutedClient } from '../../test/fixtures/plane-routed-client.ts'

const { WS, P, route, objects } = makeRouteFixture()
const { USER, STATE, LABEL, PROJECT, CYCLE, MODULE, INVITE } = objects

const setup = () => makeRoutedClient(route)

describe('workspace endpoints', () => {
  it('should map each method to its v1 route', async () => {
    const { client, last } = setup()
    expect(await client.members.list()).toEqual([{ ...USER, role: 20 }])
    expect(last()).toMatchObject({ method: 'GET', path: `${WS}/members/` })

    expect(await client.invitations.list()).toEqual([INVITE])
    await client.invitations.create({ email: 'new@example.com', role: 15 })
    expect(last()).toMatchObject({
      method: 'POST',
      path: `${WS}/invitations/`,
      body: { email: 'new@example.com', role: 15 },
    })

    expect(await client.projects.list()).toEqual([PROJECT])
    expect(await client.projects.get(PROJECT_ID)).toEqual(PROJECT)
    await client.projects.create({ name: 'Onboarding', identifier: 'ONB' })
    expect(last()).toMatchObject({
      method: 'POST',
      path: `${WS}/projects/`,
      body: { name: 'Onboarding', identifier: 'ONB' },
    })

    expect(await client.projectMembers.list(PROJECT_ID)).toEqual([USER])
    expect(await client.projectMembers.add(PROJECT_ID, { member: 'u-1', role: 15 })).toMatchObject({
      id: 'pm-1',
    })
    expect(last()).toMatchObject({
      method: 'POST',
      path: `${P}/members/`,
      body: { member: 'u-1', role: 15 },
    })
  })
})

describe('project setup endpoints', () => {
  it('should list and create states and labels, list cycles and modules', async () => {
    const { client, last } = setup()
    expect(await client.states.list(PROJECT_ID)).toEqual([STATE])
    expect(
      await client.states.create(PROJECT_ID, { name: 'Todo', group: 'unstarted', color: '#000' })
    ).toEqual(STATE)
    expect(last()).toMatchObject({ method: 'POST', path: `${P}/states/` })
    expect(await client.labels.list(PROJECT_ID)).toEqual([LABEL])
    expect(await client.labels.create(PROJECT_ID, { name: 'docs' })).toEqual(LABEL)
    expect(await client.modules.list(PROJECT_ID)).toEqual([MODULE])
    expect(await client.cycles.list(PROJECT_ID)).toEqual([CYCLE])
    expect(last().query).toMatchObject({ cycle_view: 'all', cursor: '100:0:0' })
  })

  it('should read the current cycle in one unpaginated request', async () => {
    const { client, last, calls } = setup()
    expect(await client.cycles.current(PROJECT_ID)).toEqual([CYCLE])
    expect(calls).toHaveLength(1)
    expect(last().query).toEqual({ cycle_view: 'current' })
  })
})
