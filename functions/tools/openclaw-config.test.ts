import { describe, expect, it } from 'vitest'
import type { AgentConfig } from '../../shared/agents/registry.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { openclawConfigFunction, renderOpenClawConfig } from './openclaw-config.ts'

const agent = (id: string, role: AgentConfig['role'] = 'member'): AgentConfig => ({
  id,
  name: id,
  role,
  planeUser: `${id}@javisi.local`,
  openclawAgentId: id,
  tags: [],
})
const AGENTS = [agent('concierge', 'concierge'), agent('imhotep'), agent('thot')]

describe('openclaw-config (issue 31): one gateway, one identity per agent', () => {
  it('should give each agent its own server and token variable, and deny it the others', () => {
    const config = renderOpenClawConfig({ agents: AGENTS, bridgeUrl: 'http://plane-bridge:8787/' })
    // OpenClaw's own ${VAR} substitution: the token stays out of the file.
    const reference = (name: string) => `Bearer \${${name}}`
    expect(config.mcp.servers['plane-bridge-imhotep']).toEqual({
      url: 'http://plane-bridge:8787/mcp',
      transport: 'streamable-http',
      headers: { Authorization: reference('PLANE_BRIDGE_TOKEN_IMHOTEP') },
    })
    expect(Object.keys(config.mcp.servers)).toHaveLength(3)
    expect(config.agents.entries.imhotep?.tools.deny.sort()).toEqual([
      'plane-bridge-concierge__*',
      'plane-bridge-thot__*',
    ])
    expect(config.hooks).toMatchObject({
      enabled: true,
      token: `\${OPENCLAW_HOOKS_TOKEN}`,
      allowedAgentIds: ['concierge', 'imhotep', 'thot'],
    })
    expect(config.hooks.allowRequestSessionKey).toBeUndefined()
  })

  it('should allow hook session keys when the bridge sends them', () => {
    const config = renderOpenClawConfig({
      agents: AGENTS,
      bridgeUrl: 'http://b',
      sessionKeyPrefix: 'hook:plane:',
    })
    expect(config.hooks).toMatchObject({
      allowRequestSessionKey: true,
      allowedSessionKeyPrefixes: ['hook:'],
    })
  })

  it('should print the fragment and the variables to set, and say what is missing', async () => {
    const run = async (args: string[], env = {}, agents = AGENTS) =>
      (await openclawConfigFunction.run({ args, agents, config: loadConfig(env) } as never)) ?? {}
    await expect(run([], {}, [])).rejects.toThrow(/registry is empty/)
    await expect(run([])).rejects.toThrow(/--url/)
    const printed = await run([], { PUBLIC_URL: 'https://hooks.example.com' })
    const text = (printed.terminal ?? []).join('\n')
    expect(text).toContain('"url": "https://hooks.example.com/mcp"')
    expect(text).toContain('PLANE_BRIDGE_TOKEN_THOT=<printed by npm run job -- agent-token --all>')
    const json = await run(['--json', '--url', 'http://plane-bridge:8787'])
    expect(JSON.parse((json.terminal ?? []).join('\n')).mcp.servers).toHaveProperty(
      'plane-bridge-concierge'
    )
  })

  it('should say to add a host /mcp would refuse to MCP_ALLOWED_HOSTS, and keep the JSON alone (issue 45)', async () => {
    const run = async (args: string[], env: Record<string, string>) => {
      const progress: string[] = []
      const outcome =
        (await openclawConfigFunction.run({
          args,
          agents: AGENTS,
          config: loadConfig(env),
          progress: (line: string) => progress.push(line),
        } as never)) ?? {}
      return { ...outcome, progress }
    }
    const refused = await run(['--url', 'http://plane-bridge:8787'], {
      PUBLIC_URL: 'https://hooks.example.com',
    })
    expect(refused.progress).toEqual([
      expect.stringMatching(
        /^warning: \/mcp refuses the host plane-bridge \(403 Invalid Host\): add plane-bridge to MCP_ALLOWED_HOSTS .*answers to localhost, 127\.0\.0\.1, \[::1\], hooks\.example\.com$/
      ),
    ])
    expect(refused.summary).toContain('add plane-bridge to MCP_ALLOWED_HOSTS')
    const json = await run(['--json', '--url', 'http://plane-bridge:8787'], {})
    expect(json.progress).toHaveLength(1)
    expect(() => JSON.parse((json.terminal ?? []).join('\n'))).not.toThrow()
    // Allowed: by MCP_ALLOWED_HOSTS, by PUBLIC_URL's host, or localhost; nothing said.
    for (const [args, env] of [
      [['--url', 'http://plane-bridge:8787'], { MCP_ALLOWED_HOSTS: 'Plane-Bridge' }],
      [[], { PUBLIC_URL: 'https://hooks.example.com' }],
      [['--url', 'http://127.0.0.1:8787'], {}],
    ] as const) {
      const quiet = await run([...args], env)
      expect(quiet.progress, JSON.stringify(env)).toEqual([])
    }
  })

  it('should tell to install the skill once for the gateway (--global), as README and agents.md do', async () => {
    const printed =
      (await openclawConfigFunction.run({
        args: ['--url', 'http://127.0.0.1:8787'],
        agents: AGENTS,
        config: loadConfig({}),
      } as never)) ?? {}
    const text = (printed.terminal ?? []).join('\n')
    expect(text).toContain('openclaw skills install ./skills/plane-bridge --global')
    expect(text).not.toContain('--agent')
  })
})
