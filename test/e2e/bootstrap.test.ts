import { afterEach, describe, expect, it } from 'vitest'
import {
  ADMIN_EMAIL,
  type BootstrapWorld,
  HOOKS_URL,
  RELEASE,
  startBootstrapWorld,
  TEAM,
} from './bootstrap-world.ts'

const worlds: BootstrapWorld[] = []
async function world(...args: Parameters<typeof startBootstrapWorld>) {
  const w = await startBootstrapWorld(...args)
  worlds.push(w)
  return w
}
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()))
})

const ACCOUNTS = ['plane-bridge@javisi.local', ...TEAM.map((a) => a.planeUser)]
const KEYS = ['PLANE_API_KEY', 'PLANE_TOKEN_RA', 'PLANE_TOKEN_IMHOTEP', 'PLANE_TOKEN_THOT']

describe(`bootstrap on a fresh Plane ${RELEASE}`, () => {
  it('should print the whole plan and write nothing on --dry-run', async () => {
    const w = await world()
    const before = w.snapshot()
    const run = await w.bootstrap(['--dry-run'])
    expect(run.code, run.out).toBe(0)
    expect(w.writesSince(0)).toEqual([])
    expect(w.plane.requests.filter((r) => r.method !== 'GET')).toEqual([])
    expect(w.snapshot()).toEqual(before)
    expect(w.secrets()).toEqual({})
    expect(run.out).toContain(
      `[would change] instance: would make ${ADMIN_EMAIL} the instance admin`
    )
    expect(run.out).toContain('[would change] workspace javisi: would create it (time zone UTC)')
    expect(run.out).toContain('would invite ra@javisi.local as Admin')
    expect(run.out).toContain('would invite thot@javisi.local as Member')
    expect(run.out).toContain('would invite plane-bridge@javisi.local as Admin')
    for (const key of KEYS) expect(run.out).toContain(`[would change] key ${key}: would make one`)
    expect(run.out).toContain(
      `[would change] plane webhook: would create it: ${HOOKS_URL}/webhooks/plane`
    )
  })

  it('should set up the instance, the workspace, every account with its role and key, and the webhook', async () => {
    const w = await world()
    const run = await w.bootstrap()
    expect(run.code, run.out).toBe(0)
    const state = w.snapshot()
    expect(state.setUp).toBe(true)
    expect(state.workspace).toEqual({ slug: 'javisi', tz: 'UTC' })
    expect(state.members).toEqual(
      [
        `${ADMIN_EMAIL}:20:true`,
        'plane-bridge@javisi.local:20:true',
        'ra@javisi.local:20:true',
        'imhotep@javisi.local:15:true',
        'thot@javisi.local:15:true',
      ].sort()
    )
    expect(state.invitations).toEqual([])
    expect(state.webhooks).toEqual([
      { url: `${HOOKS_URL}/webhooks/plane`, active: true, events: [true, true, true, true, true] },
    ])
    // One labelled key per account, each accepted by the v1 API as its account.
    expect(state.tokens).toEqual(
      [
        'plane-bridge@javisi.local:plane-bridge bridge',
        'ra@javisi.local:plane-bridge agent:ra',
        'imhotep@javisi.local:plane-bridge agent:imhotep',
        'thot@javisi.local:plane-bridge agent:thot',
      ].sort()
    )
    const secrets = w.secrets()
    expect(await Promise.all(KEYS.map((k) => w.keyUser(secrets[k])))).toEqual(ACCOUNTS)
    const [webhook] = w.plane.state.webhooks.values()
    expect(secrets.PLANE_WEBHOOK_SECRET).toBe(webhook?.secret_key)
    expect(w.secretsMode()).toBe(0o600)
    // PROV-01's language where Plane keeps it: each account's profile.
    expect([...w.plane.session.profiles.values()].map((p) => p.language)).toEqual(
      Array(5).fill('fr')
    )
    // Nothing secret on stdout or in the logs.
    for (const value of Object.values(secrets)) {
      expect(run.out).not.toContain(value)
      expect(run.logs).not.toContain(value)
    }
  })

  it('should change nothing on a second run: no key, webhook or password more', async () => {
    const w = await world()
    expect((await w.bootstrap()).code).toBe(0)
    const state = w.snapshot()
    const secrets = w.secrets()
    const from = w.plane.requests.length
    const again = await w.bootstrap()
    expect(again.code, again.out).toBe(0)
    expect(w.writesSince(from)).toEqual([])
    expect(w.snapshot()).toEqual(state)
    expect(w.secrets()).toEqual(secrets)
    expect(again.out).toMatch(
      /job bootstrap: ok in \d+ ms — no change, \d+ already fine; provision: no change/
    )
    // A dry run then signs in to read, and plans nothing.
    const dry = await w.bootstrap(['--dry-run'])
    expect(dry.code, dry.out).toBe(0)
    expect(w.writesSince(from)).toEqual([])
    expect(w.snapshot()).toEqual(state)
    expect(dry.out).toMatch(
      /nothing would change, \d+ already fine; provision: dry run, nothing written/
    )
  })

  it('should raise a Concierge found as Member to Admin, and leave a more powerful agent as it is', async () => {
    const w = await world()
    await w.bootstrap()
    const { state } = w.plane
    const email = (id: string) =>
      [...state.users.values()].find((u) => u.email === `${id}@javisi.local`)?.id
    const row = (id: string) => state.workspaceMembers.find((m) => m.member === email(id))
    ;(row('ra') as { role: number }).role = 15
    ;(row('thot') as { role: number }).role = 20
    const run = await w.bootstrap()
    expect(run.code, run.out).toBe(0)
    expect(run.out).toContain(
      '[changed] role agent:ra: ra@javisi.local raised from Member to Admin'
    )
    expect(row('ra')?.role).toBe(20)
    expect(row('thot')?.role).toBe(20)
  })

  it('should revoke a labelled key whose secret the file lost, and make one the file holds', async () => {
    const w = await world()
    await w.bootstrap()
    const lost = w.secrets().PLANE_TOKEN_THOT
    const { writeFileSync } = await import('node:fs')
    const kept = Object.entries(w.secrets()).filter(
      ([k]) => k !== 'PLANE_TOKEN_THOT' && k !== 'BOOTSTRAP_KEY_ID_AGENT_THOT'
    )
    writeFileSync(w.secretsPath, kept.map(([k, v]) => `${k}=${v}`).join('\n'))
    const run = await w.bootstrap()
    expect(run.code, run.out).toBe(0)
    expect(run.out).toContain(
      'revoked 1 key(s) labelled "plane-bridge agent:thot" whose secret never reached'
    )
    expect(await w.keyUser(lost)).toBeNull()
    expect(await w.keyUser(w.secrets().PLANE_TOKEN_THOT)).toBe('thot@javisi.local')
    expect(w.snapshot().tokens.filter((t) => t.startsWith('thot@'))).toHaveLength(1)
  })

  it('should write the key of an agent without planeTokenEnv under PLANE_TOKEN_<ID> and say how to name it (exit 2)', async () => {
    const w = await world()
    const team = TEAM.map((a) => (a.id === 'thot' ? { ...a, planeTokenEnv: undefined } : a))
    const run = await w.bootstrap([], {}, team)
    expect(run.code, run.out).toBe(2)
    expect(run.out).toContain(
      `Nothing reads PLANE_TOKEN_THOT yet: add "planeTokenEnv": "PLANE_TOKEN_THOT" to thot's entry in agents.json.`
    )
    expect(await w.keyUser(w.secrets().PLANE_TOKEN_THOT)).toBe('thot@javisi.local')
  })

  it("should stop with Plane's refusal and its fix when the admin's password is weak (exit 2)", async () => {
    const w = await world()
    const run = await w.bootstrap([], { PLANE_ADMIN_PASSWORD: 'password123' })
    expect(run.code).toBe(2)
    expect(run.out).toContain('[human] instance: Plane refused it (PASSWORD_TOO_WEAK 5021)')
    expect(run.out).toContain('zxcvbn score must be 3 or more')
    expect(w.snapshot().setUp).toBe(false)
  })

  it('should say a slug taken by a workspace the admin is not in, and how to fix it', async () => {
    const w = await world({ fresh: false })
    const owner = w.plane.seed.user({ role: 20, email: 'owner@javisi.local' })
    w.plane.seed.user({ role: 15, email: ADMIN_EMAIL, password: 'vK3#pLq9-Wz7!mRt2Yx' })
    w.plane.state.workspaceMembers.splice(
      w.plane.state.workspaceMembers.findIndex((m) => m.member !== owner.id),
      1
    )
    const run = await w.bootstrap()
    expect(run.code, run.out).toBe(2)
    expect(run.out).toContain('[human] workspace javisi: the slug "javisi" is taken in this Plane')
    expect(run.out).toContain('choose another PLANE_WORKSPACE_SLUG')
  })

  it("should give Plane's words and the fix for a webhook URL on a private address", async () => {
    const w = await world({ dns: { 'plane-bridge.internal': ['172.18.0.5'] } })
    const url = 'http://plane-bridge.internal:8787/webhooks/plane'
    const run = await w.bootstrap([], { PLANE_WEBHOOK_URL: url })
    if (RELEASE === '1.3.1') {
      expect(run.code, run.out).toBe(2)
      expect(run.out).toContain(
        `[human] plane webhook: Plane 1.3.1 refuses ${url} (400: url: Invalid or disallowed webhook URL.)`
      )
      expect(run.out).toContain('WEBHOOK_ALLOWED_HOSTS')
      expect(w.snapshot().webhooks).toEqual([])
    } else {
      // v1.2.2 refuses loopback only.
      expect(run.code, run.out).toBe(0)
      expect(w.snapshot().webhooks).toHaveLength(1)
    }
  })
})
