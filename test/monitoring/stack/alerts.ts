/** @module Waiting on a real Prometheus's alerts: until one fires, until it is gone, or checking it stays quiet. */

import { sleep } from './processes.ts'
import type { ActiveAlert, PrometheusReader } from './prometheus.ts'

export type AlertMatch = { alertname: string } & Record<string, string>

function matching(alerts: ActiveAlert[], match: AlertMatch): ActiveAlert[] {
  return alerts.filter((a) => Object.entries(match).every(([k, v]) => a.labels[k] === v))
}

function describeMatch(match: AlertMatch): string {
  return Object.entries(match)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')
}

/** Seconds from now until the alert is firing; throws after `timeoutS`. */
export async function untilFiring(
  prom: PrometheusReader,
  match: AlertMatch,
  timeoutS: number
): Promise<number> {
  const started = Date.now()
  let seen: ActiveAlert[] = []
  while (Date.now() - started < timeoutS * 1000) {
    seen = matching(await prom.alerts(), match)
    if (seen.some((a) => a.state === 'firing')) return (Date.now() - started) / 1000
    await sleep(250)
  }
  throw new Error(
    `{${describeMatch(match)}} did not fire within ${timeoutS} s (${seen.map((a) => a.state).join(', ') || 'never active'})`
  )
}

/** Seconds from now until no alert matches (neither pending nor firing); throws after `timeoutS`. */
export async function untilGone(
  prom: PrometheusReader,
  match: AlertMatch,
  timeoutS: number
): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < timeoutS * 1000) {
    if (matching(await prom.alerts(), match).length === 0) return (Date.now() - started) / 1000
    await sleep(250)
  }
  throw new Error(
    `{${describeMatch(match)}} still active ${timeoutS} s after its cause was removed`
  )
}

/** Throws if the alert becomes active (even pending) within `forS` seconds. */
export async function staysQuiet(
  prom: PrometheusReader,
  match: AlertMatch,
  forS: number
): Promise<void> {
  const started = Date.now()
  while (Date.now() - started < forS * 1000) {
    const active = matching(await prom.alerts(), match)
    if (active.length > 0)
      throw new Error(
        `{${describeMatch(match)}} became ${active[0]?.state} while its condition was not met`
      )
    await sleep(250)
  }
}
