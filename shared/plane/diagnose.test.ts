import { describe, expect, it } from 'vitest'
import { createRedactor } from '../observe/redact.ts'
import { diagnosePlaneFailure } from './diagnose.ts'
import { createPlaneHttpError, createPlaneTransportError } from './errors.ts'

const redactor = createRedactor([])
const http = (status: number, path: string, body: unknown) =>
  createPlaneHttpError({ status, method: 'GET', path, body }, redactor)

describe('diagnosePlaneFailure', () => {
  it('should name PLANE_API_KEY for a refused key, 401 or 403 with the bad-key detail', () => {
    for (const error of [
      http(401, '/api/v1/users/me/', { detail: 'Authentication credentials were not provided.' }),
      http(403, '/api/v1/workspaces/javisi/projects/', { detail: 'Given API token is not valid' }),
    ])
      expect(diagnosePlaneFailure(error)).toMatchObject({
        cause: 'key',
        setting: 'PLANE_API_KEY',
        transient: false,
      })
  })

  it('should name PLANE_WORKSPACE_SLUG for a 404 or a 403 on the workspace itself', () => {
    const missing = diagnosePlaneFailure(
      http(404, '/api/v1/workspaces/javisi-x/members/', { error: 'Page not found.' }),
      { slug: 'javisi-x' }
    )
    expect(missing).toMatchObject({ cause: 'workspace', setting: 'PLANE_WORKSPACE_SLUG' })
    expect(missing.detail).toBe(
      `no workspace "javisi-x" (HTTP 404): check PLANE_WORKSPACE_SLUG, the word after the host in Plane's URLs (https://…/<slug>/projects)`
    )
    expect(
      diagnosePlaneFailure(
        http(403, '/api/v1/workspaces/javsi/projects/', {
          detail: 'You do not have permission to perform this action.',
        })
      ).setting
    ).toBe('PLANE_WORKSPACE_SLUG')
  })

  it('should not blame a setting for a 404 or 403 inside a project', () => {
    const inside = diagnosePlaneFailure(
      http(403, '/api/v1/workspaces/javisi/projects/0b6c…/members/', {
        detail: 'You do not have permission to perform this action.',
      })
    )
    expect(inside.setting).toBeNull()
    expect(
      diagnosePlaneFailure(http(404, '/api/v1/workspaces/javisi/projects/p/work-items/i/', {}))
        .setting
    ).toBeNull()
  })

  it('should name PLANE_BASE_URL for no answer and for something that is not Plane’s API', () => {
    const closed = createPlaneTransportError(
      {
        method: 'GET',
        path: '/api/v1/users/me/',
        error: new TypeError('fetch failed'),
        timeoutMs: 1,
      },
      redactor
    )
    expect(diagnosePlaneFailure(closed, { host: 'plane:8000' })).toMatchObject({
      cause: 'url',
      setting: 'PLANE_BASE_URL',
      transient: true,
      detail: 'no answer from plane:8000 (network): check PLANE_BASE_URL and that Plane runs',
    })
    expect(
      diagnosePlaneFailure(http(404, '/api/v1/users/me/', { error: 'Page not found.' })).setting
    ).toBe('PLANE_BASE_URL')
  })

  it('should call a 5xx Plane being down, with no setting to change', () => {
    expect(diagnosePlaneFailure(http(502, '/api/v1/users/me/', 'Bad Gateway'))).toMatchObject({
      cause: 'down',
      setting: null,
      transient: true,
    })
  })
})
