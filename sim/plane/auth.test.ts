import { describe, expect, it } from 'vitest'
import { seededSim } from './test-helpers.ts'

describe('plane sim: authentication and permissions', () => {
  it('should answer 401 with the DRF detail when X-API-Key is missing', async () => {
    const { call } = seededSim()
    const res = await call('GET', '/api/v1/users/me/')
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ detail: 'Authentication credentials were not provided.' })
  })

  it('should answer 403 "Given API token is not valid" for an unknown, revoked or expired key', async () => {
    const { sim, call, member } = seededSim({ now: () => 1_000_000 })
    expect((await call('GET', '/api/v1/users/me/', { key: 'plane_api_nope' })).body).toEqual({
      detail: 'Given API token is not valid',
    })
    sim.seed.revokeKey(member.apiKey, { expiredAt: 999_999 })
    const expired = await call('GET', '/api/v1/users/me/', { key: member.apiKey })
    expect(expired.status).toBe(403)
    expect(expired.body.detail).toBe('Given API token is not valid')
  })

  it('should read the header case-insensitively and return UserLite for users/me', async () => {
    const { call, admin } = seededSim()
    const res = await call('GET', '/api/v1/users/me/', { headers: { 'x-api-key': admin.apiKey } })
    expect(res.status).toBe(200)
    expect(Object.keys(res.body)).toEqual([
      'id',
      'first_name',
      'last_name',
      'email',
      'avatar',
      'avatar_url',
      'display_name',
    ])
    expect(res.body.id).toBe(admin.id)
  })

  it('should answer 403 permission denied for a non-member, an unknown project and an unknown workspace', async () => {
    const { call, outsider, admin, projectPath, project } = seededSim()
    const denied = { detail: 'You do not have permission to perform this action.' }
    const notMember = await call('GET', `${projectPath}/work-items/`, { key: outsider.apiKey })
    expect(notMember.status).toBe(403)
    expect(notMember.body).toEqual(denied)
    const unknownProject = await call(
      'GET',
      `/api/v1/workspaces/javisi/projects/${crypto.randomUUID()}/work-items/`,
      { key: admin.apiKey }
    )
    expect([unknownProject.status, unknownProject.body]).toEqual([403, denied])
    const unknownWorkspace = await call(
      'GET',
      `/api/v1/workspaces/other/projects/${project.id}/work-items/`,
      {
        key: admin.apiKey,
      }
    )
    expect([unknownWorkspace.status, unknownWorkspace.body]).toEqual([403, denied])
  })

  it('should let a guest read work items but not create them', async () => {
    const { call, guest, projectPath } = seededSim()
    expect((await call('GET', `${projectPath}/work-items/`, { key: guest.apiKey })).status).toBe(
      200
    )
    const write = await call('POST', `${projectPath}/work-items/`, {
      key: guest.apiKey,
      body: { name: 'x' },
    })
    expect(write.status).toBe(403)
  })

  it('should give 404 Page not found without a trailing slash or with a non-UUID path param', async () => {
    const { call, admin, projectPath, project } = seededSim()
    const noSlash = await call('GET', '/api/v1/users/me', { key: admin.apiKey })
    expect([noSlash.status, noSlash.body]).toEqual([404, { error: 'Page not found.' }])
    const postNoSlash = await call('POST', `${projectPath}/work-items`, {
      key: admin.apiKey,
      body: { name: 'x' },
    })
    expect(postNoSlash.status).toBe(404)
    const badUuid = await call('GET', '/api/v1/workspaces/javisi/projects/not-a-uuid/work-items/', {
      key: admin.apiKey,
    })
    expect([badUuid.status, badUuid.body]).toEqual([404, { error: 'Page not found.' }])
    // Django's uuid converter is lowercase-only.
    const upper = await call(
      'GET',
      `/api/v1/workspaces/javisi/projects/${project.id.toUpperCase()}/work-items/`,
      {
        key: admin.apiKey,
      }
    )
    expect(upper.status).toBe(404)
  })

  it('should check the URL before authentication (404 without a key), then auth, then 405 for a wrong method', async () => {
    const { call, admin, projectPath } = seededSim()
    expect((await call('GET', '/api/v1/nothing/here/')).status).toBe(404)
    expect((await call('DELETE', `${projectPath}/work-items/`)).status).toBe(401)
    const wrongMethod = await call('DELETE', `${projectPath}/work-items/`, { key: admin.apiKey })
    expect([wrongMethod.status, wrongMethod.body]).toEqual([
      405,
      { detail: 'Method "DELETE" not allowed.' },
    ])
  })

  it('should refuse a JSON body sent without a JSON content type (415)', async () => {
    const { call, admin, projectPath } = seededSim()
    const res = await call('POST', `${projectPath}/work-items/`, {
      key: admin.apiKey,
      body: JSON.stringify({ name: 'x' }),
      headers: { 'Content-Type': 'text/plain' },
    })
    expect(res.status).toBe(415)
    expect(res.body.detail).toBe('Unsupported media type "text/plain" in request.')
  })

  it('should log every request with its status and key', async () => {
    const { sim, call, admin } = seededSim()
    await call('GET', '/api/v1/users/me/?x=1', { key: admin.apiKey })
    await call('GET', '/api/v1/users/me/')
    expect(sim.requests.map((r) => [r.method, r.path, r.status, r.apiKey])).toEqual([
      ['GET', '/api/v1/users/me/', 200, admin.apiKey],
      ['GET', '/api/v1/users/me/', 401, undefined],
    ])
    expect(sim.requests[0]?.query).toEqual({ x: '1' })
  })
})
