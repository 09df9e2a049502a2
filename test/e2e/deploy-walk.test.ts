/**
 * Issue 36: the operator's first hour, replayed. docs/deploy.md steps 5–9 on the simulators of Plane, Telegram and
 * OpenClaw, each with the misconfiguration a new operator makes, each giving the message that names its fix.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { agentForToken } from '../../functions/tools/auth.ts'
import { runJobCommand } from '../../runtime/node-cli.ts'
import { nodeAgentRegistryFile } from '../../runtime/node-registry-file.ts'
import { createNodeStore, waitForStore } from '../../runtime/node-store.ts'
import { parseAgentRegistry } from '../../shared/agents/registry.ts'
import { probeAtStart } from '../../shared/check/start-probe.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { CHAT_ID, startE2E } from '../../sim/e2e/harness.ts'
import { makeServices } from '../../sim/e2e/services.ts'
import { CLOSED_PORT } from '../helpers/net.ts'
import { runJobCli } from './run-cli.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
const PUBLIC_URL = 'https://hooks.bridge.test'
// Plane requests wait for the key's lane: each step takes a few seconds.
const SLOW_MS = 90_000
const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-walk-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function withE2E(options: Parameters<typeof startE2E>[0], body: (t: E2E) => Promise<void>) {
  const t = await startE2E(options)
  try {
    await body(t)
  } finally {
    await t.stop()
  }
}

const check = async (t: E2E) => runJobCli(t, ['check'])

describe.concurrent('the deploy walk of docs/deploy.md, misconfigured step by step (issue 36)', () => {
  it('step 5: a REDIS_URL with no Redis behind it stops the start, naming REDIS_URL and where it tried', async () => {
    const port = CLOSED_PORT
    const store = createNodeStore(loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}/6` }))
    try {
      await expect(waitForStore(store, { waitMs: 400, retryEveryMs: 200 })).rejects.toThrow(
        new RegExp(
          `^REDIS_URL: no Redis answered within \\d+ s at redis://127\\.0\\.0\\.1:${port}/6 \\(connect ECONNREFUSED`
        )
      )
    } finally {
      await store.dispose()
    }
  })

  it(
    'step 5: check names each wrong setting — PLANE_BASE_URL, PLANE_API_KEY, PLANE_WORKSPACE_SLUG, TELEGRAM_CHAT_ID',
    async () => {
      const closed = CLOSED_PORT
      await withE2E({ env: { PLANE_BASE_URL: `http://127.0.0.1:${closed}` } }, async (t) => {
        const run = await check(t)
        expect(run.code).toBe(1)
        expect(run.out).toContain(
          `✗ plane: no answer from 127.0.0.1:${closed} (network): check PLANE_BASE_URL and that Plane runs`
        )
      })
      await withE2E({}, async (t) => {
        t.plane.seed.revokeKey(t.users.bridge.apiKey)
        expect((await check(t)).out).toContain(
          '✗ plane: PLANE_API_KEY refused (HTTP 403): regenerate PLANE_API_KEY'
        )
      })
      await withE2E({ env: { PLANE_WORKSPACE_SLUG: 'javsi' } }, async (t) => {
        expect((await check(t)).out).toMatch(/^✗ plane workspace: .*check PLANE_WORKSPACE_SLUG/m)
      })
      await withE2E({ env: { TELEGRAM_CHAT_ID: '' } }, async (t) => {
        expect((await check(t)).out).toMatch(
          /^✗ telegram chat: TELEGRAM_CHAT_ID unset: nothing reaches the human/m
        )
      })
    },
    SLOW_MS
  )

  it('step 5: a refused key is said at start, in /ready and to the human, not at the next poll', async () => {
    await withE2E({}, async (t) => {
      t.plane.seed.revokeKey(t.users.bridge.apiKey)
      await probeAtStart({ ...t.services, ...t.bridge })
      await t.settle()
      const ready = (await (await t.app.request('/ready')).json()) as {
        integrations: Record<string, { ok: boolean; detail?: string }>
      }
      expect(ready.integrations.plane?.detail).toMatch(/^PLANE_API_KEY refused/)
      expect(t.telegram.messagesIn(Number(CHAT_ID)).map((m) => m.text)).toEqual([
        expect.stringMatching(/^⚠️ Plane refuse la clé PLANE_API_KEY/),
      ])
    })
  })

  it('agents: ten tokens in one step, written into the registry, accepted by the bridge; the gateway fragment is JSON', async () => {
    const file = join(dir, 'agents.json')
    const ids = [
      'concierge',
      'imhotep',
      'thot',
      'basquiat',
      'r2d2',
      'shuri',
      'piccolo',
      'cfo',
      'maintainer',
      'hermes',
    ]
    writeFileSync(
      file,
      JSON.stringify({
        agents: ids.map((id, i) => ({
          id,
          name: id,
          role: i === 0 ? 'concierge' : 'member',
          planeUser: `${id}@javisi.local`,
          openclawAgentId: id,
        })),
      })
    )
    const agents = parseAgentRegistry(readFileSync(file, 'utf8'))
    const services = makeServices({
      functions,
      agents,
      agentRegistryFile: nodeAgentRegistryFile(file),
    })
    const out: string[] = []
    const err: string[] = []
    const io = {
      functions,
      root: services.root,
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
    }
    expect(await runJobCommand({ ...io, args: ['agent-token', '--all'] })).toBe(0)
    const tokens = out.filter((l) => l.startsWith('PLANE_BRIDGE_TOKEN_'))
    expect(tokens).toHaveLength(10)
    const written = parseAgentRegistry(readFileSync(file, 'utf8'))
    for (const line of tokens)
      expect(await agentForToken(written, `Bearer ${line.split('=')[1]}`)).not.toBeNull()
    out.length = 0
    expect(
      await runJobCommand({
        ...io,
        args: ['openclaw-config', '--json', '--url', 'http://plane-bridge:8787'],
      })
    ).toBe(0)
    expect(Object.keys(JSON.parse(out.join('\n')).mcp.servers)).toHaveLength(10)
  })

  it(
    'step 8: the dry run plans what the run does; step 9: check passes once everything is in place',
    async () => {
      await withE2E({ env: { PUBLIC_URL } }, async (t) => {
        const dry = await runJobCli(t, ['provision', '--dry-run'])
        const planned = /(\d+) would change/.exec(dry.out)?.[1]
        const run = await runJobCli(t, ['provision'])
        expect(/(\d+) changed/.exec(`${run.out}\n${run.err}`)?.[1]).toBe(planned)
        // Plane's webhook is the person's step 6: until a signed delivery arrived, [human] and exit 2.
        expect(run.code).toBe(2)
        expect(run.out).toMatch(/^\[human\] plane webhook: /m)
        await t.bridge.plane?.workItems.create(t.project.id, { name: 'Bonjour' })
        await t.settle()
        const after = await check(t)
        expect(after.out.split('\n').filter((l) => l.startsWith('✗'))).toEqual([])
        expect(after.out).toContain(`✓ telegram webhook: ${PUBLIC_URL}/webhooks/telegram`)
        expect(after.code).toBe(0)
      })
    },
    SLOW_MS
  )
})
