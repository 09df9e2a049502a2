/** @module The metrics every part of plane-bridge records, in one registry rendered by GET /metrics. */
import {
  type Counter,
  createMetricsRegistry,
  type Gauge,
  type Histogram,
  type MetricsRegistry,
} from './metrics.ts'

export type BridgeMetrics = {
  registry: MetricsRegistry
  httpRequests: Counter
  httpDuration: Histogram
  jobRuns: Counter
  jobDuration: Histogram
  storeErrors: Counter
  pollAgentTicks: Counter
  pollAgentRequests: Gauge
  pollCycleRequests: Gauge
}

export function createBridgeMetrics(
  registry: MetricsRegistry = createMetricsRegistry()
): BridgeMetrics {
  return {
    registry,
    httpRequests: registry.counter(
      'plane_bridge_http_requests_total',
      'HTTP requests by route (function name, or "unmatched"), method and status.'
    ),
    httpDuration: registry.histogram(
      'plane_bridge_http_request_duration_seconds',
      'HTTP request duration by route and method.'
    ),
    jobRuns: registry.counter(
      'plane_bridge_job_runs_total',
      'Cron and job runs by job and outcome (ok, error, skipped: another replica took the slot, overlap: still running).'
    ),
    jobDuration: registry.histogram(
      'plane_bridge_job_duration_seconds',
      'Duration of job runs by job.'
    ),
    storeErrors: registry.counter(
      'plane_bridge_store_errors_total',
      'Failed store operations by operation.'
    ),
    pollAgentTicks: registry.counter(
      'plane_bridge_poll_agent_ticks_total',
      'Per-agent poll ticks by agent and outcome.'
    ),
    // OPENCLAW-20: Plane requests per tick and per agent.
    pollAgentRequests: registry.gauge(
      'plane_bridge_poll_agent_plane_requests',
      "Plane requests made with an agent's own key during its last tick."
    ),
    pollCycleRequests: registry.gauge(
      'plane_bridge_poll_cycle_plane_requests',
      "Plane requests made with the bridge's key during the last poll cycle (listings shared by all agents)."
    ),
  }
}
