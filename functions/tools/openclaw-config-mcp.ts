/**
 * @module The gateway configuration for OpenClaw 2026.9.x: one MCP server per agent.
 *
 * openclaw@2026.9.6 has no per-agent MCP server, header or skill environment (its agent entries are strict; a skill's
 * env is the gateway's one process environment, shared by concurrent runs), so one `plane-bridge` server would give
 * every agent the same token. What scopes identities in one gateway: one MCP server per agent, each with its own
 * bearer token (`plane-bridge-<id>`, `Authorization: Bearer ${PLANE_BRIDGE_TOKEN_<ID>}`), and each agent denied every
 * other agent's server (`agents.entries.<id>.tools.deny`), so it is offered, and connects to, its own only. Tokens are
 * referenced, never written: the file can be committed; the values go in the gateway's environment or its `.env`.
 */
import {
  type OpenClawConfigInput,
  referenceTo,
  renderHooks,
  tokenVariableOf,
} from './openclaw-config-base.ts'

export type McpGatewayConfig = {
  hooks: Record<string, unknown>
  mcp: { servers: Record<string, Record<string, unknown>> }
  agents: { entries: Record<string, { tools: { deny: string[] } }> }
}

/**
 * Each server's request timeout, stated: OpenClaw's own default for a tool call (60 s), and what the gateway then also
 * gives the listing of the server's tools when a run starts. With no `requestTimeoutMs` openclaw@2026.9.6 gives that
 * listing 1.5 s (`BUNDLE_MCP_CATALOG_LIST_TIMEOUT_MS`, not in its docs), and a bridge slower than that (under load,
 * behind a slow proxy) had the agent's turn run without any of its tools: woken, with nothing to call.
 */
export const MCP_REQUEST_TIMEOUT_MS = 60_000
/** The connection's (the MCP handshake), stated as OpenClaw's own default, 30 s, beside the request's. */
export const MCP_CONNECTION_TIMEOUT_MS = 30_000

/** The MCP server name an agent's tools come from in a shared gateway (tools are `<server>__<tool>`). */
export const serverNameOf = (agentId: string) => `plane-bridge-${agentId}`

export function renderMcpGatewayConfig(input: OpenClawConfigInput): McpGatewayConfig {
  const { agents, bridgeUrl } = input
  const base = bridgeUrl.replace(/\/+$/, '')
  const servers = Object.fromEntries(
    agents.map((agent) => [
      serverNameOf(agent.id),
      {
        url: `${base}/mcp`,
        transport: 'streamable-http',
        headers: { Authorization: `Bearer ${referenceTo(tokenVariableOf(agent.id))}` },
        requestTimeoutMs: MCP_REQUEST_TIMEOUT_MS,
        connectionTimeoutMs: MCP_CONNECTION_TIMEOUT_MS,
      },
    ])
  )
  const entries = Object.fromEntries(
    agents.map((agent) => [
      agent.openclawAgentId,
      {
        tools: {
          deny: agents
            .filter((other) => other.id !== agent.id)
            .map((other) => `${serverNameOf(other.id)}__*`),
        },
      },
    ])
  )
  return { hooks: renderHooks(input), mcp: { servers }, agents: { entries } }
}
