import { describe, expect, it } from 'vitest'
import { openClawLineOf } from './lines.ts'
import { detectOpenClawRelease } from './release.ts'

/** Answers as each real gateway answered (2026.9.6 and 2026.2.26, asked from their own host and not). */
function gateway(kind: '2026.9-local' | '2026.9-remote' | '2026.2' | 'down' | 'other') {
  const calls: string[] = []
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input)
    calls.push(`${init?.method ?? 'GET'} ${url}`)
    if (kind === 'down') throw new TypeError('fetch failed')
    if (url.endsWith('/startupz')) {
      if (kind === '2026.9-local') return json({ ok: true, status: 'started', version: '2026.9.6' })
      if (kind === '2026.9-remote') return json({ ok: true, status: 'started' })
      // 2026.2's Control UI answers any path it does not know with its page.
      if (kind === '2026.2')
        return new Response('<!doctype html><title>OpenClaw Control</title>', {
          headers: { 'content-type': 'text/html; charset=utf-8' },
        })
      return new Response('not found', { status: 404 })
    }
    if (url.endsWith('/hooks/agent') && kind === '2026.2')
      return json({ ok: false, error: 'message required' }, 400)
    return new Response('not found', { status: 404 })
  }
  return { fetch: fetch as typeof globalThis.fetch, calls }
}

describe('openClawLineOf', () => {
  it('should name the line of a supported version, and none of another', () => {
    expect(openClawLineOf('2026.2.26')).toBe('2026.2')
    expect(openClawLineOf('v2026.9.6')).toBe('2026.9')
    expect(openClawLineOf('2026.9.x')).toBe('2026.9')
    expect(openClawLineOf('2026.02')).toBe('2026.2')
    expect(openClawLineOf('2026.2.26-beta.1')).toBe('2026.2')
    expect(openClawLineOf('2026.5.1')).toBeNull()
    expect(openClawLineOf('latest')).toBeNull()
  })
})

describe('detectOpenClawRelease', () => {
  const ask = (kind: Parameters<typeof gateway>[0]) => {
    const g = gateway(kind)
    return {
      g,
      release: detectOpenClawRelease({
        hooksUrl: 'http://openclaw:18789/hooks/',
        token: 'hooks_secret',
        fetch: g.fetch,
      }),
    }
  }

  it('should read the version 2026.9 tells a caller on its host', async () => {
    const { g, release } = ask('2026.9-local')
    expect(await release).toEqual({
      version: '2026.9.6',
      line: '2026.9',
      evidence: 'its /startupz said 2026.9.6',
    })
    // Its probe is at the gateway's root, whatever the hooks path; no wake is sent.
    expect(g.calls).toEqual(['GET http://openclaw:18789/startupz'])
  })

  it('should know 2026.9 by its probe when it keeps its version from a caller elsewhere', async () => {
    expect(await ask('2026.9-remote').release).toMatchObject({ version: null, line: '2026.9' })
  })

  it('should know 2026.2 by its hooks answering an empty wake, without a probe', async () => {
    const { g, release } = ask('2026.2')
    expect(await release).toMatchObject({ version: null, line: '2026.2' })
    expect(g.calls).toEqual([
      'GET http://openclaw:18789/startupz',
      'POST http://openclaw:18789/hooks/agent',
    ])
  })

  it('should say nothing of a gateway it cannot reach or that is not OpenClaw', async () => {
    expect(await ask('down').release).toBeNull()
    expect(await ask('other').release).toBeNull()
  })
})
