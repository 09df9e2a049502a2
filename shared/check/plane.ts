/** @module `check` for Plane: the base URL answers, the bridge's key is accepted, the workspace and its role, each agent's key. */
import type { AgentConfig } from '../agents/registry.ts'
import type { Config } from '../core/config.ts'
import { createPlaneClient, type PlaneClient } from '../plane/client.ts'
import { diagnosePlaneFailure } from '../plane/diagnose.ts'
import type { SharedWindow } from '../plane/request-window.ts'
import { type CheckResult, offResult } from './result.ts'

/** Tried once: no retries (the check says what is wrong now), and no long wait on a dead host. */
const CHECK_TIMEOUT_MS = 10_000

export type PlaneCheckOptions = {
  config: Config
  agents: readonly AgentConfig[]
  /** Each agent's own Plane key, by agent id (`planeTokenEnv`). */
  agentTokens: Readonly<Record<string, string>>
  fetch?: typeof fetch
  /**
   * Each key's window as every process on the store counts it: the check's requests are Plane's to count like any
   * other, at background work's share, so a check beside a running server never takes the share kept for a wake or
   * a person (without it, this process's own window: its requests unseen by the others).
   */
  window?: SharedWindow
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

const ROLE_NAME: Record<number, string> = { 20: 'Admin', 15: 'Member', 5: 'Guest' }

export async function checkPlane(options: PlaneCheckOptions): Promise<CheckResult[]> {
  const {
    PLANE_BASE_URL: baseUrl,
    PLANE_API_KEY: apiKey,
    PLANE_WORKSPACE_SLUG: slug,
  } = options.config
  if (!baseUrl || !apiKey || !slug) {
    const missing = Object.entries({
      PLANE_BASE_URL: baseUrl,
      PLANE_API_KEY: apiKey,
      PLANE_WORKSPACE_SLUG: slug,
    })
      .filter(([, value]) => !value)
      .map(([key]) => key)
    return [offResult('plane', missing)]
  }
  const plane = _client(options, apiKey)
  const host = _host(baseUrl)
  let me: Awaited<ReturnType<PlaneClient['users']['me']>>
  try {
    me = await plane.users.me()
  } catch (error) {
    return [{ name: 'plane', status: 'fail', detail: _meFailure(error, host, 'PLANE_API_KEY') }]
  }
  const who = me.email ?? me.display_name ?? me.id
  const results: CheckResult[] = [
    {
      name: 'plane',
      status: 'ok',
      detail: `${host} answers; PLANE_API_KEY accepted (user ${who})`,
    },
  ]
  results.push(await _workspace(plane, { slug, host }, me.id, who))
  results.push(...(await _agentKeys(options, host)))
  return results
}

/** The bridge's own client as `check` uses it (no retries, a short timeout), or null when Plane is off. */
export function planeClientForCheck(
  options: Pick<PlaneCheckOptions, 'config' | 'fetch' | 'window' | 'now' | 'sleep'>
): PlaneClient | null {
  const { PLANE_BASE_URL, PLANE_API_KEY, PLANE_WORKSPACE_SLUG } = options.config
  if (!PLANE_BASE_URL || !PLANE_API_KEY || !PLANE_WORKSPACE_SLUG) return null
  return _client(options, PLANE_API_KEY)
}

// --- Internal helpers ---

function _client(
  options: Pick<PlaneCheckOptions, 'config' | 'fetch' | 'window' | 'now' | 'sleep'>,
  apiKey: string
): PlaneClient {
  const { config } = options
  return createPlaneClient({
    baseUrl: config.PLANE_BASE_URL as string,
    apiKey,
    workspaceSlug: config.PLANE_WORKSPACE_SLUG as string,
    rateLimit: config.PLANE_API_RATE_LIMIT,
    retryDelaysMs: [],
    timeoutMs: CHECK_TIMEOUT_MS,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.window ? { sharedWindow: options.window } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  })
}

/** The members list is the role check itself: Guests, non-members and unknown slugs all get 403 (plane-api.md §2, §3.3). */
async function _workspace(
  plane: PlaneClient,
  { slug, host }: { slug: string; host: string },
  myId: string,
  who: string
): Promise<CheckResult> {
  const name = 'plane workspace'
  try {
    const members = await plane.members.list()
    const role = members.find((m) => m.id === myId)?.role ?? 0
    if (role < 15)
      return {
        name,
        status: 'fail',
        detail: `"${slug}" found, but ${who} is ${ROLE_NAME[role] ?? 'not a member'} there: make it Admin in Workspace settings → Members`,
      }
    return {
      name,
      status: 'ok',
      detail: `"${slug}" found; ${who} is ${ROLE_NAME[role]}${role < 20 ? ' (Admin is needed to invite agents)' : ''}, ${members.length} members`,
    }
  } catch (error) {
    return { name, status: 'fail', detail: diagnosePlaneFailure(error, { slug, host }).detail }
  }
}

/** Each agent's own key (`planeTokenEnv`): accepted, and the agent's own user. */
async function _agentKeys(options: PlaneCheckOptions, host: string): Promise<CheckResult[]> {
  const withKey = options.agents.filter((a) => options.agentTokens[a.id])
  if (withKey.length === 0)
    return [
      {
        name: 'plane agent keys',
        status: 'off',
        detail: 'off (no agent has a planeTokenEnv key set)',
      },
    ]
  const results: CheckResult[] = []
  for (const agent of withKey) {
    const name = `plane key ${agent.id}`
    const variable = agent.planeTokenEnv ?? 'its planeTokenEnv variable'
    try {
      const me = await _client(options, options.agentTokens[agent.id] as string).users.me()
      const own =
        me.id === agent.planeUser || me.email?.toLowerCase() === agent.planeUser.toLowerCase()
      results.push(
        own
          ? { name, status: 'ok', detail: `accepted (user ${me.email ?? me.id})` }
          : {
              name,
              status: 'fail',
              detail: `${variable} belongs to ${me.email ?? me.id}, not ${agent.planeUser}: create a key as ${agent.planeUser}`,
            }
      )
    } catch (error) {
      results.push({ name, status: 'fail', detail: _meFailure(error, host, variable) })
    }
  }
  return results
}

function _meFailure(error: unknown, host: string, variable: string): string {
  return diagnosePlaneFailure(error, { keyVariable: variable, host }).detail
}

function _host(url: string): string {
  try {
    return new URL(url).host
  } catch {
    // Not a URL: the line names the setting instead.
    return 'PLANE_BASE_URL'
  }
}
