/** Drive the agent tools as agents do: the MCP SDK's own client over real HTTP, or fetch on `/bridge/v1`. */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import type { Hono } from 'hono'

/** The app on a loopback port, as OpenClaw would reach it. */
export async function listen(
  app: Pick<Hono, 'fetch'>
): Promise<{ url: string; close(): Promise<void> }> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export async function mcpClient(baseUrl: string, token: string): Promise<Client> {
  const client = new Client({ name: 'plane-bridge-tests', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  })
  await client.connect(transport)
  return client
}

export type HttpCall = { status: number; body: Record<string, unknown>; headers: Headers }

/** `POST /bridge/v1/<tool>` with a JSON body through the in-process app. */
export async function callHttp(
  app: Pick<Hono, 'request'>,
  tool: string,
  token: string | null,
  input: unknown
): Promise<HttpCall> {
  const response = await app.request(`http://bridge.test/bridge/v1/${tool}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(input),
  })
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  }
}
