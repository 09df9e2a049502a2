import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { createApp } from '../../runtime/app.ts'
import { nodeMetricsOptions } from '../../runtime/node-metrics.ts'
import { createRoot } from '../../runtime/root.ts'
import { createServices } from '../../runtime/services.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { createLogger } from '../../shared/observe/log.ts'
import { createRedactor } from '../../shared/observe/redact.ts'
import { createMemoryStore } from '../../shared/store/store.ts'
import {
  alertExpressions,
  alertRules,
  allPanels,
  dashboardExpressions,
  metricNames,
  readDashboard,
  STACK_ALERTS_FILE,
  STACK_METRIC,
} from './promql.ts'

/** Series Prometheus makes itself for every target; every other name must come from plane-bridge. */
const PROMETHEUS_SERIES = new Set(['up'])

/** `# TYPE` lines of GET /metrics on an app freshly built as runtime/node.ts builds it: no traffic yet. */
async function freshTypes(): Promise<Map<string, string>> {
  const services = createServices({
    config: loadConfig({}),
    functions,
    store: createMemoryStore(),
    log: createLogger({ level: 'error', redactor: createRedactor(), write: () => undefined }),
    ...nodeMetricsOptions(),
  })
  const res = await createApp({ functions, root: createRoot(services) }).request('/metrics')
  expect(res.status).toBe(200)
  const types = new Map<string, string>()
  for (const [, name, type] of (await res.text()).matchAll(/^# TYPE (\S+) (\S+)$/gm))
    types.set(name as string, type as string)
  return types
}

function missingFrom(types: Map<string, string>, name: string): boolean {
  if (PROMETHEUS_SERIES.has(name) || types.has(name)) return false
  // The stack's exporters' names: checked against their real scrape (test/monitoring/stack/).
  if (STACK_METRIC.test(name)) return false
  const histogram = /^(.*)_(?:bucket|sum|count)$/.exec(name)?.[1]
  return !(histogram && types.get(histogram) === 'histogram')
}

describe('promql metricNames', () => {
  it('should find metric names, not functions, labels, keywords, durations or variables', () => {
    expect(
      metricNames(
        'sum by (job) (rate(a_total{route=~"x|y", q="up"}[$__rate_interval])) / on (job) b > 0.8 * 1e6 ' +
          'and on () (time() - max(c_seconds offset 5m) > 900 or absent(d_up)) unless e_bucket'
      ).sort()
    ).toEqual(['a_total', 'b', 'c_seconds', 'd_up', 'e_bucket'])
  })
})

describe('monitoring pack and /metrics', () => {
  it('should reference, in every alert and every dashboard query, only metrics a fresh /metrics declares', async () => {
    const types = await freshTypes()
    const expressions = [...alertExpressions(), ...dashboardExpressions()]
    expect(expressions.length).toBeGreaterThan(30)
    const missing: string[] = []
    for (const { where, expr } of expressions) {
      const names = metricNames(expr)
      expect(names.length, `${where} reads no metric: ${expr}`).toBeGreaterThan(0)
      for (const name of names) if (missingFrom(types, name)) missing.push(`${where}: ${name}`)
    }
    expect(missing).toEqual([])
  })

  it('should not pass a name /metrics lacks (the check is not vacuous)', async () => {
    const types = await freshTypes()
    expect(missingFrom(types, 'plane_bridge_no_such_metric')).toBe(true)
    expect(missingFrom(types, 'plane_bridge_job_runs_total_bucket')).toBe(true)
    expect(missingFrom(types, 'plane_bridge_job_duration_seconds_bucket')).toBe(false)
  })
})

describe('monitoring/grafana-dashboard.json', () => {
  it('should be an importable dashboard: unique panel ids, every query on the DS_PROMETHEUS input', () => {
    const dashboard = readDashboard()
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({
        name: 'DS_PROMETHEUS',
        type: 'datasource',
        pluginId: 'prometheus',
      }),
    ])
    const panels = allPanels(dashboard)
    const ids = panels.map((p) => p.id)
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    const datasources: unknown[] = []
    JSON.stringify(dashboard, (key, value) => {
      if (key === 'datasource') datasources.push(value)
      return value
    })
    // One per panel, target and variable (rows have none).
    expect(datasources.length).toBeGreaterThan(panels.length)
    for (const ds of datasources)
      expect(ds).toEqual({ type: 'prometheus', uid: `\${DS_PROMETHEUS}` })
    for (const panel of panels.filter((p) => p.type !== 'row'))
      expect(panel.targets?.length, `panel ${panel.id} has no query`).toBeGreaterThan(0)
  })
})

describe('monitoring/stack-alerts.yml and docs/deploy.md', () => {
  it('should give every stack alert its runbook line in the alerts table', () => {
    const doc = readFileSync('docs/deploy.md', 'utf8')
    const alerts = alertRules(STACK_ALERTS_FILE).map((r) => r.alert)
    expect(alerts.length).toBeGreaterThanOrEqual(11)
    const undocumented = alerts.filter((name) => !doc.includes(`| \`${name}\` |`))
    expect(undocumented).toEqual([])
  })
})
