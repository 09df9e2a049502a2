import { describe, expect, it } from 'vitest'
import { createPlaneSim, type PlaneSimOptions } from './index.ts'

const STRONG = 'vK3#pLq9-Wz7!mRt2Yx'
const ADMIN = 'human@example.com'

/** A browser's view of the simulator: one cookie jar, no redirects followed. */
function browser(sim: ReturnType<typeof createPlaneSim>) {
  const jar = new Map<string, string>()
  const send = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    const response = await sim.fetch(`${sim.baseUrl}${path}`, {
      ...init,
      headers,
      redirect: 'manual',
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const [name = '', value = ''] = pair.split('=')
      jar.set(name, value)
    }
    return response
  }
  const csrf = async () =>
    ((await (await send('/auth/get-csrf-token/')).json()) as { csrf_token: string }).csrf_token
  return {
    jar,
    send,
    csrf,
    json: async (path: string, method = 'GET', body?: unknown) => {
      const response = await send(path, {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      })
      const text = await response.text()
      return { status: response.status, body: text ? JSON.parse(text) : null }
    },
    /** A form post with a fresh CSRF token and the site's Origin, as the web app sends it; the redirect's query. */
    form: async (path: string, fields: Record<string, string>, token?: string) => {
      const body = new URLSearchParams({ csrfmiddlewaretoken: token ?? (await csrf()), ...fields })
      const response = await send(path, {
        method: 'POST',
        body,
        headers: { origin: new URL(sim.baseUrl).origin },
      })
      const location = response.headers.get('location') ?? ''
      return {
        status: response.status,
        location,
        error: location ? new URL(location).searchParams.get('error_message') : null,
        text: response.status === 200 ? await response.text() : '',
      }
    },
  }
}

async function setUp(options: PlaneSimOptions = {}) {
  const sim = createPlaneSim({ fresh: true, ...options })
  const admin = browser(sim)
  const signUp = await admin.form('/api/instances/admins/sign-up/', {
    email: ADMIN,
    password: STRONG,
    first_name: 'Human',
    company_name: 'javisi',
  })
  expect(signUp.location).toBe(`${sim.baseUrl}/god-mode/general/`)
  expect((await admin.form('/auth/sign-in/', { email: ADMIN, password: STRONG })).location).toBe(
    sim.baseUrl
  )
  const created = await admin.json('/api/workspaces/', 'POST', {
    name: 'javisi',
    slug: 'javisi',
    organization_size: '2-10',
    timezone: 'UTC',
  })
  expect(created.status).toBe(201)
  return { sim, admin }
}

describe('the simulated Plane session API (v1.2.2 and v1.3.1 alike)', () => {
  it('should start unconfigured when fresh: no admin, no workspace, sign-in refused', async () => {
    const sim = createPlaneSim({ fresh: true, release: '1.2.2' })
    const anon = browser(sim)
    const instance = await anon.json('/api/instances/')
    expect(instance.body.instance).toMatchObject({
      is_setup_done: false,
      current_version: 'v1.2.2',
    })
    expect(instance.body.config.is_intercom_enabled).toBe(true)
    const signIn = await anon.form('/auth/sign-in/', { email: ADMIN, password: STRONG })
    expect(signIn.status).toBe(302)
    expect(signIn.location).toBe(
      `${sim.baseUrl}/?error_code=5000&error_message=INSTANCE_NOT_CONFIGURED`
    )
    expect(sim.state.workspace.exists).toBe(false)
    const v13 = await browser(createPlaneSim({ fresh: true, version: '1.3' })).json(
      '/api/instances/'
    )
    expect(v13.body.config).not.toHaveProperty('is_intercom_enabled')
  })

  it("should refuse a form post without Django's CSRF cookie and token, with a 200 page", async () => {
    const sim = createPlaneSim({ fresh: true })
    const anon = browser(sim)
    const noCookie = await anon.form(
      '/api/instances/admins/sign-up/',
      { email: ADMIN },
      'x'.repeat(64)
    )
    expect(noCookie.status).toBe(200)
    expect(noCookie.text).toContain('CSRF cookie not set.')
    const token = await anon.csrf()
    const other = token.endsWith('a') ? 'b' : 'a'
    const wrong = await anon.form(
      '/api/instances/admins/sign-up/',
      {},
      `${token.slice(0, 63)}${other}`
    )
    expect(wrong.text).toContain('CSRF token from POST incorrect.')
    const foreign = await anon.send('/auth/sign-in/', {
      method: 'POST',
      body: new URLSearchParams({ csrfmiddlewaretoken: token }),
      headers: { origin: 'https://evil.example.com' },
    })
    expect(await foreign.text()).toContain('Origin checking failed')
    expect(sim.session.instance.is_setup_done).toBe(false)
  })

  it('should make the first admin once, refuse a weak password, and rotate the CSRF secret at login', async () => {
    const sim = createPlaneSim({ fresh: true })
    const anon = browser(sim)
    const weak = await anon.form('/api/instances/admins/sign-up/', {
      email: ADMIN,
      password: 'password123',
      first_name: 'Human',
    })
    expect(weak.error).toBe('PASSWORD_TOO_WEAK')
    expect(weak.location.startsWith(`${sim.baseUrl}/god-mode/?error_code=5021&`)).toBe(true)
    const token = await anon.csrf()
    const made = await anon.form(
      '/api/instances/admins/sign-up/',
      { email: ADMIN, password: STRONG, first_name: 'Human' },
      token
    )
    expect(made.location).toBe(`${sim.baseUrl}/god-mode/general/`)
    expect(anon.jar.has('admin-session-id')).toBe(true)
    expect(sim.session.instance.is_setup_done).toBe(true)
    // The token read before the login no longer matches the rotated cookie.
    const stale = await anon.form('/auth/sign-in/', { email: ADMIN, password: STRONG }, token)
    expect(stale.text).toContain('CSRF token from POST incorrect.')
    const again = await browser(sim).form('/api/instances/admins/sign-up/', {
      email: 'other@example.com',
      password: STRONG,
      first_name: 'Other',
    })
    expect(again.error).toBe('ADMIN_ALREADY_EXIST')
  })

  it("should keep god-mode's session apart: the app needs its own sign-in", async () => {
    const sim = createPlaneSim({ fresh: true })
    const admin = browser(sim)
    await admin.form('/api/instances/admins/sign-up/', {
      email: ADMIN,
      password: STRONG,
      first_name: 'Human',
    })
    expect((await admin.json('/api/users/me/')).status).toBe(401)
    const wrong = await admin.form('/auth/sign-in/', { email: ADMIN, password: `${STRONG}x` })
    expect(wrong.error).toBe('AUTHENTICATION_FAILED_SIGN_IN')
    await admin.form('/auth/sign-in/', { email: ADMIN, password: STRONG })
    expect((await admin.json('/api/users/me/')).body.email).toBe(ADMIN)
    sim.session.expireAll()
    expect((await admin.json('/api/users/me/')).status).toBe(401)
  })

  it('should create the workspace once with its time zone, and say a taken slug is taken', async () => {
    const { sim, admin } = await setUp()
    expect(sim.state.workspace).toMatchObject({ exists: true, timezone: 'UTC', slug: 'javisi' })
    expect((await admin.json('/api/users/me/workspaces/')).body).toEqual([
      expect.objectContaining({ slug: 'javisi', role: 20 }),
    ])
    expect((await admin.json('/api/workspace-slug-check/?slug=javisi')).body).toEqual({
      status: false,
    })
    const again = await admin.json('/api/workspaces/', 'POST', { name: 'javisi', slug: 'javisi' })
    expect(again).toEqual({
      status: 400,
      body: { slug: ['workspace with this slug already exists.'] },
    })
    const restricted = await admin.json('/api/workspaces/', 'POST', { name: 'x', slug: 'god-mode' })
    expect(restricted.body).toEqual({ slug: ['Slug is not valid'] })
  })

  it('should let only an invited e-mail sign up when sign-up is off, and join only once accepted', async () => {
    const { sim, admin } = await setUp({ enableSignup: false })
    const agent = browser(sim)
    const uninvited = await agent.form('/auth/sign-up/', {
      email: 'thot@example.com',
      password: STRONG,
    })
    expect(uninvited.error).toBe('SIGNUP_DISABLED')
    const sent = await admin.json('/api/workspaces/javisi/invitations/', 'POST', {
      emails: [{ email: 'Thot@Example.com', role: 15 }],
    })
    expect(sent).toEqual({ status: 200, body: { message: 'Emails sent successfully' } })
    const weak = await agent.form('/auth/sign-up/', { email: 'thot@example.com', password: 'thot' })
    expect(weak.error).toBe('PASSWORD_TOO_WEAK')
    const signedUp = await agent.form('/auth/sign-up/', {
      email: 'thot@example.com',
      password: STRONG,
    })
    expect(signedUp.location).toBe(sim.baseUrl)
    const members = () => admin.json('/api/workspaces/javisi/members/')
    expect(
      (await members()).body.map((m: { member: { email: string } }) => m.member.email)
    ).toEqual([ADMIN])
    const invitations = await agent.json('/api/users/me/workspaces/invitations/')
    expect(invitations.body).toEqual([
      expect.objectContaining({ email: 'thot@example.com', role: 15, accepted: false }),
    ])
    const ids = invitations.body.map((i: { id: string }) => i.id)
    expect(
      (await agent.json('/api/users/me/workspaces/invitations/', 'POST', { invitations: ids }))
        .status
    ).toBe(204)
    expect((await members()).body).toContainEqual(
      expect.objectContaining({
        role: 15,
        is_active: true,
        member: expect.objectContaining({ email: 'thot@example.com' }),
      })
    )
    expect((await agent.json('/api/users/me/workspaces/invitations/')).body).toEqual([])
    const twice = await agent.form('/auth/sign-up/', {
      email: 'thot@example.com',
      password: STRONG,
    })
    expect(twice.error).toBe('USER_ALREADY_EXIST')
  })

  it('should keep roles 20/15/5: no invitation above your own role, only an Admin changes roles', async () => {
    const { sim, admin } = await setUp()
    const member = sim.seed.user({ role: 15, email: 'member@example.com', password: STRONG })
    const memberBrowser = browser(sim)
    await memberBrowser.form('/auth/sign-in/', { email: member.email, password: STRONG })
    const higher = await memberBrowser.json('/api/workspaces/javisi/invitations/', 'POST', {
      emails: [{ email: 'boss@example.com', role: 20 }],
    })
    expect(higher).toEqual({
      status: 400,
      body: { error: 'You cannot invite a user with higher role' },
    })
    const rows = (await admin.json('/api/workspaces/javisi/members/')).body as Array<{
      id: string
      member: { email: string }
    }>
    const row = rows.find((m) => m.member.email === member.email)
    const promote = () =>
      memberBrowser.json(`/api/workspaces/javisi/members/${row?.id}/`, 'PATCH', { role: 20 })
    expect((await promote()).status).toBe(403)
    const done = await admin.json(`/api/workspaces/javisi/members/${row?.id}/`, 'PATCH', {
      role: 20,
    })
    expect(done.body).toMatchObject({ role: 20 })
    const self = rows.find((m) => m.member.email === ADMIN)
    expect(
      (await admin.json(`/api/workspaces/javisi/members/${self?.id}/`, 'PATCH', { role: 5 })).body
    ).toEqual({
      error: 'You cannot update your own role',
    })
    const already = await admin.json('/api/workspaces/javisi/invitations/', 'POST', {
      emails: [{ email: member.email, role: 15 }],
    })
    expect(already.body.error).toBe('Some users are already member of workspace')
  })

  it('should show a token once, list it without it, and let the key act as its user until deleted', async () => {
    const { sim, admin } = await setUp()
    const made = await admin.json('/api/users/api-tokens/', 'POST', {
      label: 'plane-bridge',
      description: 'x',
    })
    expect(made.status).toBe(201)
    expect(made.body.token).toMatch(/^plane_api_[0-9a-f]{32}$/)
    const listed = await admin.json('/api/users/api-tokens/')
    expect(listed.body).toEqual([
      expect.objectContaining({ id: made.body.id, label: 'plane-bridge', is_active: true }),
    ])
    expect(listed.body[0]).not.toHaveProperty('token')
    const me = await sim.fetch(`${sim.baseUrl}/api/v1/users/me/`, {
      headers: { 'x-api-key': made.body.token },
    })
    expect(((await me.json()) as { email: string }).email).toBe(ADMIN)
    expect((await admin.json(`/api/users/api-tokens/${made.body.id}/`, 'DELETE')).status).toBe(204)
    const after = await sim.fetch(`${sim.baseUrl}/api/v1/users/me/`, {
      headers: { 'x-api-key': made.body.token },
    })
    expect(after.status).toBe(403)
  })

  it('should keep one webhook per URL, return its secret on every read, and leave it to Admins', async () => {
    const { sim, admin } = await setUp()
    const url = 'https://hooks.example.com/webhooks/plane'
    const made = await admin.json('/api/workspaces/javisi/webhooks/', 'POST', {
      url,
      project: true,
      issue: true,
      module: true,
      cycle: true,
      issue_comment: true,
    })
    expect(made.status).toBe(201)
    expect(made.body).toMatchObject({ url, is_active: true, issue_comment: true })
    expect(made.body.secret_key).toMatch(/^plane_wh_[0-9a-f]{32}$/)
    const again = await admin.json('/api/workspaces/javisi/webhooks/', 'POST', { url })
    expect(again).toEqual({ status: 409, body: { error: 'URL already exists for the workspace' } })
    expect(
      (await admin.json(`/api/workspaces/javisi/webhooks/${made.body.id}/`)).body.secret_key
    ).toBe(made.body.secret_key)
    const member = sim.seed.user({ role: 15, email: 'm@example.com', password: STRONG })
    const other = browser(sim)
    await other.form('/auth/sign-in/', { email: member.email, password: STRONG })
    expect((await other.json('/api/workspaces/javisi/webhooks/')).status).toBe(403)
  })

  it("should check webhook URLs by each release's rules (private addresses, WEBHOOK_ALLOWED_HOSTS)", async () => {
    const url = 'http://plane-bridge.internal:8787/webhooks/plane'
    const dns = { 'plane-bridge.internal': ['172.18.0.5'] }
    const post = async (options: PlaneSimOptions) => {
      const { admin } = await setUp({ dns, ...options })
      return admin.json('/api/workspaces/javisi/webhooks/', 'POST', { url, issue: true })
    }
    expect((await post({ release: '1.2.2' })).status).toBe(201)
    expect(await post({ version: '1.3', release: '1.3.1' })).toEqual({
      status: 400,
      body: { url: 'Invalid or disallowed webhook URL.' },
    })
    const allowed = await post({
      version: '1.3',
      release: '1.3.1',
      webhookEnv: { allowedHosts: ['plane-bridge.internal'] },
    })
    expect(allowed.status).toBe(201)
    const own = await post({ release: '1.2.2', dns: {} })
    expect(own.body).toEqual({ url: 'Hostname could not be resolved.' })
  })

  it("should throttle anonymous callers at 30 a minute with Plane's 429", async () => {
    const sim = createPlaneSim({ fresh: true, now: () => 1_000_000 })
    const anon = browser(sim)
    for (let i = 0; i < 30; i++) expect((await anon.send('/auth/get-csrf-token/')).status).toBe(200)
    const refused = await anon.send('/api/instances/')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('60')
    expect(await refused.json()).toEqual({ error_code: 5900, error_message: 'RATE_LIMIT_EXCEEDED' })
  })
})
