/**
 * @module What only Node can tell /metrics: the process's memory and CPU, its event loop's delays and its heap, and
 * the version running.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { getHeapStatistics, type HeapInfo } from 'node:v8'
import type { BuildInfo, ProcessStats } from '../shared/observe/bridge-metrics.ts'
import type { MetricsRegistry } from '../shared/observe/metrics.ts'

/** How often the event loop's delay is sampled (ms): prom-client's default, so its figures read the same. */
const LOOP_SAMPLE_MS = 10

/** Read at each scrape: RSS is what the container's memory limit (compose: 256 MB) counts. */
export function nodeProcessStats(): ProcessStats {
  const cpu = process.cpuUsage()
  return {
    residentMemoryBytes: process.memoryUsage.rss(),
    cpuSecondsTotal: (cpu.user + cpu.system) / 1e6,
    startTimeSeconds: performance.timeOrigin / 1000,
  }
}

/**
 * The version in plane-bridge's package.json, found above this file: `runtime/` under tsx and the tests,
 * `dist/runtime/` in the image (`/app/package.json`). `unknown` when it is not there.
 */
export function nodeBuildInfo(from: string = dirname(fileURLToPath(import.meta.url))): BuildInfo {
  return { version: _packageVersion(from) ?? 'unknown', node: process.versions.node }
}

/** What each `nodejs_eventloop_lag_<stat>_seconds` gives of the event loop's delays since the last scrape. */
const LOOP_STATS = {
  min: 'The shortest',
  max: 'The longest',
  mean: 'The mean',
  p50: 'The median',
  p90: 'The 90th percentile of the',
  p99: 'The 99th percentile of the',
} as const

/**
 * The event loop's delays are the process's: one monitor for it, made at the first registry that asks (tests build
 * many runtimes in one process; a monitor each would be a 10 ms timer each, never stopped).
 */
let loopDelays: IntervalHistogram | null = null

/**
 * The event loop's delays since the last scrape and the V8 heap, under the names prom-client gives them, so stock
 * Node.js dashboards read them unchanged: `nodejs_eventloop_lag_{min,max,mean,p50,p90,p99}_seconds` (the interval
 * between two samples meant to be 10 ms apart: ~0.010 on an idle loop, more by whatever held the loop) and
 * `nodejs_heap_size_{total,used}_bytes`, `nodejs_external_memory_bytes`. A loop held by one long task, or busy to
 * saturation, delays every answer (webhooks, tool calls, Telegram's buttons): its p99 says so before the requests'
 * durations do. As in prom-client, the first of them read at a scrape takes the delays and starts a new count.
 */
export function declareNodeFamilies(registry: MetricsRegistry): void {
  loopDelays ??= monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS })
  loopDelays.enable()
  const delays = loopDelays
  // No sample since the last scrape (two scrapes within 10 ms): the last figures stand.
  let taken: Record<keyof typeof LOOP_STATS, number> = {
    min: 0,
    max: 0,
    mean: 0,
    p50: 0,
    p90: 0,
    p99: 0,
  }
  const take = () => {
    if (delays.count > 0)
      taken = {
        min: delays.min / 1e9,
        max: delays.max / 1e9,
        mean: delays.mean / 1e9,
        p50: delays.percentile(50) / 1e9,
        p90: delays.percentile(90) / 1e9,
        p99: delays.percentile(99) / 1e9,
      }
    delays.reset()
  }
  for (const [stat, what] of Object.entries(LOOP_STATS) as Array<[keyof typeof LOOP_STATS, string]>)
    registry.gauge(
      `nodejs_eventloop_lag_${stat}_seconds`,
      `${what} event loop delay since the last scrape, in seconds (samples ${LOOP_SAMPLE_MS} ms apart).`,
      () => {
        // Families render in the order they were declared: `min`, the first, takes the scrape's figures.
        if (stat === 'min') take()
        return [{ labels: {}, value: taken[stat] }]
      }
    )
  const heap = (read: (h: HeapInfo) => number) => () => [
    { labels: {}, value: read(getHeapStatistics()) },
  ]
  registry.gauge(
    'nodejs_heap_size_total_bytes',
    'Process heap size from V8 in bytes.',
    heap((h) => h.total_heap_size)
  )
  registry.gauge(
    'nodejs_heap_size_used_bytes',
    'Process heap size used from V8 in bytes.',
    heap((h) => h.used_heap_size)
  )
  registry.gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', () => [
    { labels: {}, value: process.memoryUsage().external },
  ])
}

/** The options the Node runtime passes to `createServices`. */
export function nodeMetricsOptions(): {
  processStats: () => ProcessStats
  processFamilies: (registry: MetricsRegistry) => void
  build: BuildInfo
} {
  return {
    processStats: nodeProcessStats,
    processFamilies: declareNodeFamilies,
    build: nodeBuildInfo(),
  }
}

// --- Internal helpers ---

function _packageVersion(from: string): string | null {
  for (let dir = from, i = 0; i < 4; dir = dirname(dir), i++) {
    const path = join(dir, 'package.json')
    if (!existsSync(path)) continue
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown }
    if (pkg.name === 'plane-bridge' && typeof pkg.version === 'string') return pkg.version
  }
  return null
}
