/**
 * Issue 45: an agent Plane does not know was silent in /ready (only provision said so). The server holds the registry
 * against Plane's members at start, and provision again after what it fixed; /ready shows it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { probeAtStart } from '../../shared/check/start-probe.ts'
import { startE2E } from '../../sim/e2e/harness.ts'
import { runJobCli } from './run-cli.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let t: E2E | null = null
afterEach(async () => {
  await t?.stop()
  t = null
})

type Ready = {
  status: string
  reasons?: string[]
  integrations: Record<string, { ok: boolean; detail?: string }>
}
const ready = async (e2e: E2E) => (await (await e2e.app.request('/ready')).json()) as Ready

describe('/ready and the agents Plane knows (issue 45)', () => {
  it('should be degraded at start by an agent outside a project, naming the fix, and ok once provision fixed it', async () => {
    t = await startE2E({
      agentKeys: true,
      // Basquiat: a workspace member with a token and a key, but in no project yet.
      extraAgents: (plane) => {
        plane.seed.user({ email: 'basquiat@javisi.local', display_name: 'basquiat' })
        return [
          {
            id: 'basquiat',
            name: 'Basquiat',
            role: 'member',
            planeUser: 'basquiat@javisi.local',
            openclawAgentId: 'basquiat',
            bridgeTokenSha256: 'b'.repeat(64),
            tags: [],
          },
        ]
      },
    })
    expect((await ready(t)).integrations.agents).toBeUndefined()
    await probeAtStart({ ...t.services, ...t.bridge })
    const shown = await ready(t)
    expect(shown.status).toBe('degraded')
    expect(shown.reasons).toContainEqual(
      "agents: basquiat: not a member of project ONB (Plane drops it as an assignee there): run npm run job -- provision; no Plane key: set planeTokenEnv in AGENTS_FILE and that variable to a key created as basquiat@javisi.local (meanwhile its writes show as the bridge's)"
    )
    expect(t.services.logs).toContainEqual(
      expect.objectContaining({ msg: 'agents the bridge cannot work with', level: 'warn' })
    )

    await runJobCli(t, ['provision'])
    const fixed = await ready(t)
    expect(fixed.integrations.agents?.ok).toBe(true)
    expect(fixed.reasons ?? []).not.toContainEqual(expect.stringMatching(/^agents:/))
  })

  it('should be ok with every agent a member, with its token and key', async () => {
    t = await startE2E({ agentKeys: true })
    await probeAtStart({ ...t.services, ...t.bridge })
    const shown = await ready(t)
    expect(shown.integrations.agents).toMatchObject({ ok: true })
    expect(shown.status).toBe('ok')
  })
})
