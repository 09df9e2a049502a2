import { describe, expect, it } from 'vitest'
import { agentTokenFunction } from '../../functions/bridge/agent-token.ts'
import { agentForToken, newAgentToken } from '../../functions/bridge/auth.ts'
import { type AgentConfig, parseAgentRegistry } from '../../shared/agents.ts'
import { sha256Hex } from '../../shared/hash.ts'
import { runJob } from '../../shared/run-job.ts'
import { makeServices } from '../helpers/services.ts'

const agent = (id: string, digest?: string): AgentConfig => ({
  id,
  name: id,
  role: 'member',
  planeUser: `${id}@javisi.local`,
  openclawAgentId: id,
  tags: [],
  ...(digest ? { bridgeTokenSha256: digest } : {}),
})

describe('bridge tokens', () => {
  it('should find the agent whose registry entry holds the token’s SHA-256, and nobody for anything else', async () => {
    const a = await newAgentToken()
    const b = await newAgentToken()
    expect(a.token).toMatch(/^pbt_[A-Za-z0-9_-]{43}$/)
    expect(a.sha256).toBe(await sha256Hex(a.token))
    const agents = [agent('imhotep', a.sha256), agent('thot', b.sha256), agent('nobody')]
    expect((await agentForToken(agents, `Bearer ${a.token}`))?.id).toBe('imhotep')
    expect((await agentForToken(agents, `bearer ${b.token}`))?.id).toBe('thot')
    for (const header of [
      undefined,
      '',
      'Bearer',
      `Basic ${a.token}`,
      `Bearer ${a.token}x`,
      a.sha256,
      `Bearer ${a.sha256}`,
    ])
      expect(await agentForToken(agents, header)).toBeNull()
  })

  it('should refuse a registry where two agents share a token, and a digest that is not 64 hex digits', () => {
    const digest = 'a'.repeat(64)
    expect(() =>
      parseAgentRegistry(
        JSON.stringify({ agents: [agent('imhotep', digest), agent('thot', digest)] })
      )
    ).toThrow(/two agents share one token/)
    expect(() => parseAgentRegistry(JSON.stringify({ agents: [agent('imhotep', 'abc')] }))).toThrow(
      /agent "imhotep" bridgeTokenSha256: must be the 64-hex-digit SHA-256/
    )
  })

  it('should print a new token once, on the terminal only, with the registry line that accepts it', async () => {
    const services = makeServices({
      agents: [agent('imhotep')],
      env: { PUBLIC_URL: 'https://work.example.com' },
    })
    const result = await runJob(agentTokenFunction, services, { trigger: 'cli', args: ['imhotep'] })
    expect(result.outcome).toBe('ok')
    const lines = result.terminal ?? []
    const token = lines.map((l) => l.trim()).find((l) => l.startsWith('pbt_')) as string
    const digest = /"bridgeTokenSha256": "([0-9a-f]{64})"/.exec(lines.join('\n'))?.[1]
    expect(digest).toBe(await sha256Hex(token))
    expect(lines.join('\n')).toContain('https://work.example.com/mcp')
    expect(services.rawLogs.join('\n')).not.toContain(token)
    const unknown = await runJob(agentTokenFunction, services, { trigger: 'cli', args: ['ra'] })
    expect(unknown).toMatchObject({
      outcome: 'error',
      error: expect.stringContaining('agents: imhotep'),
    })
  })
})
