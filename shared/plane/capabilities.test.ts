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
import type { PlaneCapabilities } from './capabilities.ts'
import { createPlaneClient, type PlaneClientOptions } from './client.ts'
import { UNLIMITED_RATE } from './request-window.ts'

const ITEM = makeWorkItem({ id: '00000000-0000-4000-8000-0000000000e1' })
const PAGE_NOT_FOUND: ScriptedReply = { status: 404, body: { error: 'Page not found.' } }

type Instance = {
  projects?: unknown[]
  items?: unknown[]
  relations?: ScriptedReply
  worklogs?: ScriptedReply
  types?: ScriptedReply
}

/** `instance` is read on every request, so a test can change the answers between probes. */
function setup(
  instance: Instance = {},
  extra: Pick<PlaneClientOptions, 'capabilitiesCache' | 'now'> = {}
) {
  const scripted = createScriptedFetch((call: ScriptedCall) => {
    const path = call.url.pathname
    if (path.endsWith('/relations/')) return instance.relations ?? PAGE_NOT_FOUND
    if (path.endsWith('/worklogs/')) return instance.worklogs ?? PAGE_NOT_FOUND
    if (path.endsWith('/work-item-types/')) return instance.types ?? PAGE_NOT_FOUND
    if (path.endsWith('/work-items/')) return { body: makePage(instance.items ?? [ITEM]) }
    const projects = instance.projects ?? [
      { id: PROJECT_ID, name: 'Onboarding', identifier: 'ONB' },
    ]
    if (path.endsWith('/projects/')) return { body: makePage(projects) }
    return PAGE_NOT_FOUND
  })
  const client = createPlaneClient({
    baseUrl: 'https://work.example',
    apiKey: makeApiKey('c'),
    workspaceSlug: 'acme',
    fetch: scripted.fetch,
    rateLimit: UNLIMITED_RATE,
    retryDelaysMs: [],
    ...extra,
  })
  return { client, calls: scripted.calls }
}

describe('capabilities', () => {
  it('should probe once for every client sharing a cache, and again after an hour', async () => {
    let clock = Date.UTC(2026, 10, 23, 9, 0, 0)
    let kept: PlaneCapabilities | null = null
    const capabilitiesCache = {
      read: async () => kept,
      write: async (value: PlaneCapabilities) => {
        kept = value
      },
    }
    const v13 = { relations: { body: makePage([]) } }
    const first = setup(v13, { capabilitiesCache, now: () => clock })
    expect((await first.client.capabilities()).relations).toBe(true)
    expect(first.calls).toHaveLength(5)
    // A fresh process (a job, a Workers isolate) finds the answer in the cache: no request.
    const second = setup(v13, { capabilitiesCache, now: () => clock })
    expect((await second.client.capabilities()).relations).toBe(true)
    expect(second.calls).toHaveLength(0)
    await second.client.capabilities()
    expect(second.calls).toHaveLength(0)
    // An hour later the memory copy is stale; the cache (the store expires it) is empty: probe again.
    clock += 60 * 60 * 1000
    kept = null
    await second.client.capabilities()
    expect(second.calls).toHaveLength(5)
  })

  it('should report a CE v1.2 instance as having none, in 5 requests', async () => {
    const { client, calls } = setup()
    expect(await client.capabilities()).toEqual({
      relations: false,
      worklogs: false,
      customProperties: false,
      descriptionField: 'unknown',
    })
    expect(calls.map((c) => c.url.pathname.replace('/api/v1/workspaces/acme', ''))).toEqual([
      '/projects/',
      `/projects/${PROJECT_ID}/work-items/`,
      `/projects/${PROJECT_ID}/work-items/00000000-0000-4000-8000-0000000000e1/relations/`,
      `/projects/${PROJECT_ID}/work-items/00000000-0000-4000-8000-0000000000e1/worklogs/`,
      `/projects/${PROJECT_ID}/work-item-types/`,
    ])
    expect(calls[0]?.url.searchParams.get('per_page')).toBe('1')
  })

  it('should cache the answer per client and probe again on refresh', async () => {
    const { client, calls } = setup()
    await client.capabilities()
    await client.capabilities()
    expect(calls).toHaveLength(5)
    await client.capabilities({ refresh: true })
    expect(calls).toHaveLength(10)
  })

  it('should detect v1.3 relations, which also implies description_json', async () => {
    const { client } = setup({ relations: { body: { blocking: [], blocked_by: [] } } })
    expect(await client.capabilities()).toMatchObject({
      relations: true,
      descriptionField: 'description_json',
    })
  })

  it('should detect Pro endpoints, and count a refusing view as an existing route', async () => {
    const { client } = setup({
      worklogs: { body: [] },
      types: {
        status: 403,
        body: { detail: 'You do not have permission to perform this action.' },
      },
    })
    expect(await client.capabilities()).toMatchObject({ worklogs: true, customProperties: true })
  })

  it('should count a 404 with another body as an existing route', async () => {
    const { client } = setup({
      relations: { status: 404, body: { error: 'The requested resource does not exist.' } },
    })
    expect((await client.capabilities()).relations).toBe(true)
  })

  it('should read the description field off a work item when Plane shows it', async () => {
    const { client } = setup({ items: [{ ...ITEM, description_json: {} }] })
    expect((await client.capabilities()).descriptionField).toBe('description_json')
    const old = setup({ items: [{ ...ITEM, description: { type: 'doc' } }] })
    expect((await old.client.capabilities()).descriptionField).toBe('description')
  })

  it('should probe with nil UUIDs in an empty workspace (3 + 1 requests)', async () => {
    const { client, calls } = setup({ projects: [] })
    expect(await client.capabilities()).toMatchObject({
      relations: false,
      worklogs: false,
      customProperties: false,
    })
    expect(calls).toHaveLength(4)
    expect(calls[1]?.url.pathname).toContain(
      '/projects/00000000-0000-0000-0000-000000000000/work-items/00000000-0000-0000-0000-000000000000/relations/'
    )
  })

  it('should not cache a failed probe', async () => {
    const instance: Instance = { relations: { status: 503 } }
    const { client } = setup(instance)
    await expect(client.capabilities()).rejects.toMatchObject({ kind: 'unavailable' })
    instance.relations = { body: {} }
    expect((await client.capabilities()).relations).toBe(true)
  })

  it('should fail on a bad key instead of reporting features missing', async () => {
    const { client } = setup({
      relations: { status: 403, body: { detail: 'Given API token is not valid' } },
    })
    await expect(client.capabilities()).rejects.toMatchObject({ kind: 'auth' })
  })
})
