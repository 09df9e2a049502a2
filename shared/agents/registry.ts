/** @module The agent registry: id ↔ Plane user ↔ OpenClaw agent ↔ own Plane token, validated with errors naming the entry. */
import * as z from 'zod'

/** An agent's display name, as Telegram shows it in a message's lines. */
export const AGENT_NAME_MAX_CHARS = 64

/** An agent as the other parts name it: who it is in the registry, in Plane and in OpenClaw. */
export type AgentRef = {
  /** Short id (`imhotep`). */
  id: string
  name: string
  role: 'concierge' | 'member'
  planeUserId: string
  openclawAgentId: string
}

const agentSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a short lowercase id such as "imhotep"'),
  // A display name: it goes whole into messages to the human (runs, grouped messages, cards), so it is bounded here
  // rather than cut in each of them (a 3,500-character name makes Telegram refuse six kinds of message).
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(
      AGENT_NAME_MAX_CHARS,
      `must be at most ${AGENT_NAME_MAX_CHARS} characters (it is a display name)`
    ),
  role: z.enum(['concierge', 'member']),
  /** An email (resolved through the workspace members list) or a Plane user id. */
  planeUser: z.string().trim().min(1, 'must be an email or a Plane user id'),
  openclawAgentId: z.string().trim().min(1, 'must not be empty'),
  /** Name of the environment variable holding this agent's own Plane API key (actions attributed to it). */
  planeTokenEnv: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment variable name such as PLANE_TOKEN_IMHOTEP')
    .optional(),
  /** Hex SHA-256 of this agent's bridge token (`npm run job -- agent-token <id>`), so the file holds no secret. */
  bridgeTokenSha256: z
    .string()
    .regex(
      /^[0-9a-f]{64}$/i,
      'must be the 64-hex-digit SHA-256 printed by `npm run job -- agent-token <id>`'
    )
    .transform((v) => v.toLowerCase())
    .optional(),
  tags: z.array(z.string()).default([]),
  /** OPENCLAW-11: this agent's own budget for a calendar month, in USD, within BUDGET_MONTHLY_USD's. */
  monthlyBudgetUsd: z
    .number({ error: 'must be an amount in USD, e.g. 200' })
    .positive('must be more than 0')
    .max(1e9)
    .optional(),
})

const registrySchema = z.strictObject({
  agents: z.array(agentSchema).min(1, 'must list at least one agent'),
})

export type AgentConfig = z.output<typeof agentSchema>

export class AgentRegistryError extends Error {
  override name = 'AgentRegistryError'
}

/** Parse the registry JSON; every problem is reported, each naming the agent it is about. */
export function parseAgentRegistry(json: string, source = 'AGENTS_FILE'): AgentConfig[] {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch (error) {
    throw new AgentRegistryError(`${source}: not valid JSON (${(error as Error).message})`)
  }
  const result = registrySchema.safeParse(raw)
  if (!result.success) {
    const entries = Array.isArray((raw as { agents?: unknown })?.agents)
      ? (raw as { agents: unknown[] }).agents
      : []
    const problems = result.error.issues.map((issue) => {
      const [, index, field] = issue.path
      if (typeof index !== 'number')
        return `${issue.path.join('.') || 'registry'}: ${issue.message}`
      const entry = entries[index] as { id?: unknown } | undefined
      const who = typeof entry?.id === 'string' ? `agent "${entry.id}"` : `agent #${index + 1}`
      return `${who}${field !== undefined ? ` ${String(field)}` : ''}: ${issue.message}`
    })
    throw new AgentRegistryError(`${source} is invalid:\n- ${problems.join('\n- ')}`)
  }
  const agents = result.data.agents
  const duplicates = (key: 'id' | 'planeUser' | 'openclawAgentId') =>
    agents.map((a) => a[key].toLowerCase()).filter((v, i, all) => all.indexOf(v) !== i)
  const problems = (['id', 'planeUser', 'openclawAgentId'] as const).flatMap((key) =>
    duplicates(key).map((v) => `${key} "${v}" is used by more than one agent`)
  )
  const digests = agents.flatMap((a) => (a.bridgeTokenSha256 ? [a.bridgeTokenSha256] : []))
  if (new Set(digests).size !== digests.length)
    problems.push('bridgeTokenSha256: two agents share one token; give each its own')
  if (agents.filter((a) => a.role === 'concierge').length > 1)
    problems.push('only one agent may be the concierge')
  if (problems.length > 0)
    throw new AgentRegistryError(`${source} is invalid:\n- ${problems.join('\n- ')}`)
  return agents
}

/** The registry file (AGENTS_FILE) as a job may rewrite it: the Node runtime's, absent on Workers and with AGENTS_JSON. */
export type AgentRegistryFile = {
  /** As resolved from AGENTS_FILE (relative paths are from the working directory). */
  path: string
  read(): Promise<string>
  /** Replace the content (atomically); the previous content is kept next to it, at the path returned. */
  replace(text: string): Promise<{ backup: string }>
}

/**
 * The registry's JSON with these `bridgeTokenSha256` set, everything else as it was (ten agents in one
 * step). Throws when the result would not be a valid registry.
 */
export function withBridgeTokenHashes(
  json: string,
  hashes: Readonly<Record<string, string>>
): string {
  const raw = JSON.parse(json) as { agents: Array<Record<string, unknown>> }
  for (const entry of raw.agents) {
    const digest = typeof entry.id === 'string' ? hashes[entry.id] : undefined
    if (digest) entry.bridgeTokenSha256 = digest
  }
  const text = `${JSON.stringify(raw, null, 2)}\n`
  parseAgentRegistry(text)
  return text
}

export function isEmail(value: string): boolean {
  return /^[^@\s]+@[^@\s]+$/.test(value)
}

/** Each agent's own Plane key, read from the variable its `planeTokenEnv` names (missing ones left out). */
export function agentTokensFrom(
  agents: readonly AgentConfig[],
  env: Record<string, string | undefined>
): Record<string, string> {
  const tokens: Record<string, string> = {}
  for (const agent of agents) {
    const value = agent.planeTokenEnv ? env[agent.planeTokenEnv]?.trim() : undefined
    if (value) tokens[agent.id] = value
  }
  return tokens
}
