/** The metric names a PromQL expression reads, and the expressions of the monitoring pack (rules, dashboard). */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

export const ALERTS_FILE = 'monitoring/alerts.yml'
export const ALERTS_TEST_FILE = 'monitoring/alerts.test.yml'
export const DASHBOARD_FILE = 'monitoring/grafana-dashboard.json'
/** The Plane stack's rules (Plane's api, PostgreSQL, Redis, RabbitMQ, containers), beside the bridge's. */
export const STACK_ALERTS_FILE = 'monitoring/stack-alerts.yml'
export const STACK_ALERTS_TEST_FILE = 'monitoring/stack-alerts.test.yml'
export const SCRAPE_EXAMPLE_FILE = 'monitoring/prometheus.example.yml'

/**
 * Metric families the stack's exporters serve, not plane-bridge: a name with one of these prefixes is checked
 * against the real exporters' scrape (test/monitoring/stack/), every other one against the bridge's /metrics.
 */
export const STACK_METRIC = /^(?:pg|redis|rabbitmq|probe|container|node|caddy)_/

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan'])
const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g

/**
 * Identifiers that are neither functions (followed by `(`), keywords, label names (inside `{}` or a
 * grouping clause), strings, durations nor Grafana variables: the metric names.
 * @example metricNames('sum by (job) (rate(x_total{a="b"}[5m])) > 0') // ['x_total']
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(GROUPING, ' ')
  const names = new Set<string>()
  for (const m of bare.matchAll(/(?<![\w.:])[a-zA-Z_:][\w:]*/g)) {
    const after = bare.slice((m.index ?? 0) + m[0].length).trimStart()
    if (after.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue
    names.add(m[0])
  }
  return [...names]
}

export type PackExpression = { where: string; expr: string }

export type AlertRule = { alert: string; expr: string; for?: string }

/** The alerting rules of a rules file, as written. */
export function alertRules(file: string): AlertRule[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> }
  return doc.groups.flatMap((g) => g.rules)
}

/** Every alert's `expr` in alerts.yml (plane-bridge's) or another rules file. */
export function alertExpressions(file = ALERTS_FILE): PackExpression[] {
  const doc = parse(readFileSync(file, 'utf8')) as {
    groups: Array<{ rules: Array<{ alert: string; expr: string }> }>
  }
  return doc.groups.flatMap((g) => g.rules.map((r) => ({ where: r.alert, expr: r.expr })))
}

export type Panel = {
  id: number
  type: string
  title: string
  targets?: Array<{ expr: string; refId: string }>
  panels?: Panel[]
}
export type Dashboard = {
  __inputs: Array<{ name: string; type: string; pluginId: string }>
  panels: Panel[]
  templating: { list: Array<{ name: string; query: { query: string } | string }> }
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard
}

/** Panels, including those inside collapsed rows. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])])
}

/** Every target's expression, and the variables' queries (`label_values(<expr>, label)` → `<expr>`). */
export function dashboardExpressions(dashboard: Dashboard = readDashboard()): PackExpression[] {
  const targets = allPanels(dashboard).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr }))
  )
  const variables = dashboard.templating.list.map((v) => {
    const query = typeof v.query === 'string' ? v.query : v.query.query
    const labelValues = /^label_values\((.*),\s*\w+\s*\)$/.exec(query.trim())
    return { where: `variable $${v.name}`, expr: labelValues?.[1] ?? query }
  })
  return [...targets, ...variables]
}
