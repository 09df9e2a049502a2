/**
 * @module Which OpenClaw runs behind OPENCLAW_HOOKS_URL (DESIGN 13: detect, don't assume). 2026.9 answers
 * `GET /startupz` with JSON, and gives its `version` to a caller on its own host; 2026.2 has no such probe (its
 * Control UI answers every unknown path with its HTML page), and is known by its hooks answering an empty wake with
 * 400 "message required", which starts no run.
 */
import { type OpenClawLine, openClawLineOf } from './lines.ts'

const TIMEOUT_MS = 5_000

export type OpenClawRelease = {
  /** `2026.9.6` when the gateway said it; null when only its line is known. */
  version: string | null
  /** Null when the gateway runs a version no supported line covers. */
  line: OpenClawLine | null
  /** How it was found, for the operator: `its /startupz said 2026.9.6`. */
  evidence: string
}

export type DetectOpenClawOptions = {
  /** OPENCLAW_HOOKS_URL (`http://openclaw:18789/hooks`): the probes are at its origin. */
  hooksUrl: string
  /** OPENCLAW_HOOKS_TOKEN: only the empty-wake probe sends it. */
  token: string
  fetch?: typeof fetch
}

/** The gateway's release, or null when it cannot be asked (unreachable, refused the token, not an OpenClaw). */
export async function detectOpenClawRelease({
  hooksUrl,
  token,
  fetch: fetchImpl = (input, init) => globalThis.fetch(input, init),
}: DetectOpenClawOptions): Promise<OpenClawRelease | null> {
  let origin: string
  try {
    origin = new URL(hooksUrl).origin
  } catch {
    return null
  }
  const startup = await _json(() =>
    fetchImpl(`${origin}/startupz`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
  )
  if (typeof startup?.version === 'string')
    return {
      version: startup.version,
      line: openClawLineOf(startup.version),
      evidence: `its /startupz said ${startup.version}`,
    }
  // Away from its host, 2026.9 says only {ok, status}: the probe's answer is enough to know the line.
  if (startup && 'status' in startup)
    return { version: null, line: '2026.9', evidence: 'it answers /startupz (2026.2 does not)' }
  const wake = await _json(
    () =>
      fetchImpl(`${hooksUrl.replace(/\/+$/, '')}/agent`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      }),
    400
  )
  if (wake?.error === 'message required')
    return {
      version: null,
      line: '2026.2',
      evidence: 'its hooks answer, and it has no /startupz (2026.9 has)',
    }
  return null
}

// --- Internal helpers ---

/** The JSON object of a response with that status, or null (any other status, not JSON, unreachable). */
async function _json(
  request: () => Promise<Response>,
  status = 200
): Promise<Record<string, unknown> | null> {
  try {
    const response = await request()
    if (response.status !== status) {
      await response.body?.cancel()
      return null
    }
    const body = (await response.json()) as unknown
    return body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}
