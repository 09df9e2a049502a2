import { describe, expect, it } from 'vitest'
import {
  createScriptedFetch,
  makeApiKey,
  makePage,
  makeWorkItem,
  PROJECT_ID,
  type ScriptedCall,
  type ScriptedReply,
} from '../../test/fixtures/plane.ts'
import { createPlaneClient } from './client.ts'
import { UNLIMITED_RATE } from './request-window.ts'
import { planeProjectSchema } from './schemas.ts'

function setup(reply: (call: ScriptedCall, index: number) => ScriptedReply) {
  const scripted = createScriptedFetch(reply)
  const client = createPlaneClient({
    baseUrl: 'https://work.example',
    apiKey: makeApiKey('p'),
    workspaceSlug: 'acme',
    fetch: scripted.fetch,
    rateLimit: UNLIMITED_RATE,
  })
  return { client, calls: scripted.calls }
}

/** Serve `total` items in pages, honouring the cursor the way Plane does. */
function servePages(total: number) {
  const items = Array.from({ length: total }, (_, i) => makeWorkItem({ sequence_id: i + 1 }))
  return (call: ScriptedCall): ScriptedReply => {
    const [perPage = 100, page = 0] = (call.url.searchParams.get('cursor') ?? '100:0:0')
      .split(':')
      .map(Number)
    const slice = items.slice(page * perPage, (page + 1) * perPage)
    return {
      body: makePage(slice, {
        perPage,
        page,
        nextPageResults: (page + 1) * perPage < total,
        totalCount: total,
      }),
    }
  }
}

describe('paginate', () => {
  it('should walk cursors "{per_page}:{page}:0" until next_page_results is false', async () => {
    const { client, calls } = setup(servePages(5))
    const result = await client.workItems.listAll(PROJECT_ID, {
      perPage: 2,
      orderBy: '-updated_at',
    })
    expect(result.results.map((w) => w.sequence_id)).toEqual([1, 2, 3, 4, 5])
    expect(result).toMatchObject({ truncated: false, pages: 3 })
    expect(calls.map((c) => c.url.searchParams.get('cursor'))).toEqual(['2:0:0', '2:1:0', '2:2:0'])
    expect(calls.every((c) => c.url.searchParams.get('per_page') === '2')).toBe(true)
    expect(calls.every((c) => c.url.searchParams.get('order_by') === '-updated_at')).toBe(true)
    expect(calls.some((c) => c.url.searchParams.has('page'))).toBe(false)
  })

  it('should stop at the page cap when Plane says there is more forever (makeplane/plane#9340)', async () => {
    let n = 0
    const { client, calls } = setup(() => ({
      body: makePage([makeWorkItem({ sequence_id: ++n })], { nextPageResults: true }),
    }))
    const result = await client.workItems.listAll(PROJECT_ID)
    expect(calls).toHaveLength(20)
    expect(result).toMatchObject({ truncated: true, pages: 20 })
  })

  it('should honour a custom pageCap on the generator', async () => {
    let n = 0
    const { client, calls } = setup(() => ({
      body: makePage([makeWorkItem({ sequence_id: ++n })], { nextPageResults: true }),
    }))
    const seen: Array<number | null | undefined> = []
    for await (const page of client.workItems.pages(PROJECT_ID, { pageCap: 3 })) {
      seen.push(page.results[0]?.sequence_id)
      expect(page.hasNext).toBe(true)
    }
    expect(seen).toEqual([1, 2, 3])
    expect(calls).toHaveLength(3)
  })

  it('should stop when a server ignoring the cursor serves the same page again', async () => {
    const same = makeWorkItem()
    const { client, calls } = setup(() => ({ body: makePage([same], { nextPageResults: true }) }))
    const result = await client.workItems.listAll(PROJECT_ID)
    expect(calls).toHaveLength(2)
    expect(result).toMatchObject({ truncated: true, pages: 1 })
  })

  it('should stop on an empty page even if next_page_results is true', async () => {
    const { client, calls } = setup(() => ({ body: makePage([], { nextPageResults: true }) }))
    const result = await client.workItems.listAll(PROJECT_ID)
    expect(calls).toHaveLength(1)
    expect(result).toMatchObject({ results: [], truncated: false })
  })

  it('should let the caller break early without reading more pages', async () => {
    const { client, calls } = setup(servePages(10))
    for await (const page of client.workItems.pages(PROJECT_ID, { perPage: 2 })) {
      if (page.results.some((w) => w.sequence_id === 3)) break
    }
    expect(calls).toHaveLength(2)
  })

  it('should resume from a cursor', async () => {
    const { client, calls } = setup(servePages(5))
    const page = await client.workItems.list(PROJECT_ID, { perPage: 2, cursor: '2:2:0' })
    expect(page.results.map((w) => w.sequence_id)).toEqual([5])
    expect(page).toMatchObject({
      cursor: '2:2:0',
      nextCursor: '2:3:0',
      hasNext: false,
      totalCount: 5,
    })
    expect(calls[0]?.url.searchParams.get('cursor')).toBe('2:2:0')
  })

  it('should accept a bare array from a route that does not paginate', async () => {
    const project = { id: 'p1', name: 'Onboarding', identifier: 'ONB' }
    const { client } = setup(() => ({ body: [project] }))
    const result = await client.listAll('/workspaces/acme/projects/', {}, planeProjectSchema)
    expect(result).toMatchObject({ results: [project], truncated: false, pages: 1 })
  })

  it('should reject a page whose items do not match the schema', async () => {
    const { client } = setup(() => ({ body: makePage([{ name: 'no id' }]) }))
    await expect(client.workItems.listAll(PROJECT_ID)).rejects.toMatchObject({
      kind: 'invalid_response',
    })
  })
})
