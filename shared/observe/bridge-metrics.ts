/** @module The metrics every part of plane-bridge records, in one registry rendered by GET /metrics. */
import {
  type Counter,
  createMetricsRegistry,
  type Gauge,
  type Histogram,
  type MetricsRegistry,
} from './metrics.ts'
import type { StatusLedger } from './status.ts'

export type BridgeMetrics = {
  registry: MetricsRegistry
  httpRequests: Counter
  httpDuration: Histogram
  jobRuns: Counter
  jobDuration: Histogram
  /** MONITOR-04: a job that stops succeeding shows as a growing `time() - x`. */
  jobLastSuccess: Gauge
  storeErrors: Counter
  /** Set by GET /metrics from a ping of the store at each scrape. */
  storeUp: Gauge
  /** Set when a Plane delivery with a valid signature is accepted (and from the store by the poll). */
  lastWebhook: Gauge
  /** Human edits the poll found first: with a silent webhook, deliveries are being lost. */
  webhookMissedEdits: Counter
  /** 1 while the bridge holds Plane's webhook for switched off, else 0. */
  webhookOff: Gauge
  /** Signed deliveries that could not be read (not JSON, an unknown event, data of the wrong shape), by reason. */
  webhookRejected: Counter
  pollAgentTicks: Counter
  pollAgentRequests: Gauge
  pollCycleRequests: Gauge
}

/** What the Node runtime reads of its process (absent on Workers: no such numbers there). */
export type ProcessStats = {
  residentMemoryBytes: number
  cpuSecondsTotal: number
  startTimeSeconds: number
}

export type BuildInfo = { version: string; node: string }

export type CreateBridgeMetricsOptions = {
  registry?: MetricsRegistry
  /** Node: `process_*` metrics, read at each scrape. */
  processStats?: () => ProcessStats
  /** Node: more families only it can tell (the event loop's delays, the heap), declared on the registry. */
  processFamilies?: (registry: MetricsRegistry) => void
  /** `plane_bridge_build_info{version,node} 1`. */
  build?: BuildInfo
  /** `plane_bridge_integration_up{integration}`: the last contact with each integration, from /ready's status ledger. */
  status?: Pick<StatusLedger, 'read'>
  /** Cron jobs and agents whose failure counters start at 0, so `increase()` sees their first failure. */
  cronJobs?: readonly string[]
  agents?: readonly string[]
}

export function createBridgeMetrics({
  registry = createMetricsRegistry(),
  processStats,
  processFamilies,
  build,
  status,
  cronJobs = [],
  agents = [],
}: CreateBridgeMetricsOptions = {}): BridgeMetrics {
  const metrics: BridgeMetrics = { registry, ..._declareBridgeFamilies(registry) }
  const lazy = _declareLazyFamilies(registry)
  // MONITOR-04: the alert rules and the dashboard may only use what /metrics shows before any traffic.
  metrics.webhookMissedEdits.inc({}, 0)
  metrics.webhookOff.set({}, 0)
  for (const reason of ['invalid_json', 'unknown_event', 'invalid_payload'])
    metrics.webhookRejected.inc({ reason }, 0)
  for (const job of cronJobs) metrics.jobRuns.inc({ job, outcome: 'error' }, 0)
  for (const agent of agents) {
    lazy.unanswered.inc({ agent }, 0)
    lazy.stale.inc({ agent }, 0)
  }
  if (status)
    registry.gauge(
      'plane_bridge_integration_up',
      'Whether the last call to each integration (plane, telegram, openclaw, project:…, agent:…) succeeded.',
      () =>
        Object.entries(status.read().integrations).map(([integration, contact]) => ({
          labels: { integration },
          value: contact.ok ? 1 : 0,
        }))
    )
  if (build)
    registry
      .gauge(
        'plane_bridge_build_info',
        'The running version of plane-bridge and of Node.js (always 1).'
      )
      .set({ version: build.version, node: build.node }, 1)
  if (processStats) _declareProcessFamilies(registry, processStats)
  processFamilies?.(registry)
  return metrics
}

// --- Internal helpers ---

/** The families the bridge records through `BridgeMetrics`, one per field, each with its name and help. */
function _declareBridgeFamilies(registry: MetricsRegistry): Omit<BridgeMetrics, 'registry'> {
  return {
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
    jobLastSuccess: registry.gauge(
      'plane_bridge_job_last_success_timestamp_seconds',
      'When each job last ran successfully in this process (Unix seconds).'
    ),
    storeErrors: registry.counter(
      'plane_bridge_store_errors_total',
      'Failed store operations by operation.'
    ),
    storeUp: registry.gauge(
      'plane_bridge_store_up',
      'Whether the store answered a ping during this scrape of /metrics (1) or not (0).'
    ),
    lastWebhook: registry.gauge(
      'plane_bridge_last_webhook_timestamp_seconds',
      'When a Plane webhook delivery was last accepted (Unix seconds).'
    ),
    webhookMissedEdits: registry.counter(
      'plane_bridge_webhook_missed_edits_total',
      'Human edits the poll saw before any Plane webhook reported them (older than the 2 min grace).'
    ),
    webhookOff: registry.gauge(
      'plane_bridge_webhook_off',
      "1 while Plane's webhook looks switched off: the poll found changes no delivery brought, and no delivery came since."
    ),
    webhookRejected: registry.counter(
      'plane_bridge_webhook_rejected_total',
      'Signed Plane deliveries that could not be read, by reason (invalid_json, unknown_event, invalid_payload): answered, kept apart, never processed.'
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

/**
 * Families registered where they are recorded (bridge, tracker, routes), on first use: declared here with
 * the same name, type and help, so their `# TYPE` line is in /metrics from the start.
 */
function _declareLazyFamilies(registry: MetricsRegistry): { unanswered: Counter; stale: Counter } {
  registry.counter(
    'plane_bridge_plane_requests_total',
    'Requests to the Plane API by status class.'
  )
  registry.counter(
    'plane_bridge_outbox_deliveries_total',
    'Outbox deliveries by channel and outcome (sent, retry, dead).'
  )
  registry.gauge(
    'plane_bridge_outbox_depth',
    'Outbox items by queue (pending, dead), after the last drain.'
  )
  registry.counter(
    'plane_bridge_telegram_updates_total',
    'Telegram updates by outcome (command, callback, reply, duplicate, edited, ignored, not_allowed).'
  )
  registry.counter(
    'plane_bridge_webhook_signature_rejected_total',
    'Plane webhook deliveries refused for a missing or wrong X-Plane-Signature.'
  )
  registry.counter(
    'plane_bridge_webhook_withheld_total',
    'Plane deliveries given no answer because the store did not take them (Plane sends them again).'
  )
  registry.counter(
    'plane_bridge_tool_calls_total',
    'Agent tool calls by tool and outcome (ok or the error code).'
  )
  registry.counter(
    'plane_bridge_wakes_repeated_total',
    'Wakes sent again because the agent had not checked in, by agent.'
  )
  registry.gauge(
    'plane_bridge_runs',
    'Agent runs under way by state (pending: woken, not checked in; active; awaiting; stale).'
  )
  return {
    unanswered: registry.counter(
      'plane_bridge_wakes_unanswered_total',
      'Assignments whose every wake went unanswered, by agent (the human and the Concierge were told).'
    ),
    stale: registry.counter(
      'plane_bridge_runs_stale_total',
      'Active runs that went stale (no tool call, no comment for RUN_STALE_MINUTES), by agent.'
    ),
  }
}

/** The names every Prometheus client library uses, so stock dashboards and rules work unchanged. */
function _declareProcessFamilies(registry: MetricsRegistry, read: () => ProcessStats): void {
  registry.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => [
    { labels: {}, value: read().residentMemoryBytes },
  ])
  registry.counter(
    'process_cpu_seconds_total',
    'Total user and system CPU time spent in seconds.',
    () => [{ labels: {}, value: read().cpuSecondsTotal }]
  )
  registry.gauge(
    'process_start_time_seconds',
    'Start time of the process since the Unix epoch in seconds.',
    () => [{ labels: {}, value: read().startTimeSeconds }]
  )
}
