/**
 * Issue 45: an agent Plane does not know was silent in /ready (only provision said so). The server holds the registry
 * against Plane's members (at start, then from the poll at most every half hour) and /ready shows it.
 */
import { afterEach, describe, expect, it } from 'vitest'
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
  it('should be degraded by an agent that is not a workspace member, naming it and the fix', async () => {
    t = await startE2E({
      agentKeys: true,
      extraAgents: () => [
        {
          id: 'ghost',
          name: 'Ghost',
          role: 'member',
          planeUser: 'ghost@javisi.local',
          openclawAgentId: 'ghost',
          tags: [],
        },
      ],
    })
    expect((await ready(t)).integrations.agents).toBeUndefined()
    expect((await runJobCli(t, ['poll'])).code).toBe(0)
    const shown = await ready(t)
    expect(shown.status).toBe('degraded')
    expect(shown.reasons).toContainEqual(
      expect.stringMatching(
        /^agents: ghost: ghost@javisi\.local is not a member of workspace "javisi": invite it .*; no bridge token: run npm run job -- agent-token ghost/
      )
    )
    expect(t.services.logs).toContainEqual(
      expect.objectContaining({ msg: 'agents the bridge cannot work with', level: 'warn' })
    )
    // The next cycles do not read Plane's members again for half an hour.
    const before = t.plane.requests.filter((r) => r.path.endsWith('/members/')).length
    await runJobCli(t, ['poll'])
    expect(t.plane.requests.filter((r) => r.path.endsWith('/members/')).length).toBe(before)
  })

  it('should be ok with every agent a member, with its token and key', async () => {
    t = await startE2E({ agentKeys: true })
    expect((await runJobCli(t, ['poll'])).code).toBe(0)
    const shown = await ready(t)
    expect(shown.integrations.agents).toMatchObject({ ok: true })
    expect(shown.status).toBe('ok')
  })
})
