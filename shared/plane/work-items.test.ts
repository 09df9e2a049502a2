import { describe, expect, expectTypeOf, it } from 'vitest'
import { makeRouteFixture, PROJECT_ID } from '../../test/fixtures/plane.ts'
import { makeRoutedClient } from '../../test/fixtures/plane-routed-client.ts'
import { PlaneUnsupportedError } from './errors.ts'
import type { PlaneWorkItem, PlaneWorkItemPartial } from './work-item-schemas.ts'

const { WS, P, route, objects } = makeRouteFixture()
const { ITEM, COMMENT, LINK, ACTIVITY } = objects

const setup = () => makeRoutedClient(route)

describe('work item endpoints', () => {
  it('should pass expand and fields (always with id) on get', async () => {
    const { client, last } = setup()
    const item = await client.workItems.get(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
      expand: ['state', 'assignees'],
      fields: ['name', 'state'],
    })
    expect(item.id).toBe('00000000-0000-4000-8000-0000000000e1')
    expect(last()).toEqual({
      method: 'GET',
      path: `${P}/work-items/00000000-0000-4000-8000-0000000000e1/`,
      query: { expand: 'state,assignees', fields: 'id,name,state' },
      body: undefined,
    })
  })

  it('should type a `fields` read as partial and any other read as a full work item', async () => {
    const { client } = setup()
    const full = await client.workItems.get(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
      expand: ['state'],
    })
    const partial = await client.workItems.get(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
      fields: ['name'],
    })
    expectTypeOf(full).toEqualTypeOf<PlaneWorkItem>()
    expectTypeOf(partial).toEqualTypeOf<PlaneWorkItemPartial>()
    expectTypeOf(await client.workItems.getByIdentifier('ONB-12')).toEqualTypeOf<PlaneWorkItem>()
    expect(full.name).toBe(ITEM.name)
  })

  it('should send no expand or fields when none are asked', async () => {
    const { client, last } = setup()
    await client.workItems.get(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1')
    expect(last().query).toEqual({})
  })

  it('should list one page with order, expand and cursor', async () => {
    const { client, last } = setup()
    const page = await client.workItems.list(PROJECT_ID, {
      orderBy: '-updated_at',
      expand: ['labels'],
      perPage: 50,
    })
    expect(page.results).toEqual([ITEM])
    expect(last().query).toEqual({
      order_by: '-updated_at',
      expand: 'labels',
      per_page: '50',
      cursor: '50:0:0',
    })
  })

  it('should get by identifier through the workspace route', async () => {
    const { client, last } = setup()
    expect(await client.workItems.getByIdentifier(' onb-12 ')).toEqual(ITEM)
    expect(last().path).toBe(`${WS}/work-items/ONB-12/`)
  })

  it('should find by external id, and answer null on 404', async () => {
    const { client, last } = setup()
    expect(
      await client.workItems.findByExternalId(PROJECT_ID, {
        externalId: 'tg-1',
        externalSource: 'telegram',
      })
    ).toEqual(ITEM)
    expect(last().query).toEqual({ external_id: 'tg-1', external_source: 'telegram' })
    expect(
      await client.workItems.findByExternalId(PROJECT_ID, {
        externalId: 'missing',
        externalSource: 'telegram',
      })
    ).toBeNull()
  })

  it('should create with Plane’s write keys and update with PATCH', async () => {
    const { client, last } = setup()
    await client.workItems.create(PROJECT_ID, { name: 'Guide', state: 's-1', assignees: ['u-1'] })
    expect(last()).toMatchObject({
      method: 'POST',
      path: `${P}/work-items/`,
      body: { name: 'Guide', state: 's-1', assignees: ['u-1'] },
    })
    await client.workItems.update(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
      state: 's-2',
    })
    expect(last()).toMatchObject({
      method: 'PATCH',
      path: `${P}/work-items/00000000-0000-4000-8000-0000000000e1/`,
      body: { state: 's-2' },
    })
  })

  it('should search the workspace', async () => {
    const { client, last } = setup()
    const found = await client.workItems.search('guide')
    expect(found.issues[0]?.project__identifier).toBe('ONB')
    expect(last().query).toEqual({ search: 'guide', limit: '10', workspace_search: 'true' })
  })
})

describe('work item children', () => {
  it('should list and write comments, links and activities', async () => {
    const { client, last } = setup()
    expect(await client.comments.list(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1')).toEqual([
      COMMENT,
    ])
    await client.comments.create(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
      comment_html: '<p>hi</p>',
    })
    expect(last()).toMatchObject({
      method: 'POST',
      path: `${P}/work-items/00000000-0000-4000-8000-0000000000e1/comments/`,
      body: { comment_html: '<p>hi</p>' },
    })
    await client.comments.update(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', 'c-1', {
      comment_html: '<p>edited</p>',
    })
    expect(last()).toMatchObject({
      method: 'PATCH',
      path: `${P}/work-items/00000000-0000-4000-8000-0000000000e1/comments/c-1/`,
    })
    expect(await client.links.list(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1')).toEqual([
      LINK,
    ])
    await client.links.create(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
      url: 'https://x.example',
    })
    expect(last()).toMatchObject({
      method: 'POST',
      path: `${P}/work-items/00000000-0000-4000-8000-0000000000e1/links/`,
    })
    expect(
      await client.activities.list(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1')
    ).toMatchObject({
      results: [ACTIVITY],
      truncated: false,
    })
  })

  it('should read and write relations where the route exists (v1.3+)', async () => {
    const { client, last } = setup()
    expect(await client.relations.list(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1')).toEqual(
      {
        blocking: [],
        blocked_by: ['00000000-0000-4000-8000-0000000000e2'],
      }
    )
    await client.relations.create(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
      relation_type: 'blocked_by',
      issues: ['00000000-0000-4000-8000-0000000000e2'],
    })
    expect(last()).toMatchObject({
      method: 'POST',
      body: { relation_type: 'blocked_by', issues: ['00000000-0000-4000-8000-0000000000e2'] },
    })
  })

  it('should throw PlaneUnsupportedError where the route is missing (CE v1.2)', async () => {
    const { client } = setup()
    await expect(
      client.relations.list(PROJECT_ID, '00000000-0000-4000-8000-0000000000e9')
    ).rejects.toBeInstanceOf(PlaneUnsupportedError)
    await expect(
      client.relations.create(PROJECT_ID, '00000000-0000-4000-8000-0000000000e9', {
        relation_type: 'blocking',
        issues: [],
      })
    ).rejects.toThrow(/v1\.3\.0/)
  })

  it('should encode ids so they cannot add path levels', async () => {
    const { client } = setup()
    await expect(client.workItems.getByIdentifier('..')).rejects.toThrow(TypeError)
  })

  it('should refuse an id that is not a Plane id before any request (issue 38)', async () => {
    const { client, calls } = setup()
    for (const junk of ['../x', '', 'NaN', 'undefined', 'x'.repeat(200_000)]) {
      await expect(client.workItems.get(PROJECT_ID, junk)).rejects.toThrow(/Not a Plane id/)
      await expect(client.comments.list(PROJECT_ID, junk)).rejects.toThrow(/Not a Plane id/)
      await expect(client.workItems.list(junk)).rejects.toThrow(/Not a Plane id/)
    }
    expect(calls).toEqual([])
  })
})
