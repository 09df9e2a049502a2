/** @module A small Prometheus text exposition (prom-client does not run on Workers): counters, gauges, histograms. */

type Labels = Record<string, string>

export type Counter = { inc(labels?: Labels, by?: number): void }
export type Gauge = { set(labels: Labels, value: number): void }
export type Histogram = { observe(labels: Labels, value: number): void }

export type MetricsRegistry = {
  /** `collect` reads a value kept elsewhere (process CPU seconds) at each render. */
  counter(
    name: string,
    help: string,
    collect?: () => Array<{ labels: Labels; value: number }>
  ): Counter
  gauge(name: string, help: string, collect?: () => Array<{ labels: Labels; value: number }>): Gauge
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram
  /** Prometheus text format 0.0.4. */
  render(): string
}

/** Seconds; covers a 1 ms webhook ack up to a 60 s poll cycle. */
export const DEFAULT_BUCKETS_S = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/**
 * @example const m = createMetricsRegistry(); m.counter('x_total', 'X').inc({ route: '/health' })
 */
export function createMetricsRegistry(): MetricsRegistry {
  const families = new Map<string, Family>()

  const family = (name: string, help: string, type: Family['type']): Family => {
    const existing = families.get(name)
    if (existing) {
      if (existing.type !== type)
        throw new Error(`metric ${name} already registered as ${existing.type}`)
      return existing
    }
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`)
    const created: Family = { name, help, type, series: new Map() }
    families.set(name, created)
    return created
  }

  return {
    counter(name, help, collect) {
      const f = family(name, help, 'counter')
      if (collect) f.collect = collect
      return {
        inc(labels = {}, by = 1) {
          const s = _series(f, labels, () => ({ labels, value: 0 }))
          s.value += by
        },
      }
    },
    gauge(name, help, collect) {
      const f = family(name, help, 'gauge')
      if (collect) f.collect = collect
      return {
        set(labels, value) {
          _series(f, labels, () => ({ labels, value: 0 })).value = value
        },
      }
    },
    histogram(name, help, buckets = DEFAULT_BUCKETS_S) {
      const f = family(name, help, 'histogram')
      f.buckets = [...buckets].sort((a, b) => a - b)
      return {
        observe(labels, value) {
          const s = _series(f, labels, () => ({
            labels,
            value: 0,
            sum: 0,
            counts: new Array<number>(f.buckets?.length ?? 0).fill(0),
          }))
          s.value += 1
          s.sum = (s.sum ?? 0) + value
          f.buckets?.forEach((le, i) => {
            if (value <= le && s.counts) s.counts[i] = (s.counts[i] ?? 0) + 1
          })
        },
      }
    },
    render() {
      const lines: string[] = []
      for (const f of families.values()) {
        lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`)
        lines.push(`# TYPE ${f.name} ${f.type}`)
        if (f.collect)
          for (const { labels, value } of f.collect())
            _series(f, labels, () => ({ labels, value })).value = value
        for (const s of f.series.values()) {
          if (f.type !== 'histogram') {
            lines.push(`${f.name}${_labelText(s.labels)} ${_num(s.value)}`)
            continue
          }
          // Prometheus histogram buckets are cumulative; counts[] holds them already (value <= le).
          f.buckets?.forEach((le, i) => {
            lines.push(
              `${f.name}_bucket${_labelText({ ...s.labels, le: _num(le) })} ${s.counts?.[i] ?? 0}`
            )
          })
          lines.push(`${f.name}_bucket${_labelText({ ...s.labels, le: '+Inf' })} ${s.value}`)
          lines.push(`${f.name}_sum${_labelText(s.labels)} ${_num(s.sum ?? 0)}`)
          lines.push(`${f.name}_count${_labelText(s.labels)} ${s.value}`)
        }
      }
      return `${lines.join('\n')}\n`
    },
  }
}

// --- Internal helpers ---

type Series = { labels: Labels; value: number; sum?: number; counts?: number[] }
type Family = {
  name: string
  help: string
  type: 'counter' | 'gauge' | 'histogram'
  series: Map<string, Series>
  buckets?: number[]
  collect?: () => Array<{ labels: Labels; value: number }>
}

/** One series per set of labels, whatever their order; every request updates two, so the key is built plainly. */
function _series(f: Family, labels: Labels, make: () => Series): Series {
  const names = Object.keys(labels)
  // Insertion sort: two or three names, and Array.prototype.sort allocates a work area on every call.
  for (let i = 1; i < names.length; i++) {
    const name = names[i] as string
    let j = i - 1
    for (; j >= 0 && (names[j] as string) > name; j--) names[j + 1] = names[j] as string
    names[j + 1] = name
  }
  let key = ''
  for (const name of names) key += `${JSON.stringify(name)}:${JSON.stringify(labels[name])},`
  let s = f.series.get(key)
  if (!s) {
    s = make()
    f.series.set(key, s)
  }
  return s
}

function _labelText(labels: Labels): string {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ''
  const body = entries
    .map(
      ([k, v]) =>
        `${k}="${String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`
    )
    .join(',')
  return `{${body}}`
}

function _num(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Number.POSITIVE_INFINITY) return '+Inf'
  if (n === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(n)
}
