/**
 * @module `check` for OpenClaw's hooks: is the token accepted? OpenClaw has no read-only hooks route, so the
 * probe is a `POST /hooks/wake` with an empty body: the Gateway checks the token first (401 when wrong),
 * then refuses the body (400 "text required"), so a right token wakes nobody (telegram-mcp-openclaw.md §4.5).
 */
import type { Config } from '../core/config.ts'
import { type CheckResult, offResult } from './result.ts'

const CHECK_TIMEOUT_MS = 10_000

export type OpenClawCheckOptions = { config: Config; fetch?: typeof fetch }

export async function checkOpenClaw({ config, fetch }: OpenClawCheckOptions): Promise<CheckResult> {
  const name = 'openclaw'
  const { OPENCLAW_HOOKS_URL: hooksUrl, OPENCLAW_HOOKS_TOKEN: token } = config
  if (!hooksUrl || !token) {
    const missing = [hooksUrl ? null : 'OPENCLAW_HOOKS_URL', token ? null : 'OPENCLAW_HOOKS_TOKEN']
    return offResult(
      name,
      missing.filter((k): k is string => k !== null)
    )
  }
  const where = _where(hooksUrl)
  let status: number
  try {
    const response = await (fetch ?? globalThis.fetch)(`${hooksUrl.replace(/\/+$/, '')}/wake`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
    })
    status = response.status
    await response.body?.cancel()
  } catch (error) {
    const why = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'no answer'
    return {
      name,
      status: 'fail',
      detail: `${where}: ${why}: check OPENCLAW_HOOKS_URL and that the Gateway runs and is reachable from here`,
    }
  }
  if (status === 400)
    return {
      name,
      status: 'ok',
      detail: `${where}: OPENCLAW_HOOKS_TOKEN accepted (probe: an empty wake, refused as incomplete — nobody woken)`,
    }
  if (status >= 200 && status < 300)
    return {
      name,
      status: 'ok',
      detail: `${where}: OPENCLAW_HOOKS_TOKEN accepted (answered ${status})`,
    }
  const fix: Record<number, string> = {
    401: 'OPENCLAW_HOOKS_TOKEN refused (401): use hooks.token from the OpenClaw config (not the Gateway token)',
    404: 'hooks not found (404): turn hooks on (hooks.enabled) and make OPENCLAW_HOOKS_URL end with hooks.path (/hooks)',
    429: 'throttled after failed attempts (429): fix OPENCLAW_HOOKS_TOKEN, wait a minute, run check again',
  }
  return {
    name,
    status: 'fail',
    detail: `${where}: ${fix[status] ?? `answered ${status}: see the Gateway's log`}`,
  }
}

/** The hooks URL without anything that could carry a credential (the client refuses those anyway). */
function _where(hooksUrl: string): string {
  try {
    const url = new URL(hooksUrl)
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  } catch {
    // Not a URL: the line names the setting instead.
    return 'OPENCLAW_HOOKS_URL'
  }
}
