import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { agentTokenFunction } from '../../functions/tools/agent-token.ts'
import { agentForToken, newAgentToken } from '../../functions/tools/auth.ts'
import { nodeAgentRegistryFile } from '../../runtime/node-registry-file.ts'
import { type AgentConfig, parseAgentRegistry } from '../../shared/agents/registry.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { sha256Hex } from '../../shared/hash.ts'
import { makeServices } from '../../sim/e2e/services.ts'

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

  it('should print a new token once, on the terminal only, with the registry line to paste when there is no file', async () => {
    const services = makeServices({
      agents: [agent('imhotep')],
      env: { PUBLIC_URL: 'https://work.example.com' },
    })
    const result = await executeJob(agentTokenFunction, services.root, {
      trigger: 'cli',
      args: ['imhotep'],
    })
    // AGENTS_JSON: nothing to write into, so the run says what to paste and fails.
    expect(result.outcome).toBe('error')
    const lines = result.terminal ?? []
    const token = /^PLANE_BRIDGE_TOKEN_IMHOTEP=(pbt_\S+)$/m.exec(lines.join('\n'))?.[1] as string
    const digest = /imhotep: "bridgeTokenSha256": "([0-9a-f]{64})"/.exec(lines.join('\n'))?.[1]
    expect(digest).toBe(await sha256Hex(token))
    expect(lines.join('\n')).toContain('https://work.example.com/mcp')
    expect(services.rawLogs.join('\n')).not.toContain(token)
    const unknown = await executeJob(agentTokenFunction, services.root, {
      trigger: 'cli',
      args: ['ra'],
    })
    expect(unknown).toMatchObject({
      outcome: 'error',
      error: expect.stringContaining('agents: imhotep'),
    })
  })
})

describe('agent-token --all (issue 36: ten agents in one step)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-agent-token-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const ten = Array.from({ length: 10 }, (_, i) => ({
    id: `agent${i}`,
    name: `Agent ${i}`,
    role: i === 0 ? 'concierge' : 'member',
    planeUser: `agent${i}@javisi.local`,
    openclawAgentId: `agent${i}`,
    tags: [],
  }))

  async function run(file: string, args: string[]) {
    const agents = parseAgentRegistry(readFileSync(file, 'utf8'))
    const services = makeServices({ agents, agentRegistryFile: nodeAgentRegistryFile(file) })
    return {
      services,
      result: await executeJob(agentTokenFunction, services.root, { trigger: 'cli', args }),
    }
  }

  it('should make every missing token, write the digests in place with a backup, and print the gateway lines once', async () => {
    const file = join(dir, 'agents.json')
    const kept = await newAgentToken()
    const original = JSON.stringify({
      agents: ten.map((a, i) => (i === 3 ? { ...a, bridgeTokenSha256: kept.sha256 } : a)),
    })
    writeFileSync(file, original, { mode: 0o640 })
    const { services, result } = await run(file, ['--all'])
    expect(result).toMatchObject({ outcome: 'ok' })
    const lines = result.terminal ?? []
    const envLines = lines.filter((l) => /^PLANE_BRIDGE_TOKEN_[A-Z0-9_]+=pbt_/.test(l))
    expect(envLines.map((l) => l.split('=')[0])).toEqual(
      ten.filter((_, i) => i !== 3).map((a) => `PLANE_BRIDGE_TOKEN_${a.id.toUpperCase()}`)
    )
    // The registry now accepts each printed token, and agent3's own is untouched.
    const written = parseAgentRegistry(readFileSync(file, 'utf8'))
    for (const line of envLines) {
      const token = line.split('=')[1] as string
      expect((await agentForToken(written, `Bearer ${token}`))?.id).toBe(
        line.split('=')[0]?.replace('PLANE_BRIDGE_TOKEN_', '').toLowerCase()
      )
    }
    expect((await agentForToken(written, `Bearer ${kept.token}`))?.id).toBe('agent3')
    expect(statSync(file).mode & 0o777).toBe(0o640)
    const backup = readdirSync(dir).find((f) => f.startsWith('agents.json.bak-'))
    expect(backup && readFileSync(join(dir, backup), 'utf8')).toBe(original)
    expect(lines.join('\n')).toContain('9 bridgeTokenSha256 written, 1 kept (agent3')
    expect(services.rawLogs.join('\n')).not.toMatch(/pbt_/)
    // A second run has nothing left to make; --rotate replaces the named one only.
    expect((await run(file, ['--all'])).result).toMatchObject({
      outcome: 'ok',
      summary: expect.stringMatching(/^no token made/),
    })
    const before = parseAgentRegistry(readFileSync(file, 'utf8'))
    const rotated = await run(file, ['agent3', 'agent5', '--rotate'])
    expect(rotated.result.outcome).toBe('ok')
    const after = parseAgentRegistry(readFileSync(file, 'utf8'))
    const changed = after.filter((a, i) => a.bridgeTokenSha256 !== before[i]?.bridgeTokenSha256)
    expect(changed.map((a) => a.id)).toEqual(['agent3', 'agent5'])
  })

  it("should print, for one agent, the mcp add line for its own machine with the tools' listing given a call's time", async () => {
    const file = join(dir, 'one.json')
    writeFileSync(file, JSON.stringify({ agents: ten }))
    const { result } = await run(file, ['agent2'])
    expect(result).toMatchObject({ outcome: 'ok' })
    const own = (result.terminal ?? []).find((l) => l.startsWith("On the agent's own machine"))
    // --timeout writes requestTimeoutMs: without it OpenClaw 2026.9.6 lists a server's tools within 1.5 s or not at all.
    expect(own).toMatch(/openclaw mcp add plane-bridge --url .+\/mcp .* --timeout 60$/)
  })
})
