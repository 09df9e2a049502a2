/**
 * @module The MCP door: `/mcp`, Streamable HTTP, stateless (`createMcpHandler`), the same tools and bearer
 * tokens as `/bridge/v1`. Host and Origin are checked against PUBLIC_URL (DNS rebinding); refusals come back
 * as `isError` results carrying the same message as over HTTP.
 */
import { hostHeaderValidation, originValidation } from '@modelcontextprotocol/hono'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import type { Context, MiddlewareHandler } from 'hono'
import type { AgentConfig } from '../../shared/agents.ts'
import {
  type AppEnv,
  defineHttpFunction,
  type HttpMethod,
  type Services,
} from '../../shared/function.ts'
import { agentForToken, WWW_AUTHENTICATE } from './auth.ts'
import { callTool } from './call.ts'
import { toolBodyLimit } from './http.ts'
import { bridgeTools } from './index.ts'

const SERVER_INFO = { name: 'plane-bridge', version: '0.1.0' }
const INSTRUCTIONS =
  'plane-bridge: your tasks in Plane. Start with list_my_tasks, read one with get_task_details, then update_task_status in_progress, comment progress with add_comment, upload_deliverable, and finish with update_task_status done (summary + confidence). Name tasks by reference, e.g. ONB-12.'
const LOCALHOST = ['localhost', '127.0.0.1', '[::1]']

type Door = {
  handler: ReturnType<typeof createMcpHandler>
  guards: MiddlewareHandler[]
}
const doors = new WeakMap<Services, Door>()

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
  const services = c.var.services
  const door = _door(services)
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

function _door(services: Services): Door {
  let door = doors.get(services)
  if (door) return door
  const publicHost = services.config.PUBLIC_URL
    ? new URL(services.config.PUBLIC_URL).hostname
    : null
  const hosts = [
    ...LOCALHOST,
    ...(publicHost ? [publicHost.includes(':') ? `[${publicHost}]` : publicHost] : []),
    ...(services.config.MCP_ALLOWED_HOSTS ?? []),
  ].map((h) => h.toLowerCase())
  const byId = new Map(services.agents.map((a) => [a.id, a]))
  const handler = createMcpHandler(
    ({ authInfo }) => {
      const agent = authInfo ? byId.get(authInfo.clientId) : undefined
      return _server(services, agent ?? null)
    },
    {
      legacy: 'stateless',
      maxRequestBodySize: toolBodyLimit(services.config),
      onerror: (error) => services.log.warn('mcp request rejected', { error: error.message }),
    }
  )
  door = { handler, guards: [hostHeaderValidation(hosts), originValidation(hosts)] }
  doors.set(services, door)
  return door
}

/** One server per request (stateless): every tool, each call made as the authenticated agent. */
function _server(services: Services, agent: AgentConfig | null): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS })
  for (const tool of bridgeTools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { title: tool.title, ...tool.hints },
      },
      async (args: unknown) => {
        if (!agent)
          return { isError: true, content: [{ type: 'text' as const, text: 'Not authenticated.' }] }
        const outcome = await callTool(services, tool, agent, args, 'mcp')
        if (!outcome.ok)
          return {
            isError: true,
            content: [
              { type: 'text' as const, text: `${outcome.error.code}: ${outcome.error.message}` },
            ],
          }
        return {
          content: [
            { type: 'text' as const, text: `${outcome.text}\n\n${JSON.stringify(outcome.output)}` },
          ],
          structuredContent: outcome.output,
        }
      }
    )
  }
  return server
}
