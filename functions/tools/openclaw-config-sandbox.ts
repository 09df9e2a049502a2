/**
 * @module The gateway configuration for OpenClaw 2026.2.x: each agent's token in its own sandbox.
 *
 * 2026.2 has no MCP client: agents call the bridge over HTTP (the skill's curl forms) with `$PLANE_BRIDGE_TOKEN`.
 * Every agent of a gateway runs in its one process, as one OS user: a token in the gateway's environment, its
 * `.env`, its configuration, a skill's env or an agent's workspace is readable by any agent whose tools run on the
 * host. What separates them is the Docker sandbox: with `sandbox.mode: "all"` an agent's tools run in its own
 * container (`scope: "agent"`; under `"shared"` OpenClaw ignores per-agent docker settings), which sees its own
 * workspace and the variables of its `sandbox.docker.env` only, and `tools.elevated` off keeps it from running a
 * command on the host. OpenClaw 2026.2.26 leaves `*_TOKEN` variables out of the container's own environment (it
 * logs "Blocked sensitive environment variables") and gives them to each command the agent runs (`docker exec -e`),
 * which is where the skill's curl reads it. Tokens are referenced (`${PLANE_BRIDGE_TOKEN_<ID>}`), and a missing one
 * stops the gateway at start ("MissingEnvVarError"), both checked on the real gateway.
 */
import {
  type OpenClawConfigInput,
  referenceTo,
  renderHooks,
  tokenVariableOf,
} from './openclaw-config-base.ts'

/**
 * The image OpenClaw makes when none is given (`debian:bookworm-slim`) has no curl: installed once, when the
 * container is made (needs the network, a writable root and root, OpenClaw's documented set-up).
 */
export const SANDBOX_SETUP_COMMAND =
  'apt-get update && apt-get install -y --no-install-recommends curl ca-certificates'

/** Docker's default network: a sandbox has none unless told (OpenClaw's default is `"none"`, no egress). */
export const DEFAULT_SANDBOX_NETWORK = 'bridge'

export type SandboxAgentEntry = {
  id: string
  sandbox: {
    mode: 'all'
    scope: 'agent'
    docker: {
      network: string
      readOnlyRoot: false
      setupCommand: string
      env: { PLANE_BRIDGE_URL: string; PLANE_BRIDGE_TOKEN: string }
    }
  }
  tools: { elevated: { enabled: false } }
}

export type SandboxGatewayConfig = {
  hooks: Record<string, unknown>
  /** The skill's gate (`requires.env`) is read on the gateway's host: the URL only, never a token. */
  skills: { entries: { 'plane-bridge': { env: { PLANE_BRIDGE_URL: string } } } }
  agents: { list: SandboxAgentEntry[] }
}

export type SandboxConfigInput = OpenClawConfigInput & {
  /** The Docker network the sandboxes join to reach `bridgeUrl` (a compose network's name, say). */
  sandboxNetwork?: string | undefined
}

export function renderSandboxGatewayConfig(input: SandboxConfigInput): SandboxGatewayConfig {
  const { agents, bridgeUrl, sandboxNetwork = DEFAULT_SANDBOX_NETWORK } = input
  const base = bridgeUrl.replace(/\/+$/, '')
  return {
    hooks: renderHooks(input),
    skills: { entries: { 'plane-bridge': { env: { PLANE_BRIDGE_URL: base } } } },
    agents: {
      list: agents.map((agent) => ({
        id: agent.openclawAgentId,
        sandbox: {
          mode: 'all',
          scope: 'agent',
          docker: {
            network: sandboxNetwork,
            readOnlyRoot: false,
            setupCommand: SANDBOX_SETUP_COMMAND,
            // This agent's variable only: no entry names another's, so no sandbox is given another's token.
            env: {
              PLANE_BRIDGE_URL: base,
              PLANE_BRIDGE_TOKEN: referenceTo(tokenVariableOf(agent.id)),
            },
          },
        },
        tools: { elevated: { enabled: false } },
      })),
    },
  }
}
