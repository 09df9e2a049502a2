/**
 * @module The MCP SDK side of `/mcp`, loaded on the first `/mcp` request: the SDK (and its schemas) weigh about
 * 10 MB of a Node process's memory, which a bridge whose agents use the HTTP door never pays. The composition root
 * builds the door once, on that first request (`bridge.mcpDoor()`, runtime/parts.ts).
 */
import { hostHeaderValidation, originValidation } from '@modelcontextprotocol/hono'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import type { AgentConfig } from '../../shared/agents.ts'
import type { Services } from '../../shared/function.ts'
import type { McpDoor } from '../../shared/parts.ts'
import { callTool } from './call.ts'
import type { CallParts } from './context.ts'
import { toolBodyLimit } from './http.ts'
import { agentTools } from './index.ts'

const SERVER_INFO = { name: 'plane-bridge', version: '0.1.0' }
const INSTRUCTIONS =
  'plane-bridge: your tasks in Plane. Start with list_my_tasks, read one with get_task_details, then update_task_status in_progress, comment progress with add_comment, upload_deliverable, and finish with update_task_status done (summary + confidence). Name tasks by reference, e.g. ONB-12.'
const LOCALHOST = ['localhost', '127.0.0.1', '[::1]']

/** The SDK's handler and the Host/Origin guards, for one runtime (the root calls this once). */
export function createMcpDoor(services: Services, parts: CallParts): McpDoor {
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
      return _server(services, parts, agent ?? null)
    },
    {
      legacy: 'stateless',
      maxRequestBodySize: toolBodyLimit(services.config),
      onerror: (error) => services.log.warn('mcp request rejected', { error: error.message }),
    }
  )
  return { handler, guards: [hostHeaderValidation(hosts), originValidation(hosts)] }
}

/** One server per request (stateless): every tool, each call made as the authenticated agent. */
function _server(services: Services, parts: CallParts, agent: AgentConfig | null): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS })
  for (const tool of agentTools) {
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
        const outcome = await callTool(services, parts, tool, agent, args, 'mcp')
        if (!outcome.ok)
          return {
            isError: true,
            content: [
              { type: 'text' as const, text: `${outcome.error.code}: ${outcome.error.message}` },
            ],
          }
        return {
          content: [
            {
              type: 'text' as const,
              text: `${tool.summarize(outcome.output)}\n\n${JSON.stringify(outcome.output)}`,
            },
          ],
          structuredContent: outcome.output,
        }
      }
    )
  }
  return server
}
