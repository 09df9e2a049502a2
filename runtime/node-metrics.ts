/** @module What only Node can tell /metrics: the process's memory and CPU, and the version running. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BuildInfo, ProcessStats } from '../shared/observe/bridge-metrics.ts'

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

/** The options the Node runtime passes to `createServices`. */
export function nodeMetricsOptions(): {
  processStats: () => ProcessStats
  build: BuildInfo
} {
  return { processStats: nodeProcessStats, build: nodeBuildInfo() }
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
