/** The agent tools on workerd, through runtime/worker.ts: the MCP SDK's client on /mcp, fetch on /bridge/v1. */

import { env, SELF } from 'cloudflare:test'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { agentTools } from '../../functions/tools/index.ts'
import { IMHOTEP_BRIDGE_TOKEN } from './bindings.ts'
import { createStubFetch, makeWorkItem } from './stub-fetch.ts'

const TODO = {
  id: '00000000-0000-4000-8000-0000000000d2',
  name: 'Todo',
  group: 'unstarted',
  color: '#3A3A3A',
}

function useStubFetch() {
  const stub = createStubFetch([
    makeWorkItem({ state: TODO, priority: 'high' }),
    makeWorkItem({ id: '00000000-0000-4000-8000-000000001002', sequence_id: 2, name: 'Fini' }),
  ])
  vi.spyOn(globalThis, 'fetch').mockImplementation(stub.fetch)
  return stub
}

afterEach(async () => {
  const { keys } = await env.STORE.list({ prefix: 'plane:' })
  for (const key of keys) await env.STORE.delete(key.name)
})

describe('agent tools on Workers', () => {
  it('should serve list_my_tasks over HTTP to the token’s agent, and 401 without a token', async () => {
    useStubFetch()
    const call = (token: string | null) =>
      SELF.fetch('https://bridge.test/bridge/v1/list_my_tasks', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: '{}',
      })
    const ok = await call(IMHOTEP_BRIDGE_TOKEN)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({
      agent: 'imhotep',
      count: 1,
      tasks: [{ ref: 'ONB-1', title: 'Configurer Redis', status: 'todo', priority: 'high' }],
    })
    const denied = await call(null)
    expect(denied.status).toBe(401)
    expect(denied.headers.get('www-authenticate')).toContain('Bearer')
  })

  it('should list a member’s tools and call one through the MCP SDK client', async () => {
    useStubFetch()
    const client = new Client({ name: 'workers-test', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL('https://bridge.test/mcp'), {
        // Workers see the Host the client sent; SELF.fetch adds none, so set it as a client would.
        fetch: (url, init) => {
          const headers = new Headers(init?.headers)
          headers.set('host', 'bridge.test')
          return SELF.fetch(url, { ...init, headers })
        },
        requestInit: { headers: { Authorization: `Bearer ${IMHOTEP_BRIDGE_TOKEN}` } },
      })
    )
    const { tools } = await client.listTools()
    // A member (imhotep) is not offered the Concierge's tools (issue 45).
    expect(tools.map((t) => t.name).sort()).toEqual(
      agentTools
        .filter((t) => t.access === 'agent')
        .map((t) => t.name)
        .sort()
    )
    const result = await client.callTool({ name: 'list_my_tasks', arguments: { status: 'todo' } })
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject({ count: 1, tasks: [{ ref: 'ONB-1' }] })
    await expect(
      client.callTool({ name: 'create_task', arguments: { project: 'ONB', title: 'x' } })
    ).rejects.toThrow(/create_task not found/)
    // No client.close(): over SELF.fetch its abort of the finished exchange surfaces as an unhandled AbortError.
  })
  it('should read a tool call’s JSON as it arrives on workerd too: a file decoded aside, a body too deep refused', async () => {
    useStubFetch()
    const call = (body: string) =>
      SELF.fetch('https://bridge.test/bridge/v1/upload_deliverable', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${IMHOTEP_BRIDGE_TOKEN}`,
        },
        body,
      })
    // Refused once decoded, before anything reaches Plane: the decoder ran on the file as the body was read.
    const notBase64 = await call(
      JSON.stringify({ task: 'ONB-1', filename: 'a.txt', content_base64: 'YWJj$ZGVm' })
    )
    expect(notBase64.status).toBe(400)
    expect(await notBase64.json()).toMatchObject({ message: 'content_base64 is not valid base64.' })
    const deep = await call(`${'['.repeat(100)}${']'.repeat(100)}`)
    expect(deep.status).toBe(400)
    expect(await deep.json()).toMatchObject({ message: expect.stringContaining('deeper than 64') })
  })
})
