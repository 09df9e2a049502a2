/**
 * @module job `agent-token`: bridge tokens for the registry's agents in one step — every agent without one
 * (`--all`) or those named, their digests written into AGENTS_FILE in place (the previous file kept beside it), the
 * tokens printed once as the gateway's environment lines. An agent that has a token keeps it unless `--rotate`.
 */
import { type AgentConfig, withBridgeTokenHashes } from '../../shared/agents/registry.ts'
import { defineJobFunction, type JobContext, type JobOutcome } from '../../shared/core/function.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { newAgentToken } from './auth.ts'
import { tokenVariableOf } from './openclaw-config-base.ts'
import { MCP_REQUEST_TIMEOUT_MS } from './openclaw-config-mcp.ts'

type Made = { agent: AgentConfig; token: string; sha256: string }

export const agentTokenFunction = defineJobFunction({
  name: 'agent-token',
  usage: '--all | <agent id>… [--rotate]',
  description:
    'Makes bridge tokens for the registry’s agents in one step: --all (every agent without one) or the ids named; writes their bridgeTokenSha256 into AGENTS_FILE in place (the previous file kept as .bak-<time>) and prints the tokens once, as the gateway’s environment lines. Agents that have a token keep it unless --rotate.',
  // It needs the registry, not the store.
  needsStore: false,
  run: async function agentToken(ctx) {
    const { args, agents } = ctx
    const rotate = args.includes('--rotate')
    const all = args.includes('--all')
    const ids = args.filter((a) => !a.startsWith('--')).map((a) => a.toLowerCase())
    const known = agents.map((a) => a.id).join(', ') || 'none (AGENTS_FILE is empty)'
    if (!all && ids.length === 0)
      throw new Error(
        `name the agents, or --all: npm run job -- agent-token --all | <id>… [--rotate] (agents: ${known})`
      )
    const unknown = ids.filter((id) => !agents.some((a) => a.id === id))
    if (unknown.length > 0)
      throw new Error(
        `no agent ${unknown.map((u) => `"${u}"`).join(', ')} in the registry (agents: ${known})`
      )
    const chosen = all ? agents : agents.filter((a) => ids.includes(a.id))
    const kept = chosen.filter((a) => a.bridgeTokenSha256 && !rotate)
    const made: Made[] = []
    for (const agent of chosen.filter((a) => !kept.includes(a)))
      made.push({ agent, ...(await newAgentToken()) })
    const keptLine =
      kept.length > 0
        ? `${kept.length} kept (${kept.map((a) => a.id).join(', ')}: they have a token; --rotate replaces it)`
        : ''
    if (made.length === 0)
      return {
        summary: `no token made: ${keptLine || 'no agent chosen'}`,
        terminal: [`Every agent chosen has a token: nothing made. ${keptLine}`],
      }
    return _written(ctx, made, keptLine)
  },
})

// --- Internal helpers ---

/** Digests into AGENTS_FILE, then the tokens once; when the file cannot be written, the entries to paste. */
async function _written(ctx: JobContext, made: Made[], keptLine: string): Promise<JobOutcome> {
  const file = ctx.agentRegistryFile
  const tokens = [
    `Bridge tokens, shown once (${made.length}). For the OpenClaw gateway's environment (its .env), the variables npm run job -- openclaw-config refers to:`,
    ...made.map((m) => `${tokenVariableOf(m.agent.id)}=${m.token}`),
  ]
  const hashes = Object.fromEntries(made.map((m) => [m.agent.id, m.sha256]))
  const pasteLines = made.map((m) => `  ${m.agent.id}: "bridgeTokenSha256": "${m.sha256}"`)
  const own =
    made.length === 1
      ? [
          `On the agent's own machine instead: openclaw mcp add plane-bridge --url ${_base(ctx)}/mcp --transport streamable-http --header "Authorization=Bearer <the token>" --timeout ${MCP_REQUEST_TIMEOUT_MS / 1000}`,
        ]
      : []
  let where: string
  try {
    if (!file) throw new Error('no AGENTS_FILE (the registry comes from AGENTS_JSON)')
    const { backup } = await file.replace(withBridgeTokenHashes(await file.read(), hashes))
    where = `AGENTS_FILE (${file.path}): ${made.length} bridgeTokenSha256 written${keptLine ? `, ${keptLine}` : ''}; the previous file is ${backup}.`
  } catch (error) {
    const why = errorMessage(error)
    return {
      summary: `${made.length} tokens made, registry not written`,
      failure: `the registry was not written (${why}): paste the bridgeTokenSha256 lines printed above into each agent's entry`,
      terminal: [
        ...tokens,
        `The registry was not written (${why}). Put these in each agent's entry${file ? ` of ${file.path}` : ' (AGENTS_JSON)'}:`,
        ...pasteLines,
        ...own,
        'Then restart plane-bridge.',
      ],
    }
  }
  return {
    summary: `${made.length} tokens made and written to the registry${keptLine ? `, ${keptLine}` : ''}`,
    terminal: [
      ...tokens,
      where,
      ...own,
      'Then restart plane-bridge (and the gateway, with its new environment).',
    ],
  }
}

function _base(ctx: JobContext): string {
  return ctx.config.PUBLIC_URL?.replace(/\/+$/, '') ?? 'https://<plane-bridge host>'
}
