/**
 * @module What the gateway configuration of every OpenClaw line shares: its input, the hooks block (the same keys on
 * 2026.2.26 and 2026.9.6, checked on both real gateways) and the variables that hold each agent's bridge token.
 */
import type { AgentConfig } from '../../shared/agents/registry.ts'

export type OpenClawConfigInput = {
  agents: readonly AgentConfig[]
  /**
   * plane-bridge's base URL as the agents reach it: from the gateway (2026.9's MCP client), from the agents'
   * sandboxes (2026.2). Literal: a `${VAR}` in a URL breaks OpenClaw's CLI.
   */
  bridgeUrl: string
  /** OPENCLAW_SESSION_KEY_PREFIX: hook session keys must be allowed (OpenClaw requires `hook:` among them). */
  sessionKeyPrefix?: string | undefined
}

/** The gateway variable that holds an agent's bridge token (`PLANE_BRIDGE_TOKEN_IMHOTEP`). */
export const tokenVariableOf = (agentId: string) =>
  `PLANE_BRIDGE_TOKEN_${agentId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`

/** OpenClaw's own `${VAR}` substitution, not a template string: the value stays out of the file. */
export const referenceTo = (variable: string) => `\${${variable}}`

export function renderHooks({
  agents,
  sessionKeyPrefix,
}: OpenClawConfigInput): Record<string, unknown> {
  return {
    enabled: true,
    token: referenceTo('OPENCLAW_HOOKS_TOKEN'),
    allowedAgentIds: [...new Set(agents.map((a) => a.openclawAgentId))],
    ...(sessionKeyPrefix
      ? { allowRequestSessionKey: true, allowedSessionKeyPrefixes: ['hook:'] }
      : {}),
  }
}
