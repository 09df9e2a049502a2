/**
 * @module The Plane accounts `bootstrap` makes and keeps ("Agents = Users Plane"): the bridge's own (workspace Admin,
 * its key is PLANE_API_KEY) and one per agent of the registry (the Concierge Admin, AUTH-01; the others Members), each
 * with the names of its secrets in BOOTSTRAP_SECRETS_FILE and the label of its key in Plane. Pure.
 */
import type { AgentConfig } from '../agents/registry.ts'

export type Account = {
  /** `bridge` or `agent:<id>`: how the report and the key's label name it. */
  ref: string
  agentId: string | null
  email: string
  /** Its workspace role: 20 Admin, 15 Member. */
  role: 20 | 15
  /** The variable its key is written under: PLANE_API_KEY, or the agent's `planeTokenEnv`. */
  tokenVar: string
  /** False when the agent has no `planeTokenEnv`: its key is written under PLANE_TOKEN_<ID>, which nothing reads yet. */
  tokenVarDeclared: boolean
  /** Bootstrap's own lines: the password it signs in with, the id of the key whose secret the file holds. */
  passwordVar: string
  keyIdVar: string
  /** The API token's label in Plane, which a later run finds it by. */
  keyLabel: string
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export type WantedAccounts = {
  accounts: Account[]
  /** Agents bootstrap cannot make an account for, each with why and the fix. */
  problems: Array<{ subject: string; detail: string }>
}

export function wantedAccounts(
  agents: readonly AgentConfig[],
  { bridgeEmail }: { bridgeEmail: string }
): WantedAccounts {
  const accounts: Account[] = [_account('bridge', null, bridgeEmail, 20, 'PLANE_API_KEY', true)]
  const problems: WantedAccounts['problems'] = []
  for (const agent of agents) {
    const email = agent.planeUser.trim().toLowerCase()
    const subject = `account ${agent.id}`
    if (!EMAIL.test(email)) {
      problems.push({
        subject,
        detail: `its planeUser (${agent.planeUser}) is not an e-mail: bootstrap makes accounts from e-mails. Put the account's e-mail in agents.json and run bootstrap again.`,
      })
      continue
    }
    if (accounts.some((a) => a.email === email)) {
      problems.push({
        subject,
        detail: `${email} is already the e-mail of ${accounts.find((a) => a.email === email)?.ref}: each agent needs its own Plane account (and PLANE_BRIDGE_EMAIL its own).`,
      })
      continue
    }
    const declared = Boolean(agent.planeTokenEnv)
    const tokenVar = agent.planeTokenEnv ?? `PLANE_TOKEN_${_upper(agent.id)}`
    accounts.push(
      _account(
        `agent:${agent.id}`,
        agent.id,
        email,
        agent.role === 'concierge' ? 20 : 15,
        tokenVar,
        declared
      )
    )
  }
  return { accounts, problems }
}

/** PLANE_BRIDGE_EMAIL, else `plane-bridge@` and the domain of PLANE_ADMIN_EMAIL. */
export function bridgeEmailOf(config: {
  PLANE_BRIDGE_EMAIL?: string | undefined
  PLANE_ADMIN_EMAIL?: string | undefined
}): string | null {
  if (config.PLANE_BRIDGE_EMAIL) return config.PLANE_BRIDGE_EMAIL.toLowerCase()
  const domain = config.PLANE_ADMIN_EMAIL?.split('@')[1]
  return domain ? `plane-bridge@${domain.toLowerCase()}` : null
}

export function roleName(role: number): string {
  return role === 20 ? 'Admin' : role === 15 ? 'Member' : role === 5 ? 'Guest' : `role ${role}`
}

function _account(
  ref: string,
  agentId: string | null,
  email: string,
  role: 20 | 15,
  tokenVar: string,
  tokenVarDeclared: boolean
): Account {
  const name = agentId === null ? 'BRIDGE' : `AGENT_${_upper(agentId)}`
  return {
    ref,
    agentId,
    email: email.toLowerCase(),
    role,
    tokenVar,
    tokenVarDeclared,
    passwordVar: `BOOTSTRAP_PASSWORD_${name}`,
    keyIdVar: `BOOTSTRAP_KEY_ID_${name}`,
    keyLabel: `plane-bridge ${ref}`,
  }
}

function _upper(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]/g, '_')
}
