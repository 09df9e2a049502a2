/**
 * The bridge against the real OpenClaw gateway (`openclaw gateway run`, npm `openclaw@2026.9.6` on
 * Node 24, hooks on): a wake is admitted, its runId becomes the task's session, the per-task session key
 * is accepted, and a wrong hooks token is reported as exactly that. Plane and Telegram are simulators.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runRecordKey } from '../../shared/runs/records.ts'
import type { RunRecord } from '../../shared/runs/types.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { startE2E } from '../../sim/e2e/harness.ts'
import { needMachine } from '../helpers/machine.ts'
import { type Gateway, startGateway } from './gateway.ts'
import { OPENCLAW_TESTS_OFF, openClawTestsOff } from './install.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const SESSION_PREFIX = 'hook:plane:'

let gateway: Gateway

// OPENCLAW_CLI_TESTS=off: not run, and said in the run's report (issue 45: the large download made explicit).
const off = openClawTestsOff()
beforeEach((ctx) => needMachine(ctx, OPENCLAW_TESTS_OFF, off))

beforeAll(async () => {
  if (off) return
  gateway = await startGateway({
    agents: ['imhotep', 'thot', 'ra'],
    // The gateway refuses to start unless the prefixes include 'hook:' (with no hooks.defaultSessionKey).
    sessionKeyPrefixes: ['hook:'],
  })
}, 600_000)

afterAll(async () => {
  await gateway?.stop()
})

async function bridgeOn(hooksToken: string) {
  const t = await startE2E({
    concierge: true,
    env: {
      OPENCLAW_HOOKS_URL: gateway.hooksUrl,
      OPENCLAW_HOOKS_TOKEN: hooksToken,
      OPENCLAW_SESSION_KEY_PREFIX: SESSION_PREFIX,
    },
  })
  const createTask = async (title: string, assignee: string) => {
    const result = await callHttp(t.app, 'create_task', t.bridgeTokens.ra as string, {
      project: 'ONB',
      title,
      assignee,
    })
    expect(result.status, JSON.stringify(result.body)).toBe(200)
    return result.body as { id: string; ref: string }
  }
  const sent = () =>
    t.telegram
      .callsOf('sendMessage')
      .filter((c) => c.status === 200)
      .map((c) => String(c.params.text))
  return { t, createTask, sent }
}

describe('the real OpenClaw gateway', () => {
  it('should admit a wake, and its runId becomes the task’s session', async () => {
    const { t, createTask, sent } = await bridgeOn(gateway.hooksToken)
    try {
      const task = await createTask('Indexer la doc', 'imhotep')
      await t.settle(30_000)
      expect(await t.bridge.outbox.deadLetters()).toEqual([])
      const record = await t.services.store.get<RunRecord>(runRecordKey(task.id))
      expect(record).toMatchObject({ state: 'pending', agentId: 'imhotep' })
      expect(record?.sessionId, gateway.output()).toMatch(UUID)
      // The gateway ran (and, without a model, failed) the very run whose id the bridge kept.
      const run = await gateway.waitForRun((r) => r.runId === record?.sessionId)
      expect(run).toMatchObject({
        agentId: 'imhotep',
        sourcePath: '/hooks/agent',
        name: 'plane-bridge',
        deliver: false,
        logicalSessionKey: `${SESSION_PREFIX}${task.ref}`,
      })
      expect(sent().filter((m) => m.includes('OPENCLAW_HOOKS_TOKEN'))).toEqual([])
      const ready = (await (await t.app.request('http://bridge.test/ready')).json()) as {
        integrations: Record<string, { ok: boolean }>
      }
      expect(ready.integrations.openclaw).toMatchObject({ ok: true })
    } finally {
      await t.stop()
    }
  }, 120_000)

  it('should report a wrong hooks token as exactly that', async () => {
    const { t, createTask, sent } = await bridgeOn(`hooks_wrong_${'0'.repeat(40)}`)
    try {
      const before = gateway.hookRuns().length
      const task = await createTask('Traduire', 'thot')
      await t.settle(30_000)
      const [dead] = await t.bridge.outbox.deadLetters()
      expect(dead?.lastError).toBe('OpenClaw hooks /agent failed: 401 auth (Unauthorized)')
      expect(sent()).toContain(
        "⚠️ Les agents ne peuvent pas être réveillés : OpenClaw refuse le jeton OPENCLAW_HOOKS_TOKEN (401) ; il doit être égal à hooks.token dans la configuration d'OpenClaw."
      )
      const ready = (await (await t.app.request('http://bridge.test/ready')).json()) as {
        integrations: Record<string, { ok: boolean; detail?: string }>
      }
      expect(ready.integrations.openclaw).toMatchObject({
        ok: false,
        detail: expect.stringContaining('401 auth'),
      })
      const record = await t.services.store.get<RunRecord>(runRecordKey(task.id))
      expect(record?.sessionId ?? null).toBeNull()
      expect(gateway.hookRuns().length).toBe(before)
    } finally {
      await t.stop()
    }
  }, 120_000)
})
