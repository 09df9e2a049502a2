/**
 * A Plane just installed (the simulator, `fresh`, on loopback) and `npm run job -- bootstrap` run against it in
 * process, each run a new runtime (as each `npm run job` is), the secrets file in a temporary directory.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { functions } from '../../functions/index.ts'
import { runJobCommand } from '../../runtime/node-cli.ts'
import { nodeSecretsFile } from '../../runtime/node-secrets-file.ts'
import type { AgentConfig } from '../../shared/agents/registry.ts'
import type { RawEnv } from '../../shared/core/config.ts'
import { parseSecretsText } from '../../shared/core/secrets-file.ts'
import { SIM_PLANE_VERSION } from '../../sim/e2e/harness.ts'
import { makeServices } from '../../sim/e2e/services.ts'
import { createPlaneSim, type PlaneSimOptions } from '../../sim/plane/index.ts'

export const ADMIN_EMAIL = 'human@javisi.local'
export const ADMIN_PASSWORD = 'vK3#pLq9-Wz7!mRt2Yx'
export const HOOKS_URL = 'https://hooks.javisi.cloud'

/** The release each suite runs on: the deployment's pin on v1.2, the one it must work with on v1.3. */
export const RELEASE = SIM_PLANE_VERSION === '1.3' ? '1.3.1' : '1.2.2'

export const TEAM: AgentConfig[] = [
  _agent('ra', 'concierge'),
  _agent('imhotep', 'member'),
  _agent('thot', 'member'),
]

export async function startBootstrapWorld(options: PlaneSimOptions = {}) {
  const plane = createPlaneSim({
    fresh: true,
    version: RELEASE.startsWith('1.3') ? '1.3' : '1.2',
    release: RELEASE,
    enableSignup: false,
    webhookRetryDelayMs: () => 0,
    ...options,
  })
  const http = await plane.listen(0)
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-'))
  const secretsPath = join(dir, 'secrets.env')
  const env: RawEnv = {
    PLANE_BASE_URL: http.url,
    PLANE_WORKSPACE_SLUG: plane.workspaceSlug,
    PLANE_ADMIN_EMAIL: ADMIN_EMAIL,
    PLANE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    PUBLIC_URL: HOOKS_URL,
  }

  /** `npm run job -- bootstrap …` in a new runtime: its exit code and what it printed. */
  async function bootstrap(args: string[] = [], more: RawEnv = {}, agents = TEAM) {
    const services = makeServices({
      functions,
      agents,
      secretsFile: nodeSecretsFile(secretsPath),
      env: { ...env, ...more },
    })
    const out: string[] = []
    const code = await runJobCommand({
      args: ['bootstrap', ...args],
      functions,
      root: services.root,
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    })
    return { code, out: out.join('\n'), logs: services.rawLogs.join('\n') }
  }

  return {
    plane,
    url: http.url,
    env,
    secretsPath,
    bootstrap,
    /** The secrets file as the runtime reads it ({} before the first run). */
    secrets(): Record<string, string> {
      try {
        return parseSecretsText(readFileSync(secretsPath, 'utf8'))
      } catch {
        return {}
      }
    },
    secretsMode: () => statSync(secretsPath).mode & 0o777,
    /** Plane's rows bootstrap makes, in a form two states compare by. */
    snapshot() {
      const { state, session } = plane
      return {
        setUp: session.instance.is_setup_done,
        workspace: state.workspace.exists
          ? { slug: state.workspace.slug, tz: state.workspace.timezone }
          : null,
        members: state.workspaceMembers
          .map((m) => `${state.users.get(m.member)?.email}:${m.role}:${m.is_active}`)
          .sort(),
        invitations: [...state.invitations.values()]
          .filter((i) => i.deleted_at === null)
          .map((i) => i.email),
        tokens: [...state.tokens.values()]
          .map((t) => `${state.users.get(t.user)?.email}:${session.tokenMeta.get(t.token)?.label}`)
          .sort(),
        webhooks: [...state.webhooks.values()].map((w) => ({
          url: w.url,
          active: w.is_active,
          events: [w.project, w.issue, w.module, w.cycle, w.issue_comment],
        })),
      }
    },
    /** Requests that write, but for the sign-ins (a session is all they make). */
    writesSince(from: number) {
      return plane.requests
        .slice(from)
        .filter((r) => r.method !== 'GET' && r.path !== '/auth/sign-in/')
        .map((r) => `${r.method} ${r.path}`)
    },
    /** GET /api/v1/users/me/ with a key: the user it acts as (null when refused). */
    async keyUser(key: string | undefined): Promise<string | null> {
      if (!key) return null
      const response = await fetch(`${http.url}/api/v1/users/me/`, {
        headers: { 'x-api-key': key },
      })
      return response.ok ? ((await response.json()) as { email: string }).email : null
    },
    /** Plane's server stopped and the secrets file's folder removed: nothing of the world is left behind. */
    async close() {
      await http.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type BootstrapWorld = Awaited<ReturnType<typeof startBootstrapWorld>>

function _agent(id: string, role: 'concierge' | 'member'): AgentConfig {
  return {
    id,
    name: id[0]?.toUpperCase() + id.slice(1),
    role,
    planeUser: `${id}@javisi.local`,
    openclawAgentId: id,
    planeTokenEnv: `PLANE_TOKEN_${id.toUpperCase()}`,
    tags: [],
  }
}
