/**
 * @module The MCP SDK side of `/mcp`, loaded on the first `/mcp` request: the SDK (and its schemas) weigh about
 * 10 MB of a Node process's memory, which a bridge whose agents use the HTTP door never pays. The composition root
 * builds the door once, on that first request (`bridge.mcpDoor()`, runtime/parts.ts).
 */
import {
  createMcpHandler,
  McpServer,
  validateHostHeader,
  validateOriginHeader,
} from '@modelcontextprotocol/server'
import type { MiddlewareHandler } from 'hono'
import type { AgentConfig } from '../../shared/agents/registry.ts'
import type { Services } from '../../shared/core/function.ts'
import type { McpDoor } from '../../shared/core/parts.ts'
import type { JsonUpload } from './body.ts'
import { callTool } from './call.ts'
import type { CallParts } from './context.ts'
import { toolBodyLimit } from './http.ts'
import { toolsFor } from './index.ts'
import { mcpAllowedHosts, mcpHostAdvice } from './mcp-hosts.ts'

const SERVER_INFO = { name: 'plane-bridge', version: '0.1.0' }
const INSTRUCTIONS =
  'plane-bridge: your tasks in Plane. Start with list_my_tasks, read one with get_task_details, then update_task_status in_progress, comment progress with add_comment, upload_deliverable, and finish with update_task_status done (summary + confidence). Name tasks by reference, e.g. ONB-12.'
/** A refused host is logged at most this often: a client retrying, or a scanner, must not flood the log. */
const HOST_WARN_EVERY_MS = 60_000
/** Refused hosts remembered for that pacing; past this many the memory starts over (bounded). */
const HOST_WARN_KEPT = 32

/** The SDK's handler and the Host/Origin guards, for one runtime (the root calls this once). */
export function createMcpDoor(services: Services, parts: CallParts): McpDoor {
  const hosts = mcpAllowedHosts(services.config)
  const byId = new Map(services.agents.map((a) => [a.id, a]))
  const handler = createMcpHandler(
    ({ authInfo }) => {
      const agent = authInfo ? byId.get(authInfo.clientId) : undefined
      // A JSON upload's file the door decoded as it read the body (mcp.ts): the call's arguments hold its marker.
      const spilled = (authInfo?.extra?.spilled as JsonUpload | undefined) ?? null
      return _server(services, parts, agent ?? null, spilled)
    },
    {
      legacy: 'stateless',
      maxRequestBodySize: toolBodyLimit(services.config),
      onerror: (error) => services.log.warn('mcp request rejected', { error: error.message }),
    }
  )
  return { handler, guards: [_hostGuard(services, hosts)] }
}

/**
 * The SDK's Host and Origin checks, with a refusal that names the setting (the SDK's own `Invalid Host: plane-bridge`
 * alone sent operators looking): the 403's message and the log line say to add the host to MCP_ALLOWED_HOSTS.
 */
function _hostGuard(services: Services, hosts: string[]): MiddlewareHandler {
  const warnedAt = new Map<string, number>()
  return async function mcpHostGuard(c, next) {
    const host = validateHostHeader(c.req.header('host'), hosts)
    const origin = host.ok ? validateOriginHeader(c.req.header('origin'), hosts) : host
    if (origin.ok) return next()
    const refused = 'hostname' in origin && origin.hostname ? origin.hostname : null
    const fix = refused
      ? mcpHostAdvice(refused, hosts)
      : `send a Host header /mcp answers to: ${hosts.join(', ')} (MCP_ALLOWED_HOSTS adds more)`
    const seen = (refused ?? c.req.header('host') ?? '').slice(0, 255)
    if (services.now() - (warnedAt.get(seen) ?? Number.NEGATIVE_INFINITY) >= HOST_WARN_EVERY_MS) {
      if (warnedAt.size >= HOST_WARN_KEPT) warnedAt.clear()
      warnedAt.set(seen, services.now())
      services.log.warn('mcp request refused: host not allowed', {
        host: seen || null,
        setting: 'MCP_ALLOWED_HOSTS',
        fix,
      })
    }
    return c.json(
      { jsonrpc: '2.0', error: { code: -32000, message: `${origin.message}: ${fix}` }, id: null },
      403
    )
  }
}

/** One server per request (stateless): every tool, each call made as the authenticated agent. */
function _server(
  services: Services,
  parts: CallParts,
  agent: AgentConfig | null,
  spilled: JsonUpload | null
): McpServer {
  // Stateless: no session, no stream on which `notifications/tools/list_changed` could ever go. The SDK advertises
  // `tools.listChanged: true` unless told otherwise; a client that believes it waits for a notification never sent.
  const server = new McpServer(SERVER_INFO, {
    instructions: INSTRUCTIONS,
    capabilities: { tools: { listChanged: false } },
  })
  // A member is not offered the Concierge's tools (listed, they would only answer 403): not registered, a
  // call by name is the SDK's "Tool … not found" (over HTTP, callTool's 403 forbidden).
  for (const tool of toolsFor(agent)) {
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
        const outcome = await callTool(services, parts, tool, agent, args, 'mcp', { spilled })
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
