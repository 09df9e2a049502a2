import { describe, expect, it } from 'vitest'
import type { AgentConfig } from '../agents/registry.ts'
import { agentsResult, compareAgentsWithPlane } from './agents.ts'

const agent = (id: string, extra: Partial<AgentConfig> = {}): AgentConfig => ({
  id,
  name: id,
  role: 'member',
  planeUser: `${id}@example.org`,
  openclawAgentId: id,
  planeTokenEnv: `PLANE_TOKEN_${id.toUpperCase()}`,
  bridgeTokenSha256: id.padEnd(64, '0').replace(/[^0-9a-f]/g, 'a'),
  tags: [],
  ...extra,
})
const facts = {
  slug: 'acme',
  members: [
    { id: 'u-imhotep', email: 'imhotep@example.org' },
    { id: 'u-thot', email: 'THOT@example.org' },
  ],
  projects: [
    { identifier: 'ONB', memberIds: ['u-imhotep', 'u-thot'] },
    { identifier: 'OPS', memberIds: ['u-imhotep'] },
  ],
}

describe('compareAgentsWithPlane (issue 45)', () => {
  it('should pass an agent in the workspace and every project, with a token and a key', () => {
    const findings = compareAgentsWithPlane([agent('imhotep')], { imhotep: 'plane_api_x' }, facts)
    expect(findings).toEqual([{ agent: 'imhotep', problems: [], notes: [] }])
    expect(agentsResult(findings, facts)).toMatchObject({ status: 'ok' })
  })

  it('should name each problem, and take a missing Plane key for a note, not a failure', () => {
    const findings = compareAgentsWithPlane(
      [agent('thot'), agent('ghost', { bridgeTokenSha256: undefined }), agent('imhotep')],
      { thot: 'plane_api_y', ghost: 'plane_api_z' },
      facts
    )
    expect(findings[0]?.problems).toEqual([
      'not a member of project OPS (Plane drops it as an assignee there): run npm run job -- provision',
    ])
    expect(findings[1]?.problems).toEqual([
      'ghost@example.org is not a member of workspace "acme": invite it (npm run job -- provision does, with an Admin key), or fix planeUser in AGENTS_FILE',
      'no bridge token',
    ])
    expect(findings[2]).toMatchObject({
      problems: [],
      notes: [expect.stringMatching(/^no Plane key: PLANE_TOKEN_IMHOTEP unset/)],
    })
    expect(agentsResult(findings, facts)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(
        /ghost: .*; no bridge token \| .* \| make the missing bridge token: npm run job -- agent-token ghost$/
      ),
    })
    const onlyKey = compareAgentsWithPlane([agent('imhotep')], {}, facts)
    expect(agentsResult(onlyKey, facts)).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('imhotep: no Plane key'),
    })
  })

  it('should say the one command that makes every missing token once, not once per agent', () => {
    const ten = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((id) =>
      agent(id, { bridgeTokenSha256: undefined })
    )
    const { detail } = agentsResult(compareAgentsWithPlane(ten, {}, null), null)
    expect(detail.match(/agent-token/g)).toHaveLength(1)
    expect(detail).toMatch(/\| make the missing bridge tokens: npm run job -- agent-token --all$/)
  })
})
