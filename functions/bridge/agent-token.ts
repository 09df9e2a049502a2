/** @module job `agent-token <id>`: a new bridge token for an agent, shown once, with the registry line that accepts it. */
import { defineJobFunction } from '../../shared/function.ts'
import { newAgentToken } from './auth.ts'
import { tokenVariableOf } from './openclaw-config.ts'

export const agentTokenFunction = defineJobFunction({
  name: 'agent-token',
  usage: '<agent id>',
  description:
    'Prints a new bridge token for an agent (npm run job -- agent-token <id>) and the bridgeTokenSha256 to put in its registry entry; the token itself is stored nowhere.',
  run: async function agentToken({ args, agents, config }) {
    const [id] = args
    const known = agents.map((a) => a.id).join(', ') || 'none (AGENTS_FILE is empty)'
    if (!id) throw new Error(`name the agent: npm run job -- agent-token <id> (agents: ${known})`)
    const agent = agents.find((a) => a.id === id.toLowerCase())
    if (!agent) throw new Error(`no agent "${id}" in the registry (agents: ${known})`)
    const { token, sha256 } = await newAgentToken()
    const base = config.PUBLIC_URL?.replace(/\/+$/, '') ?? 'https://<plane-bridge host>'
    return {
      summary: `new token for ${agent.id}: put bridgeTokenSha256 in the registry, give the token to the agent`,
      terminal: [
        `Token for ${agent.name} (${agent.id}), shown once — in a gateway shared by several agents, as ${tokenVariableOf(agent.id)} in its environment (npm run job -- openclaw-config); on the agent's own machine, as PLANE_BRIDGE_TOKEN:`,
        `  ${token}`,
        `In ${config.AGENTS_FILE ?? 'the agent registry'}, in the entry of "${agent.id}":`,
        `  "bridgeTokenSha256": "${sha256}"`,
        'Then restart plane-bridge. OpenClaw on the agent’s own machine:',
        `  openclaw mcp add plane-bridge --url ${base}/mcp --transport streamable-http --header "Authorization=Bearer <the token>"`,
      ],
    }
  },
})
