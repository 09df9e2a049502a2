/**
 * @module A real Prometheus for the stack test: the project's rules with time scaled down 60× (a minute becomes a
 * second, for `for:` and range windows alike; expressions otherwise the project's), the example scrape
 * configuration with its targets moved to the test's processes, and reads of its alerts and metric names.
 */
import { readFileSync } from 'node:fs'
import { parse, stringify } from 'yaml'

/** One minute of the rules is one second here; scrapes and evaluations every second keep the same proportions. */
export const TIME_SCALE = 60

type Rule = { alert: string; expr: string; for?: string; [key: string]: unknown }
type RulesFile = { groups: Array<{ name: string; interval?: string; rules: Rule[] }> }

function scaleDuration(duration: string): string {
  const match = /^(\d+)([smh])$/.exec(duration)
  if (!match) throw new Error(`unexpected duration ${duration}: scale it by hand`)
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h']
  return `${Math.max(1, Math.round(seconds / TIME_SCALE))}s`
}

/** `[15m]` → `[15s]` in an expression; nothing else changes. */
export function scaleExpression(expr: string): string {
  return expr.replace(/\[(\d+[smh])\]/g, (_m, d: string) => `[${scaleDuration(d)}]`)
}

/** The rules file with every duration divided by TIME_SCALE. */
export function scaledRules(file: string): string {
  const doc = parse(readFileSync(file, 'utf8')) as RulesFile
  for (const group of doc.groups) {
    group.interval = '1s'
    for (const rule of group.rules) {
      rule.expr = scaleExpression(rule.expr)
      if (rule.for) rule.for = scaleDuration(rule.for)
    }
  }
  return stringify(doc)
}

type ScrapeConfig = {
  job_name: string
  static_configs: Array<{ targets: string[] }>
  relabel_configs?: Array<{ replacement?: string; target_label?: string }>
  [key: string]: unknown
}

/**
 * monitoring/prometheus.example.yml as it is, but: each job's targets replaced by `targets[job]` (jobs without
 * an entry are dropped), the blackbox prober's address by `prober`, every second, the one scaled rules file.
 */
export function scrapeConfig(
  example: string,
  { targets, prober, rules }: { targets: Record<string, string[]>; prober: string; rules: string }
): string {
  const doc = parse(readFileSync(example, 'utf8')) as { scrape_configs: ScrapeConfig[] }
  const jobs = doc.scrape_configs
    .filter((job) => targets[job.job_name])
    .map((job) => ({
      ...job,
      static_configs: [{ targets: targets[job.job_name] ?? [] }],
      relabel_configs: job.relabel_configs?.map((r) =>
        r.target_label === '__address__' ? { ...r, replacement: prober } : r
      ),
    }))
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: [rules],
    scrape_configs: jobs,
  })
}

export type ActiveAlert = {
  labels: Record<string, string>
  state: 'pending' | 'firing'
  activeAt: string
}

export function createPrometheusReader(base: string) {
  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(3_000) })
    const body = (await res.json()) as { status: string; data: T; error?: string }
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error}`)
    return body.data
  }

  return {
    alerts: async function readAlerts(): Promise<ActiveAlert[]> {
      return (await api<{ alerts: ActiveAlert[] }>('/api/v1/alerts')).alerts
    },
    /** Every metric name Prometheus has stored from its scrapes. */
    metricNames: async function readMetricNames(): Promise<Set<string>> {
      return new Set(await api<string[]>('/api/v1/label/__name__/values'))
    },
    query: async function instantQuery(
      expr: string
    ): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
      return (
        await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}`
        )
      ).result
    },
    targets: async function readTargets(): Promise<
      Array<{ labels: Record<string, string>; health: string; lastError: string }>
    > {
      return (
        await api<{
          activeTargets: Array<{
            labels: Record<string, string>
            health: string
            lastError: string
          }>
        }>('/api/v1/targets')
      ).activeTargets
    },
  }
}

export type PrometheusReader = ReturnType<typeof createPrometheusReader>
