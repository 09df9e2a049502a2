/**
 * @module job `openclaw-config`: the OpenClaw gateway configuration for the agents of the registry when one gateway
 * hosts them all (issue 31), printed to merge into `~/.openclaw/openclaw.json`.
 *
 * openclaw@2026.9.6 has no per-agent MCP server, header or skill environment (its agent entries are strict; a skill's
 * env is the gateway's one process environment, shared by concurrent runs), so one `plane-bridge` server would give
 * every agent the same token. What scopes identities in one gateway: one MCP server per agent, each with its own
 * bearer token (`plane-bridge-<id>`, `Authorization: Bearer ${PLANE_BRIDGE_TOKEN_<ID>}`), and each agent denied every
 * other agent's server (`agents.entries.<id>.tools.deny`), so it is offered, and connects to, its own only. Tokens are
 * referenced, never written: the file can be committed; the values go in the gateway's environment or its `.env`.
 */
import type { AgentConfig } from '../../shared/agents/registry.ts'
import { defineJobFunction } from '../../shared/core/function.ts'
import { mcpAllowedHosts, mcpHostAdvice, mcpRefusedHost } from './mcp-hosts.ts'

export type OpenClawConfigInput = {
  agents: readonly AgentConfig[]
  /** plane-bridge's base URL as the gateway reaches it (literal: a `${VAR}` in a URL breaks OpenClaw's CLI). */
  bridgeUrl: string
  /** OPENCLAW_SESSION_KEY_PREFIX: hook session keys must be allowed (OpenClaw requires `hook:` among them). */
  sessionKeyPrefix?: string | undefined
}

export type OpenClawConfig = {
  hooks: Record<string, unknown>
  mcp: { servers: Record<string, Record<string, unknown>> }
  agents: { entries: Record<string, { tools: { deny: string[] } }> }
}

/** The MCP server name an agent's tools come from in a shared gateway (tools are `<server>__<tool>`). */
export const serverNameOf = (agentId: string) => `plane-bridge-${agentId}`

/** The gateway variable that holds an agent's bridge token (`PLANE_BRIDGE_TOKEN_IMHOTEP`). */
export const tokenVariableOf = (agentId: string) =>
  `PLANE_BRIDGE_TOKEN_${agentId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`

export function renderOpenClawConfig({
  agents,
  bridgeUrl,
  sessionKeyPrefix,
}: OpenClawConfigInput): OpenClawConfig {
  const base = bridgeUrl.replace(/\/+$/, '')
  const servers = Object.fromEntries(
    agents.map((agent) => [
      serverNameOf(agent.id),
      {
        url: `${base}/mcp`,
        transport: 'streamable-http',
        headers: { Authorization: `Bearer \${${tokenVariableOf(agent.id)}}` },
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
  return {
    hooks: {
      enabled: true,
      // OpenClaw's own substitution, not a template string: the token stays out of the file.
      token: `\${OPENCLAW_HOOKS_TOKEN}`,
      allowedAgentIds: [...new Set(agents.map((a) => a.openclawAgentId))],
      ...(sessionKeyPrefix
        ? { allowRequestSessionKey: true, allowedSessionKeyPrefixes: ['hook:'] }
        : {}),
    },
    mcp: { servers },
    agents: { entries },
  }
}

export const openclawConfigFunction = defineJobFunction({
  name: 'openclaw-config',
  usage: '[--url <plane-bridge URL>] [--json]',
  needsStore: false,
  description:
    'Prints the OpenClaw gateway configuration for the registry’s agents in one gateway: hooks allowlist, one MCP server per agent with its own token by reference, each agent denied the others’ servers (npm run job -- openclaw-config). Writes nothing.',
  run: async function openclawConfig({ args, agents, config, progress }) {
    if (agents.length === 0)
      throw new Error('the agent registry is empty: set AGENTS_FILE (or AGENTS_JSON) first')
    const at = args.indexOf('--url')
    const url = (at >= 0 ? args[at + 1] : undefined) ?? config.PUBLIC_URL
    if (!url)
      throw new Error(
        'give plane-bridge’s URL as the gateway reaches it: --url http://plane-bridge:8787 (or set PUBLIC_URL)'
      )
    const rendered = renderOpenClawConfig({
      agents,
      bridgeUrl: url,
      sessionKeyPrefix: config.OPENCLAW_SESSION_KEY_PREFIX,
    })
    const json = JSON.stringify(rendered, null, 2)
    // Issue 45: the README's own example (--url http://plane-bridge:8787) got 403 from /mcp until the host was allowed.
    const refused = mcpRefusedHost(url, config)
    const warning = refused
      ? `warning: /mcp refuses the host ${refused} (403 Invalid Host): ${mcpHostAdvice(refused, mcpAllowedHosts(config))}`
      : null
    // Before the configuration, on the terminal (stderr with --json, so the JSON stays alone on stdout).
    if (warning) progress?.(warning)
    const hostNote = refused ? `; add ${refused} to MCP_ALLOWED_HOSTS` : ''
    if (args.includes('--json'))
      return { summary: `${agents.length} agents${hostNote}`, terminal: json.split('\n') }
    return {
      summary: `${agents.length} agents, one MCP server each${hostNote}`,
      terminal: [
        `// Merge into ~/.openclaw/openclaw.json (${agents.length} agents; tools.deny lists add to yours):`,
        ...json.split('\n'),
        '',
        '// In the gateway’s environment or ~/.openclaw/.env (never in a file you commit):',
        '//   OPENCLAW_HOOKS_TOKEN=<plane-bridge’s OPENCLAW_HOOKS_TOKEN>',
        ...agents.map(
          (a) => `//   ${tokenVariableOf(a.id)}=<printed by npm run job -- agent-token --all>`
        ),
        '// Then, once for the gateway: openclaw skills install ./skills/plane-bridge --global',
        '// (every agent sees it), and openclaw mcp probe plane-bridge-<id> --json to see an agent’s tools.',
      ],
    }
  },
})
