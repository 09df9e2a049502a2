/**
 * One OpenClaw 2026.2.26 gateway for every agent, the real one from the npm registry: the configuration that
 * `npm run job -- openclaw-config --openclaw-version 2026.2.26` prints starts it (no "Invalid config"), the job reads
 * the line from it, its hooks admit the bridge's wake for each agent, and each agent's turn (a stub model calls `exec`
 * with the skill's own curl form) reaches the bridge as itself from its own sandbox: a fake `docker` CLI runs each
 * command with exactly the variables OpenClaw hands that agent's container, and records them, so what agent A's runs
 * can read is OpenClaw's doing, not the configuration's promise. The skill is listed and eligible.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  openclawConfigFunction,
  renderOpenClawConfig,
} from '../../functions/tools/openclaw-config.ts'
import { tokenVariableOf } from '../../functions/tools/openclaw-config-base.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { createOpenClawClient } from '../../shared/openclaw/index.ts'
import { listen } from '../../sim/e2e/bridge-tools.ts'
import { type E2E, startE2E } from '../../sim/e2e/harness.ts'
import { needMachine } from '../helpers/machine.ts'
import { type FakeDocker, installFakeDocker } from './fake-docker.ts'
import { type Gateway, startGateway } from './gateway.ts'
import { installOpenClaw, OPENCLAW_TESTS_OFF, openClawTestsOff } from './install.ts'
import { type StubModel, startStubModel } from './stub-model.ts'

const VERSION = '2026.2.26'
const SKILL_DIR = resolve(import.meta.dirname, '../../skills/plane-bridge')
const AGENTS = ['imhotep', 'thot', 'ra']
const SESSION_PREFIX = 'hook:plane:'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The skill's own example, as an agent runs it: the line of SKILL.md that lists its tasks. */
const SKILL_CURL =
  /^curl .*\/bridge\/v1\/list_my_tasks".*$/m.exec(
    readFileSync(join(SKILL_DIR, 'SKILL.md'), 'utf8')
  )?.[0] ?? ''

let t: E2E
let bridge: { url: string; close(): Promise<void> }
let model: StubModel
let docker: FakeDocker
let dockerDir: string
let gateway: Gateway
let generated: ReturnType<typeof renderOpenClawConfig>

// OPENCLAW_CLI_TESTS=off: not run, and said in the run's report (issue 45: the large download made explicit).
const off = openClawTestsOff()
beforeEach((ctx) => needMachine(ctx, OPENCLAW_TESTS_OFF, off))

beforeAll(async () => {
  if (off) return
  const { node } = await installOpenClaw(VERSION)
  t = await startE2E({ concierge: true })
  bridge = await listen(t.app)
  model = await startStubModel('exec', { command: SKILL_CURL })
  dockerDir = mkdtempSync(join(tmpdir(), 'plane-bridge-docker-'))
  docker = installFakeDocker(dockerDir, node)
  generated = renderOpenClawConfig({
    agents: t.services.agents,
    bridgeUrl: bridge.url,
    sessionKeyPrefix: SESSION_PREFIX,
    line: '2026.2',
  })
  gateway = await startGateway({
    version: VERSION,
    agents: AGENTS,
    config: {
      ...generated,
      agents: { ...generated.agents, defaults: { model: 'stub/stub' } },
      models: { providers: { stub: model.provider } },
    },
    env: {
      // The fake docker first; OpenClaw otherwise puts /usr/local/bin before the PATH it is given.
      PATH: `${docker.binDir}:${process.env.PATH ?? ''}`,
      OPENCLAW_PATH_BOOTSTRAPPED: '1',
      // The gateway holds every token (its environment, as an operator's .env would): what matters is who gets which.
      ...Object.fromEntries(
        AGENTS.map((id) => [tokenVariableOf(id), t.bridgeTokens[id] as string])
      ),
    },
  })
  // What the operator does once for the gateway: 2026.2 has no `skills install`.
  cpSync(SKILL_DIR, join(gateway.home, '.openclaw', 'skills', 'plane-bridge'), { recursive: true })
}, 600_000)

afterAll(async () => {
  await gateway?.stop()
  await model?.close()
  await bridge?.close()
  await t?.stop()
  if (dockerDir) rmSync(dockerDir, { recursive: true, force: true })
})

describe(`one OpenClaw ${VERSION} gateway for every agent`, () => {
  it('should start with what openclaw-config prints for it, and the job should read its line from it', async () => {
    expect(gateway.output()).toContain('[gateway] listening on ws://')
    expect(gateway.output()).not.toContain('Invalid config')
    const list = await gateway.cli(['config', 'get', 'agents.list'])
    expect(list.ok, list.stderr).toBe(true)
    expect(JSON.parse(list.stdout)).toEqual(
      AGENTS.map((id) =>
        expect.objectContaining({ id, sandbox: expect.objectContaining({ mode: 'all' }) })
      )
    )
    const text = JSON.stringify(generated)
    for (const id of AGENTS) expect(text).not.toContain(t.bridgeTokens[id] as string)
    // Asked with the bridge's own settings, the job finds 2026.2 and prints what the gateway runs.
    const printed =
      (await openclawConfigFunction.run({
        args: ['--json', '--url', bridge.url],
        agents: t.services.agents,
        config: loadConfig({
          OPENCLAW_HOOKS_URL: gateway.hooksUrl,
          OPENCLAW_HOOKS_TOKEN: gateway.hooksToken,
          OPENCLAW_SESSION_KEY_PREFIX: SESSION_PREFIX,
        }),
      } as never)) ?? {}
    expect(printed.summary).toMatch(/^3 agents, OpenClaw 2026\.2\.x \(read from the gateway: /)
    expect(JSON.parse((printed.terminal ?? []).join('\n'))).toEqual(generated)
  }, 120_000)

  it('should admit the bridge’s wake for each agent, and each reach the bridge as itself from its sandbox', async () => {
    const openclaw = createOpenClawClient({ hooksUrl: gateway.hooksUrl, token: gateway.hooksToken })
    for (const agentId of AGENTS) {
      const admitted = await openclaw.agent(
        { agentId, message: 'Liste tes tâches Plane.', name: 'plane-bridge', deliver: false },
        { idempotencyKey: `one-gateway-2026-2:${agentId}` }
      )
      // 2026.2 answers 202 (2026.9: 200), with the run id the bridge keeps.
      expect(admitted.status).toBe(202)
      expect(admitted.runId).toMatch(UUID)
    }
    const callers = () =>
      new Set(
        t.services.logs
          .filter((l) => l.msg === 'tool call' && l.tool === 'list_my_tasks' && l.outcome === 'ok')
          .map((l) => `${l.agent} ${l.door}`)
      )
    const why = () =>
      [
        `turns the stub model answered: ${model.offered.length}; every chat request: ${model.turns.join(' | ')}; tools answered: ${model.results.join(' | ')}`,
        `docker calls: ${docker
          .calls()
          .map((c) => `${c.verb} ${c.container}`)
          .join(', ')}`,
        `gateway's last output:\n${gateway.output().slice(-3000)}`,
      ].join('\n')
    await vi.waitFor(
      () => expect([...callers()].sort(), why()).toEqual(AGENTS.map((id) => `${id} http`).sort()),
      { timeout: 120_000, interval: 500 }
    )
  }, 180_000)

  it('should never let agent A’s sandbox hold agent B’s token, as OpenClaw itself hands them out', () => {
    const calls = docker.calls()
    const tokens = Object.fromEntries(AGENTS.map((id) => [id, t.bridgeTokens[id] as string]))
    for (const id of AGENTS) {
      const mine = calls.filter((c) => c.container.includes(`-agent-${id}-`))
      // One container of its own (scope "agent"), and the commands the agent ran in it. OpenClaw 2026.2.26 may run
      // `docker create` for it twice when two of its turns start at once (seen once in CI): the same name each time.
      const created = mine.filter((c) => c.verb === 'create')
      expect(created.length, why(id)).toBeGreaterThan(0)
      expect(new Set(created.map((c) => c.container)).size, why(id)).toBe(1)
      const commands = mine.filter(
        (c) => c.verb === 'exec' && c.command.join(' ').includes('/bridge/v1/')
      )
      expect(commands.length, why(id)).toBeGreaterThan(0)
      for (const call of mine) {
        const seen = JSON.stringify(call.env)
        for (const other of AGENTS.filter((o) => o !== id))
          expect(
            seen.includes(tokens[other] as string),
            `${id}'s ${call.verb} holds ${other}'s token`
          ).toBe(false)
        // Nor the gateway's own variables (every agent's token is there, by name).
        expect(Object.keys(call.env).filter((k) => k.startsWith('PLANE_BRIDGE_TOKEN_'))).toEqual([])
        expect(seen).not.toContain(gateway.hooksToken)
      }
      // Its own token reaches each command it runs, not the container's own environment (2026.2.26 keeps *_TOKEN
      // variables out of `docker create`).
      for (const call of commands) expect(call.env.PLANE_BRIDGE_TOKEN).toBe(tokens[id])
      for (const create of created) expect(create.env).not.toHaveProperty('PLANE_BRIDGE_TOKEN')
    }
    // What an operator sees in the gateway's log as it does so (docs/agents.md says it is expected).
    expect(gateway.output()).toContain(
      'Blocked sensitive environment variables: PLANE_BRIDGE_TOKEN'
    )
    function why(id: string) {
      return `${id}: ${JSON.stringify(calls.map((c) => [c.verb, c.container]))}`
    }
  })

  it('should list the skill from the shared folder, eligible, and mirror it into each sandbox', async () => {
    const list = await gateway.cli(['skills', 'list', '--json'])
    expect(list.ok, list.stderr).toBe(true)
    const skills = (JSON.parse(list.stdout) as { skills: Array<Record<string, unknown>> }).skills
    expect(skills.find((s) => s.name === 'plane-bridge')).toMatchObject({
      eligible: true,
      source: 'openclaw-managed',
    })
    const info = await gateway.cli(['skills', 'info', 'plane-bridge', '--json'])
    expect(info.ok, info.stderr).toBe(true)
    expect(JSON.parse(info.stdout)).toMatchObject({
      name: 'plane-bridge',
      eligible: true,
      missing: { env: [] },
    })
    // The sandbox's tools read its own workspace: OpenClaw copied the skill there for each agent's runs.
    for (const id of AGENTS) {
      const sandboxes = join(gateway.home, '.openclaw', 'sandboxes')
      const copied = existsSync(sandboxes)
        ? readdirSync(sandboxes).filter((d) => d.includes(`agent-${id}`))
        : []
      expect(
        copied.some((d) => existsSync(join(sandboxes, d, 'skills', 'plane-bridge', 'SKILL.md'))),
        `${id}: ${copied.join(', ')}`
      ).toBe(true)
    }
  }, 120_000)
})
