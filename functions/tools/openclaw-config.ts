/**
 * @module job `openclaw-config`: the OpenClaw gateway configuration for the agents of the registry when one gateway
 * hosts them all, printed to merge into `~/.openclaw/openclaw.json`, in what the gateway's line accepts
 * (DESIGN 13): the version given (`--openclaw-version`), else the one read from the gateway at OPENCLAW_HOOKS_URL,
 * else the newest line, said as such. 2026.9.x: one MCP server per agent (openclaw-config-mcp.ts); 2026.2.x: each
 * agent's token in its own sandbox (openclaw-config-sandbox.ts). Either way, no token is written, and no agent is
 * given another's.
 */
import type { AgentConfig } from '../../shared/agents/registry.ts'
import type { Config } from '../../shared/core/config.ts'
import { defineJobFunction } from '../../shared/core/function.ts'
import {
  NEWEST_OPENCLAW_LINE,
  OPENCLAW_LINES,
  type OpenClawLine,
  openClawLineOf,
} from '../../shared/openclaw/lines.ts'
import { detectOpenClawRelease } from '../../shared/openclaw/release.ts'
import { mcpAllowedHosts, mcpHostAdvice, mcpRefusedHost } from './mcp-hosts.ts'
import { tokenVariableOf } from './openclaw-config-base.ts'
import { type McpGatewayConfig, renderMcpGatewayConfig } from './openclaw-config-mcp.ts'
import {
  renderSandboxGatewayConfig,
  type SandboxConfigInput,
  type SandboxGatewayConfig,
} from './openclaw-config-sandbox.ts'

/** Which line the configuration is for, and why (said in the output). */
export type LineChoice = { line: OpenClawLine; why: string }

export function renderOpenClawConfig(
  input: SandboxConfigInput & { line: '2026.2' }
): SandboxGatewayConfig
export function renderOpenClawConfig(
  input: SandboxConfigInput & { line?: '2026.9' }
): McpGatewayConfig
export function renderOpenClawConfig(
  input: SandboxConfigInput & { line?: OpenClawLine }
): McpGatewayConfig | SandboxGatewayConfig
export function renderOpenClawConfig({
  line = NEWEST_OPENCLAW_LINE,
  ...input
}: SandboxConfigInput & { line?: OpenClawLine }): McpGatewayConfig | SandboxGatewayConfig {
  return line === '2026.2' ? renderSandboxGatewayConfig(input) : renderMcpGatewayConfig(input)
}

const LINES_SAID = OPENCLAW_LINES.map((l) => `${l}.x`).join(', ')

/** `--openclaw-version` first; then the gateway, when OPENCLAW_HOOKS_URL lets it be asked; then the newest line. */
export async function chooseOpenClawLine(
  given: string | undefined,
  config: Pick<Config, 'OPENCLAW_HOOKS_URL' | 'OPENCLAW_HOOKS_TOKEN'>,
  fetchImpl?: typeof fetch
): Promise<LineChoice> {
  if (given !== undefined) {
    const line = openClawLineOf(given)
    if (!line)
      throw new Error(
        `--openclaw-version ${given}: plane-bridge generates for OpenClaw ${LINES_SAID} (a version such as 2026.2.26)`
      )
    return { line, why: `--openclaw-version ${given}` }
  }
  const { OPENCLAW_HOOKS_URL: hooksUrl, OPENCLAW_HOOKS_TOKEN: token } = config
  const release =
    hooksUrl && token
      ? await detectOpenClawRelease({
          hooksUrl,
          token,
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        })
      : null
  if (release?.line)
    return { line: release.line, why: `read from the gateway: ${release.evidence}` }
  if (release)
    throw new Error(
      `the gateway runs OpenClaw ${release.version}; plane-bridge generates for ${LINES_SAID}: give --openclaw-version`
    )
  const unasked = hooksUrl && token ? 'the gateway did not answer' : 'OPENCLAW_HOOKS_URL is unset'
  return {
    line: NEWEST_OPENCLAW_LINE,
    why: `the newest line plane-bridge supports (${unasked}; --openclaw-version 2026.2.26 for a 2026.2 gateway)`,
  }
}

export const openclawConfigFunction = defineJobFunction({
  name: 'openclaw-config',
  usage: '[--url <plane-bridge URL>] [--openclaw-version <v>] [--sandbox-network <name>] [--json]',
  needsStore: false,
  description:
    'Prints the OpenClaw gateway configuration for the registry’s agents in one gateway, for the gateway’s line (--openclaw-version, else read from OPENCLAW_HOOKS_URL, else the newest): 2026.9.x one MCP server per agent, each denied the others’; 2026.2.x each agent’s token in its own sandbox. Tokens by reference only (npm run job -- openclaw-config). Writes nothing.',
  run: async function openclawConfig({ args, agents, config, progress }) {
    if (agents.length === 0)
      throw new Error('the agent registry is empty: set AGENTS_FILE (or AGENTS_JSON) first')
    const url = _option(args, '--url') ?? config.PUBLIC_URL
    if (!url)
      throw new Error(
        'give plane-bridge’s URL as the agents reach it: --url http://plane-bridge:8787 (or set PUBLIC_URL)'
      )
    const choice = await chooseOpenClawLine(_option(args, '--openclaw-version'), config)
    const input = {
      agents,
      bridgeUrl: url,
      sessionKeyPrefix: config.OPENCLAW_SESSION_KEY_PREFIX,
      sandboxNetwork: _option(args, '--sandbox-network'),
    }
    const json = JSON.stringify(renderOpenClawConfig({ ...input, line: choice.line }), null, 2)
    const said = `OpenClaw ${choice.line}.x (${choice.why})`
    // The README's own example (--url http://plane-bridge:8787) gets 403 from /mcp unless the host is allowed.
    // 2026.2 has no MCP client: its agents call /bridge/v1, which has no such check.
    const refused = choice.line === '2026.9' ? mcpRefusedHost(url, config) : null
    // Before the configuration, on the terminal (stderr with --json, so the JSON stays alone on stdout).
    if (refused)
      progress?.(
        `warning: /mcp refuses the host ${refused} (403 Invalid Host): ${mcpHostAdvice(refused, mcpAllowedHosts(config))}`
      )
    const hostNote = refused ? `; add ${refused} to MCP_ALLOWED_HOSTS` : ''
    if (args.includes('--json'))
      return { summary: `${agents.length} agents, ${said}${hostNote}`, terminal: json.split('\n') }
    const steps = choice.line === '2026.2' ? _sandboxSteps(agents) : _mcpSteps(agents)
    return {
      summary: `${agents.length} agents, ${said}${hostNote}`,
      terminal: [`// ${said}`, ...steps.before, ...json.split('\n'), '', ...steps.after],
    }
  },
})

// --- Internal helpers ---

function _option(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag)
  if (at < 0) return undefined
  const value = args[at + 1]
  if (!value || value.startsWith('--')) throw new Error(`${flag} needs a value`)
  return value
}

function _variables(agents: readonly AgentConfig[]): string[] {
  return [
    '// In the gateway’s environment or ~/.openclaw/.env (never in a file you commit):',
    '//   OPENCLAW_HOOKS_TOKEN=<plane-bridge’s OPENCLAW_HOOKS_TOKEN>',
    ...agents.map(
      (a) => `//   ${tokenVariableOf(a.id)}=<printed by npm run job -- agent-token --all>`
    ),
  ]
}

function _mcpSteps(agents: readonly AgentConfig[]) {
  return {
    before: [
      `// Merge into ~/.openclaw/openclaw.json (${agents.length} agents; tools.deny lists add to yours):`,
    ],
    after: [
      ..._variables(agents),
      '// Then, once for the gateway: openclaw skills install ./skills/plane-bridge --global',
      '// (every agent sees it), and openclaw mcp probe plane-bridge-<id> --json to see an agent’s tools.',
    ],
  }
}

function _sandboxSteps(agents: readonly AgentConfig[]) {
  return {
    before: [
      `// Merge into ~/.openclaw/openclaw.json (${agents.length} agents): each agents.list entry into yours by id,`,
      '// keeping your own keys (workspace, model…). Each agent’s token reaches its own sandbox only: the gateway’s',
      '// host needs Docker, and sandbox.mode "all" with tools.elevated off stays as it is (docs/agents.md).',
    ],
    after: [
      ..._variables(agents),
      '// Then, once for the gateway (2026.2 has no `skills install`): mkdir -p ~/.openclaw/skills &&',
      '//   cp -r ./skills/plane-bridge ~/.openclaw/skills/   and openclaw skills info plane-bridge to see it eligible.',
    ],
  }
}
