import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createScriptedFetch,
  makeApiKey,
  PROJECT_ID,
  type ScriptedCall,
  type ScriptedReply,
} from '../../test/fixtures/plane.ts'
import { createPlaneClient } from './client.ts'
import { UNLIMITED_RATE } from './request-window.ts'

const API_KEY = makeApiKey('f')
const BASE = `/api/v1/workspaces/acme/projects/${PROJECT_ID}/work-items/00000000-0000-4000-8000-0000000000e1/attachments/`
const FIELDS = {
  'Content-Type': 'text/plain',
  key: 'ws/asset-1-notes.txt',
  'x-amz-algorithm': 'AWS4-HMAC-SHA256',
  'x-amz-credential': 'minio/20260301/us-east-1/s3/aws4_request',
  'x-amz-date': '20260301T120000Z',
  policy: 'eyJleHBpcmF0aW9uIjoi',
  'x-amz-signature': 'abc123',
}

function setup(reply: (call: ScriptedCall, index: number) => ScriptedReply) {
  const scripted = createScriptedFetch(reply)
  const client = createPlaneClient({
    baseUrl: 'https://work.example/',
    apiKey: API_KEY,
    workspaceSlug: 'acme',
    fetch: scripted.fetch,
    rateLimit: UNLIMITED_RATE,
  })
  return { client, calls: scripted.calls }
}

function ticket(url = 'https://work.example/uploads') {
  return {
    upload_data: { url, fields: FIELDS },
    asset_id: 'asset-1',
    attachment: {
      id: 'asset-1',
      attributes: { name: 'notes.txt', size: 5, type: 'text/plain' },
      asset: 'ws/asset-1-notes.txt',
      is_uploaded: false,
    },
    asset_url:
      '/api/assets/v2/workspaces/acme/projects/p/issues/00000000-0000-4000-8000-0000000000e1/attachments/asset-1/',
  }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('attachments.upload', () => {
  it('should POST metadata, upload fields before file without the API key, then mark uploaded', async () => {
    const { client, calls } = setup((call) => {
      if (call.url.pathname === BASE && call.method === 'POST') return { body: ticket() }
      if (call.url.pathname === '/uploads') return { status: 204 }
      return { status: 204 }
    })
    const uploaded = await client.attachments.upload(
      PROJECT_ID,
      '00000000-0000-4000-8000-0000000000e1',
      {
        name: 'notes.txt',
        type: 'text/plain',
        data: new TextEncoder().encode('hello'),
      }
    )
    expect(uploaded).toMatchObject({
      id: 'asset-1',
      name: 'notes.txt',
      size: 5,
      type: 'text/plain',
    })

    const [meta, upload, patch] = calls
    expect(meta).toMatchObject({
      method: 'POST',
      body: { name: 'notes.txt', type: 'text/plain', size: 5 },
    })
    expect(meta?.headers.get('x-api-key')).toBe(API_KEY)

    expect(upload?.url.href).toBe('https://work.example/uploads')
    expect(upload?.headers.get('x-api-key')).toBeNull()
    const form = upload?.body as FormData
    expect([...form.keys()]).toEqual([...Object.keys(FIELDS), 'file'])
    const file = form.get('file') as File
    expect(await file.text()).toBe('hello')
    expect(file.name).toBe('notes.txt')

    expect(patch).toMatchObject({ method: 'PATCH', body: { is_uploaded: true } })
    expect(patch?.url.pathname).toBe(`${BASE}asset-1/`)
  })

  it('should resolve a relative upload URL against the base URL', async () => {
    const { client, calls } = setup((call) =>
      call.method === 'POST' && call.url.pathname === BASE
        ? { body: ticket('/uploads') }
        : { status: 204 }
    )
    await client.attachments.upload(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
      name: 'a.txt',
      type: 'text/plain',
      data: new Blob(['a']),
    })
    expect(calls[1]?.url.href).toBe('https://work.example/uploads')
  })

  it('should send the metadata POST once but retry the storage upload', async () => {
    vi.useFakeTimers()
    let uploads = 0
    const { client, calls } = setup((call) => {
      if (call.url.pathname === BASE && call.method === 'POST') return { body: ticket() }
      if (call.url.pathname === '/uploads')
        return uploads++ === 0 ? { status: 503 } : { status: 204 }
      return { status: 204 }
    })
    const done = client.attachments.upload(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
      name: 'a.txt',
      type: 'text/plain',
      data: new Blob(['a']),
    })
    await vi.advanceTimersByTimeAsync(1_000)
    await done
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      `POST ${BASE}`,
      'POST /uploads',
      'POST /uploads',
      `PATCH ${BASE}asset-1/`,
    ])

    const failing = setup(() => ({ status: 503 }))
    const outcome = failing.client.attachments
      .upload(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
        name: 'a.txt',
        type: 'text/plain',
        data: new Blob(['a']),
      })
      .catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(await outcome).toMatchObject({ kind: 'unavailable', status: 503 })
    expect(failing.calls).toHaveLength(1)
  })

  it('should list uploaded attachments as a plain list', async () => {
    const { client } = setup(() => ({ body: [ticket().attachment] }))
    expect(
      await client.attachments.list(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1')
    ).toEqual([ticket().attachment])
  })
})
