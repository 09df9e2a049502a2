/**
 * The real OpenClaw (npm `openclaw@2026.9.6` on Node 24) against the running bridge: its MCP client
 * lists every tool through `/mcp` with an agent's token, refuses a wrong token, and it accepts the skill.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { agentTools } from '../../functions/tools/index.ts'
import { listen } from '../../sim/e2e/bridge-tools.ts'
import { startE2E } from '../../sim/e2e/harness.ts'
import { needMachine } from '../helpers/machine.ts'
import {
  installOpenClaw,
  OPENCLAW_TESTS_OFF,
  type OpenClawInstall,
  openClawTestsOff,
} from './install.ts'

const exec = promisify(execFile)
const SKILL_DIR = resolve(import.meta.dirname, '../../skills/plane-bridge')

let openclaw: OpenClawInstall
let home: string
let bridge: { url: string; token: string; stop(): Promise<void> }

/** One OpenClaw command in an isolated HOME; failures carry its output, with the token masked. */
async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(openclaw.node, [openclaw.entry, ...args], {
      cwd: home,
      env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1', ...env },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    })
    return { ok: true, stdout, stderr }
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number }
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code }
  }
}
const masked = (text: string) => text.replaceAll(bridge.token, '<token>')

// OPENCLAW_CLI_TESTS=off: not run, and said in the run's report (issue 45: the large download made explicit).
const off = openClawTestsOff()
beforeEach((ctx) => needMachine(ctx, OPENCLAW_TESTS_OFF, off))

beforeAll(async () => {
  if (off) return
  openclaw = await installOpenClaw()
  home = mkdtempSync(join(tmpdir(), 'plane-bridge-openclaw-'))
  const t = await startE2E({ concierge: true })
  const server = await listen(t.app)
  bridge = {
    url: server.url,
    token: t.bridgeTokens.imhotep as string,
    stop: async () => {
      await server.close()
      await t.stop()
    },
  }
}, 600_000)

afterAll(async () => {
  await bridge?.stop()
  if (home) rmSync(home, { recursive: true, force: true })
})

describe('the real OpenClaw CLI', () => {
  it('should add /mcp with an agent token and list every tool of the bridge a member is offered', async () => {
    const add = await cli([
      'mcp',
      'add',
      'plane-bridge',
      '--url',
      `${bridge.url}/mcp`,
      '--transport',
      'streamable-http',
      '--header',
      `Authorization=Bearer ${bridge.token}`,
      // As docs/agents.md and the skill say it (the run's listing of the tools given a call's time).
      '--timeout',
      '60',
    ])
    expect(add.ok, masked(add.stderr + add.stdout)).toBe(true)
    const probe = await cli(['mcp', 'probe', 'plane-bridge', '--json'])
    expect(probe.ok, masked(probe.stderr)).toBe(true)
    const report = JSON.parse(probe.stdout) as {
      servers: Record<string, { tools: number }>
      tools: string[]
      diagnostics: unknown[]
    }
    // Imhotep is a member: the Concierge-only tools are not offered to it (issue 45).
    const offered = agentTools.filter((t) => t.access === 'agent')
    expect(report.servers['plane-bridge']?.tools).toBe(offered.length)
    expect(report.tools.sort()).toEqual(offered.map((t) => `plane-bridge__${t.name}`).sort())
    expect(report.diagnostics).toEqual([])
  }, 240_000)

  it('should refuse to add the server with a wrong token (the bridge answers 401)', async () => {
    const add = await cli([
      'mcp',
      'add',
      'impostor',
      '--url',
      `${bridge.url}/mcp`,
      '--transport',
      'streamable-http',
      '--header',
      'Authorization=Bearer pbt_wrong-token',
    ])
    expect(add.ok).toBe(false)
    expect(add.stdout + add.stderr).toContain('MCP probe failed for "impostor"')
  }, 120_000)

  it('should install the skill, eligible once PLANE_BRIDGE_URL is set (identity travels in the MCP header)', async () => {
    const install = await cli(['skills', 'install', SKILL_DIR, '--agent', 'main'])
    expect(install.ok, install.stderr).toBe(true)
    const info = async (env: Record<string, string>) => {
      const result = await cli(['skills', 'info', 'plane-bridge', '--agent', 'main', '--json'], env)
      expect(result.ok, result.stderr).toBe(true)
      return JSON.parse(result.stdout) as {
        name: string
        eligible: boolean
        missing: { env: string[] }
      }
    }
    const without = await info({})
    expect(without).toMatchObject({ name: 'plane-bridge', eligible: false })
    expect(without.missing.env).toEqual(['PLANE_BRIDGE_URL'])
    const ready = await info({ PLANE_BRIDGE_URL: bridge.url })
    expect(ready).toMatchObject({ eligible: true, missing: { env: [] } })
  }, 120_000)
})
