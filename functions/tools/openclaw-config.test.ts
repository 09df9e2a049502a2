import { describe, expect, it } from 'vitest'
import type { AgentConfig } from '../../shared/agents/registry.ts'
import { loadConfig } from '../../shared/core/config.ts'
import {
  chooseOpenClawLine,
  openclawConfigFunction,
  renderOpenClawConfig,
} from './openclaw-config.ts'
import { tokenVariableOf } from './openclaw-config-base.ts'

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
      // Stated, so that the gateway's listing of the tools waits as a tool call may, not its own 1.5 s.
      requestTimeoutMs: 60_000,
      connectionTimeoutMs: 30_000,
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

/** Every `${VAR}` a piece of configuration refers to (what OpenClaw fills from the gateway's environment). */
const referencesIn = (value: unknown) =>
  [...JSON.stringify(value).matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]).sort()

describe('openclaw-config for OpenClaw 2026.2.x: each agent its token in its own sandbox', () => {
  const config = renderOpenClawConfig({
    agents: AGENTS,
    bridgeUrl: 'http://plane-bridge:8787/',
    line: '2026.2',
  })

  it('should list the agents as 2026.2 does, with no key it refuses (mcp, agents.entries)', () => {
    expect(Object.keys(config).sort()).toEqual(['agents', 'hooks', 'skills'])
    expect(Object.keys(config.agents)).toEqual(['list'])
    expect(config.agents.list.map((a) => a.id)).toEqual(['concierge', 'imhotep', 'thot'])
    expect(config.hooks).toMatchObject({
      enabled: true,
      token: `\${OPENCLAW_HOOKS_TOKEN}`,
      allowedAgentIds: ['concierge', 'imhotep', 'thot'],
    })
    // The skill's gate is read on the host: the URL only.
    expect(config.skills.entries['plane-bridge'].env).toEqual({
      PLANE_BRIDGE_URL: 'http://plane-bridge:8787',
    })
  })

  it('should sandbox every agent, one container each, with no way to the host', () => {
    for (const entry of config.agents.list) {
      // "shared" would make OpenClaw ignore the agent's own docker.env; "non-main" leaves main sessions on the host.
      expect(entry.sandbox).toMatchObject({ mode: 'all', scope: 'agent' })
      expect(entry.tools.elevated.enabled).toBe(false)
      expect(entry.sandbox.docker.network).toBe('bridge')
      expect(entry.sandbox.docker.setupCommand).toContain('curl')
    }
  })

  it('should refer, in each agent’s entry, to its own token variable and no other', () => {
    for (const agent of AGENTS) {
      const entry = config.agents.list.find((e) => e.id === agent.openclawAgentId)
      expect(referencesIn(entry)).toEqual([tokenVariableOf(agent.id)])
      expect(entry?.sandbox.docker.env).toEqual({
        PLANE_BRIDGE_URL: 'http://plane-bridge:8787',
        PLANE_BRIDGE_TOKEN: `\${${tokenVariableOf(agent.id)}}`,
      })
    }
    // Nothing every agent reads (hooks, skills' env) names a bridge token.
    expect(referencesIn({ ...config, agents: undefined })).toEqual(['OPENCLAW_HOOKS_TOKEN'])
  })

  it('should, filled from the gateway’s environment, give agent A’s sandbox A’s token and never B’s', () => {
    const tokens = Object.fromEntries(AGENTS.map((a) => [tokenVariableOf(a.id), `pbt_${a.id}_x`]))
    // OpenClaw's own substitution, as it fills ${VAR}s when it reads the file.
    const filled = JSON.parse(
      JSON.stringify(config).replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => tokens[name] ?? '')
    ) as typeof config
    for (const a of AGENTS) {
      const sandbox = JSON.stringify(filled.agents.list.find((e) => e.id === a.openclawAgentId))
      for (const b of AGENTS)
        expect(sandbox.includes(`pbt_${b.id}_x`), `${a.id} holds ${b.id}'s`).toBe(a === b)
    }
  })

  it('should join the sandboxes to the network given, where the URL answers', () => {
    const onCompose = renderOpenClawConfig({
      agents: AGENTS,
      bridgeUrl: 'http://plane-bridge:8787',
      sandboxNetwork: 'plane-bridge_default',
      line: '2026.2',
    })
    expect(onCompose.agents.list.map((e) => e.sandbox.docker.network)).toEqual(
      Array(3).fill('plane-bridge_default')
    )
  })
})

describe('openclaw-config: which OpenClaw line', () => {
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const progress: string[] = []
    const outcome =
      (await openclawConfigFunction.run({
        args,
        agents: AGENTS,
        config: loadConfig(env),
        progress: (line: string) => progress.push(line),
      } as never)) ?? {}
    return { ...outcome, text: (outcome.terminal ?? []).join('\n'), progress }
  }

  it('should generate for the version given, and refuse one no line covers', async () => {
    const json = await run([
      '--json',
      '--url',
      'http://plane-bridge:8787',
      '--openclaw-version',
      '2026.2.26',
    ])
    const parsed = JSON.parse(json.text)
    expect(parsed.agents.list).toHaveLength(3)
    expect(parsed).not.toHaveProperty('mcp')
    expect(json.summary).toBe('3 agents, OpenClaw 2026.2.x (--openclaw-version 2026.2.26)')
    // 2026.2's agents call /bridge/v1, not /mcp: no host to allow.
    expect(json.progress).toEqual([])
    await expect(run(['--url', 'http://b', '--openclaw-version', '2026.5.1'])).rejects.toThrow(
      /generates for OpenClaw 2026\.9\.x, 2026\.2\.x/
    )
    await expect(run(['--url', 'http://b', '--openclaw-version'])).rejects.toThrow(/needs a value/)
  })

  it('should say, with no version and no gateway to ask, that it chose the newest line', async () => {
    const printed = await run(['--url', 'http://127.0.0.1:8787'])
    expect(printed.summary).toMatch(
      /^3 agents, OpenClaw 2026\.9\.x \(the newest line plane-bridge supports \(OPENCLAW_HOOKS_URL is unset; --openclaw-version 2026\.2\.26 for a 2026\.2 gateway\)\)$/
    )
    expect(printed.text.split('\n')[0]).toBe(`// ${printed.summary?.slice('3 agents, '.length)}`)
  })

  it('should print 2026.2’s steps: the variables, the skill copied (it has no skills install)', async () => {
    const printed = await run(['--url', 'http://plane-bridge:8787', '--openclaw-version', '2026.2'])
    expect(printed.text).toContain('"list": [')
    expect(printed.text).toContain(
      'PLANE_BRIDGE_TOKEN_IMHOTEP=<printed by npm run job -- agent-token --all>'
    )
    expect(printed.text).toContain('cp -r ./skills/plane-bridge ~/.openclaw/skills/')
    expect(printed.text).not.toContain('openclaw skills install')
    expect(printed.text).not.toContain('mcp probe')
  })

  it('should ask the gateway at OPENCLAW_HOOKS_URL, and refuse a version it does not support', async () => {
    const config = { OPENCLAW_HOOKS_URL: 'http://openclaw:18789/hooks', OPENCLAW_HOOKS_TOKEN: 'h' }
    const answering = (body: unknown) =>
      (async () => new Response(JSON.stringify(body), { status: 200 })) as unknown as typeof fetch
    expect(
      await chooseOpenClawLine(
        undefined,
        config,
        answering({ status: 'started', version: '2026.9.6' })
      )
    ).toEqual({ line: '2026.9', why: 'read from the gateway: its /startupz said 2026.9.6' })
    await expect(
      chooseOpenClawLine(undefined, config, answering({ status: 'started', version: '2026.6.1' }))
    ).rejects.toThrow(
      'the gateway runs OpenClaw 2026.6.1; plane-bridge generates for 2026.9.x, 2026.2.x'
    )
    const down = (async () => {
      throw new TypeError('fetch failed')
    }) as unknown as typeof fetch
    expect((await chooseOpenClawLine(undefined, config, down)).why).toContain(
      'the gateway did not answer'
    )
    // The flag wins: nothing is asked.
    expect(await chooseOpenClawLine('2026.2.26', config, down)).toEqual({
      line: '2026.2',
      why: '--openclaw-version 2026.2.26',
    })
  })
})
