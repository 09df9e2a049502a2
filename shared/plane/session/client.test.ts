import { describe, expect, it } from 'vitest'
import { createPlaneSim } from '../../../sim/plane/index.ts'
import { readInstance, signIn, signUp } from './calls.ts'
import { createPlaneSession, PlaneSessionError } from './client.ts'

const STRONG = 'vK3#pLq9-Wz7!mRt2Yx'

describe("the session client on Plane's session API (simulated)", () => {
  it('should sign up and in again with a fresh CSRF token each time, and read refusals from the redirect', async () => {
    const sim = createPlaneSim()
    const session = createPlaneSession({ baseUrl: sim.baseUrl, fetch: sim.fetch })
    expect(await signUp(session, 'thot@example.com', STRONG)).toEqual({ ok: true })
    expect(session.signedIn()).toBe(true)
    // Django rotated the CSRF secret at that login: a token read before it would fail now.
    expect(await signIn(session, 'thot@example.com', STRONG)).toEqual({ ok: true })
    expect(await signIn(session, 'thot@example.com', `${STRONG}!`)).toEqual({
      ok: false,
      error: 'AUTHENTICATION_FAILED_SIGN_IN',
      code: 5065,
    })
    expect((await session.json('GET', '/api/users/me/')).body).toMatchObject({
      email: 'thot@example.com',
    })
  })

  it("should wait out Plane's 429 as long as its Retry-After, then go on", async () => {
    const sim = createPlaneSim({ fresh: true })
    const waits: number[] = []
    const session = createPlaneSession({
      baseUrl: sim.baseUrl,
      fetch: sim.fetch,
      sleep: async (ms) => {
        waits.push(ms)
      },
    })
    sim.faults.rateLimitStorm(2, 7)
    expect(await readInstance(session)).toEqual({ setUp: false, release: '1.2.3' })
    expect(waits).toEqual([7000, 7000])
  })

  it('should throw a failure that names the step, never a body, when Plane does not answer or fails', async () => {
    const sim = createPlaneSim()
    const session = createPlaneSession({ baseUrl: sim.baseUrl, fetch: sim.fetch })
    sim.faults.failNext(1, 502)
    const error = await readInstance(session).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlaneSessionError)
    expect(error).toMatchObject({ kind: 'failed', status: 502 })
    const down = createPlaneSession({ baseUrl: 'http://nowhere.invalid', fetch: sim.fetch })
    await expect(signIn(down, 'a@b.example', STRONG)).rejects.toMatchObject({
      kind: 'failed',
      message: expect.stringContaining('Plane did not answer GET /auth/get-csrf-token/'),
    })
  })
})

describe('a session Plane ends mid-run', () => {
  it('should sign in again once by itself and ask again', async () => {
    const sim = createPlaneSim()
    sim.seed.user({ email: 'thot@example.com', password: STRONG })
    const session = createPlaneSession({ baseUrl: sim.baseUrl, fetch: sim.fetch })
    expect(await signIn(session, 'thot@example.com', STRONG)).toEqual({ ok: true })
    sim.session.expireAll()
    const me = await session.json<{ email: string }>('GET', '/api/users/me/')
    expect(me).toMatchObject({ status: 200, body: { email: 'thot@example.com' } })
    // A password changed meanwhile: the 401 is the answer, once.
    sim.session.expireAll()
    sim.session.passwords.clear()
    expect((await session.json('GET', '/api/users/me/')).status).toBe(401)
  })
})
