/**
 * After `bootstrap` on a fresh Plane, the bridge starts with no manual step: its settings are `.env`'s and the
 * secrets file's (as runtime/node.ts reads them), `check` finds nothing wrong with Plane, Plane's signed delivery is
 * accepted, and an agent lists its tasks with the key bootstrap made for it.
 */
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { createApp } from '../../runtime/app.ts'
import { runJobCommand } from '../../runtime/node-cli.ts'
import type { AgentConfig } from '../../shared/agents/registry.ts'
import { applySecrets } from '../../shared/core/secrets-file.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { makeServices } from '../../sim/e2e/services.ts'
import {
  type BootstrapWorld,
  HOOKS_URL,
  RELEASE,
  startBootstrapWorld,
  TEAM,
} from './bootstrap-world.ts'

const THOT_TOKEN = 'pbt_thot_0123456789abcdefghijklmnopqrstuvwxyz'
const AGENTS: AgentConfig[] = TEAM.map((a) =>
  a.id === 'thot'
    ? { ...a, bridgeTokenSha256: createHash('sha256').update(THOT_TOKEN).digest('hex') }
    : a
)

let w: BootstrapWorld | null = null
afterEach(async () => {
  await w?.close()
  w = null
})

describe(`the bridge after bootstrap on Plane ${RELEASE}`, () => {
  it('should start, pass check for Plane, accept a signed delivery and serve an agent with its new key', async () => {
    // Plane posts its webhook to the bridge's public URL: here, into the app started below.
    let bridge: ReturnType<typeof createApp> | null = null
    w = await startBootstrapWorld({
      webhookFetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        if (!bridge) throw new TypeError('fetch failed: connection refused')
        return bridge.request(String(input).replace(HOOKS_URL, 'http://bridge.test'), init)
      }) as typeof fetch,
    })
    const made = await w.bootstrap([], {}, AGENTS)
    expect(made.code, made.out).toBe(0)

    // runtime/node.ts: .env (here the world's settings), then the secrets file; nothing copied by hand.
    const env: Record<string, string | undefined> = { ...w.env }
    applySecrets(env, w.secrets(), new Set(Object.keys(w.env)))
    const settings = Object.fromEntries(
      Object.entries(env).filter(([, v]) => v !== undefined)
    ) as Record<string, string>
    const services = makeServices({
      functions,
      agents: AGENTS,
      agentTokens: Object.fromEntries(
        AGENTS.map((a) => [a.id, settings[a.planeTokenEnv ?? ''] ?? ''])
      ),
      env: { ...settings, NOTIFY_COALESCE_MS: '50' },
    })
    bridge = createApp({ functions, root: services.root })

    // The Concierge makes a project with its own key, lets the bridge and Thot in, and gives Thot a task.
    const ra = settings.PLANE_TOKEN_RA ?? ''
    const v1 = async (path: string, body: unknown) => {
      const response = await fetch(`${w?.url}/api/v1/workspaces/javisi/${path}`, {
        method: 'POST',
        headers: { 'x-api-key': ra, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      expect(response.status, path).toBeLessThan(300)
      return (await response.json()) as { id: string }
    }
    const users = [...w.plane.state.users.values()]
    const userId = (email: string) => users.find((u) => u.email === email)?.id
    const project = await v1('projects/', { name: 'Onboarding', identifier: 'ONB' })
    await v1(`projects/${project.id}/members/`, {
      member: userId('plane-bridge@javisi.local'),
      role: 20,
    })
    await v1(`projects/${project.id}/members/`, { member: userId('thot@javisi.local'), role: 15 })
    const todo = [...w.plane.state.states.values()].find(
      (st) => st.project === project.id && st.name === 'Todo'
    )?.id
    await v1(`projects/${project.id}/work-items/`, {
      name: 'Write the guide',
      state: todo,
      assignees: [userId('thot@javisi.local')],
    })
    // What the deliveries brought, through the pipeline (its coalescing delay) into the index (the harness's settle).
    for (let round = 0; round < 50; round++) {
      await w.plane.webhooks.settle()
      await services.background.idle(10_000)
      await services.root.parts().settle(10_000)
      if (await services.background.idle(0, { timers: false })) break
    }
    const deliveries = w.plane.webhooks.deliveries
    expect(deliveries.length).toBeGreaterThan(0)
    // Signed with the secret bootstrap wrote, and accepted (a delivery still in flight has no status yet).
    expect(deliveries.some((d) => d.status === 200)).toBe(true)
    expect(deliveries.filter((d) => d.status !== undefined && d.status !== 200)).toEqual([])
    expect(deliveries[0]?.url).toBe(`${HOOKS_URL}/webhooks/plane`)

    const check = { out: [] as string[] }
    await runJobCommand({
      args: ['check'],
      functions,
      root: services.root,
      out: (l) => check.out.push(l),
      err: (l) => check.out.push(l),
    })
    const planeLines = check.out.filter((l) => /^[✓✗!–] plane/.test(l))
    expect(planeLines.length, check.out.join('\n')).toBeGreaterThan(0)
    expect(
      planeLines.filter((l) => l.startsWith('✗')),
      check.out.join('\n')
    ).toEqual([])
    expect(check.out.join('\n')).toMatch(
      /✓ plane: .* PLANE_API_KEY accepted \(user plane-bridge@javisi\.local\)/
    )
    // Every Plane line ✓: the key, the workspace and its role, the webhook's deliveries, each agent's own key. (The
    // agents' bridge tokens are `agent-token`'s to make, a step of its own.)
    expect(planeLines.map((l) => l.split(':')[0])).toEqual([
      '✓ plane',
      '✓ plane workspace',
      '✓ plane webhook',
      '✓ plane key ra',
      '✓ plane key imhotep',
      '✓ plane key thot',
    ])
    expect(check.out.join('\n')).not.toMatch(/^✗ settings/m)

    const listed = await callHttp(bridge, 'list_my_tasks', THOT_TOKEN, {})
    expect(listed.status, JSON.stringify(listed.body)).toBe(200)
    expect(JSON.stringify(listed.body)).toContain('Write the guide')
    // Thot's reads went to Plane with Thot's own new key.
    expect(w.plane.requests.some((r) => r.apiKey === settings.PLANE_TOKEN_THOT)).toBe(true)
  })
})
