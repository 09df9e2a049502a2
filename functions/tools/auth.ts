/** @module Who is calling: `Authorization: Bearer <token>` → the agent whose registry entry holds the token's SHA-256. */
import type { AgentConfig } from '../../shared/agents/registry.ts'
import { type Hashing, sha256Hex } from '../../shared/hash.ts'

/** How a rejected call is told to authenticate (RFC 6750), on both doors. */
export const WWW_AUTHENTICATE = 'Bearer realm="plane-bridge"'

/**
 * The agent a bearer token belongs to, or null. Every registry entry is compared, in constant time per
 * entry, so timing says nothing about which entry or how much of it matched. The token is never logged.
 * `hashing`: the runtime's (on Node, `node:crypto`'s: a call's digest does not go to the thread pool and back).
 */
export async function agentForToken(
  agents: readonly AgentConfig[],
  authorization: string | null | undefined,
  hashing: Pick<Hashing, 'sha256Hex'> = { sha256Hex }
): Promise<AgentConfig | null> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1]
  if (!token || token.length > 512) return null
  const digest = await hashing.sha256Hex(token)
  let found: AgentConfig | null = null
  for (const agent of agents) {
    const expected = agent.bridgeTokenSha256
    if (expected && _equalHex(digest, expected) && !found) found = agent
  }
  return found
}

/** A new random token (`pbt_` + 32 bytes base64url) and the digest to put in the registry. */
export async function newAgentToken(): Promise<{ token: string; sha256: string }> {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  const token = `pbt_${btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '')}`
  return { token, sha256: await sha256Hex(token) }
}

// --- Internal helpers ---

function _equalHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
