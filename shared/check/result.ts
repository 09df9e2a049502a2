/**
 * @module The `check` job's lines: one per integration, ✓ working, ✗ broken (with the fix), ! working but worth
 * fixing (an agent without a Plane key of its own: its writes show as the bridge's), – off. Pure.
 */

export type CheckStatus = 'ok' | 'fail' | 'warn' | 'off'

export type CheckResult = {
  /** `plane`, `plane workspace`, `telegram webhook`, `plane key imhotep`… */
  name: string
  status: CheckStatus
  /** What was seen; for a failure, what to fix. Never a secret. */
  detail: string
}

const MARK: Record<CheckStatus, string> = { ok: '✓', fail: '✗', warn: '!', off: '–' }

export function formatCheckLine({ name, status, detail }: CheckResult): string {
  return `${MARK[status]} ${name}: ${detail}`
}

/** `5 ok, 1 failed, 2 off`, and the names of what failed. */
export function summarizeChecks(results: readonly CheckResult[]): {
  summary: string
  failed: string[]
} {
  const count = (status: CheckStatus) => results.filter((r) => r.status === status).length
  const failed = results.filter((r) => r.status === 'fail').map((r) => r.name)
  const parts = [`${count('ok')} ok`, `${failed.length} failed`, `${count('off')} off`]
  // Said only when there is one: the summary an operator knows stays as it was.
  if (count('warn') > 0) parts.push(`${count('warn')} to look at`)
  return { summary: parts.join(', '), failed }
}

/** A setting left unset turns the integration off: reported, never a failure. */
export function offResult(name: string, missing: readonly string[]): CheckResult {
  return { name, status: 'off', detail: `off (${missing.join(', ')} unset)` }
}

/** How long ago, in words an operator reads at a glance: `4 min ago`, `3 h ago`, `2 days ago`. */
export function ago(thenMs: number, nowMs: number): string {
  const minutes = Math.max(0, Math.round((nowMs - thenMs) / 60_000))
  if (minutes < 120) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`
}
