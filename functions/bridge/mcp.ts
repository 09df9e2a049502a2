/**
 * @module The MCP door: `/mcp`, Streamable HTTP, stateless (`createMcpHandler`), the same tools and bearer
 * tokens as `/bridge/v1`. Host and Origin are checked against PUBLIC_URL (DNS rebinding); refusals come back
 * as `isError` results carrying the same message as over HTTP.
 */
import type { Context } from 'hono'
import { type AppEnv, defineHttpFunction, type HttpMethod } from '../../shared/function.ts'
import { agentForToken, WWW_AUTHENTICATE } from './auth.ts'
import { toolBodyLimit } from './http.ts'

function mcpFunction(method: HttpMethod) {
  return defineHttpFunction({
    name: method === 'POST' ? 'mcp' : `mcp-${method.toLowerCase()}`,
    description: 'The agent tools over MCP (Streamable HTTP, stateless; bearer token required).',
    method,
    path: '/mcp',
    requires: ['PLANE_BASE_URL', 'PLANE_API_KEY', 'PLANE_WORKSPACE_SLUG'],
    bodyLimitBytes: toolBodyLimit,
    handler: serveMcp,
  })
}

export const mcpFunctions = [mcpFunction('POST'), mcpFunction('GET'), mcpFunction('DELETE')]

// --- Internal helpers ---

async function serveMcp(c: Context<AppEnv>): Promise<Response> {
  const services = c.get('services')
  // The SDK loads on the first /mcp request (a dynamic import: bundled all the same on Workers).
  const door = (await import('./mcp-door.ts')).mcpDoor(services)
  for (const guard of door.guards) {
    let passed = false
    const refused = await guard(c as unknown as Context, async () => {
      passed = true
    })
    if (!passed)
      return refused ?? c.json({ error: 'forbidden', message: 'Host or Origin not allowed.' }, 403)
  }
  const agent = await agentForToken(services.agents, c.req.header('authorization'))
  if (!agent)
    return c.json(
      {
        jsonrpc: '2.0',
        error: {
          code: -32001,
          message:
            'Missing or unknown bearer token: send Authorization: Bearer <your plane-bridge token>.',
        },
        id: null,
      },
      401,
      { 'WWW-Authenticate': WWW_AUTHENTICATE }
    )
  return door.handler.fetch(c.req.raw, {
    // The SDK passes this to the factory; the token itself goes no further than the check above.
    authInfo: { token: `agent:${agent.id}`, clientId: agent.id, scopes: [] },
  })
}
