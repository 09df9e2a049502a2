/** @module The run tracker's metrics: how long wakes take to go out and be answered, unanswered and stale runs. */

import type { Counter, Gauge, Histogram, MetricsRegistry } from '../observe/metrics.ts'

export type RunMetrics = {
  assignToWake: Histogram
  wakeToCheckin: Histogram
  unanswered: Counter
  rewakes: Counter
  stale: Counter
  unstarted: Counter
  runs: Gauge
}

export function runMetrics(registry: MetricsRegistry): RunMetrics {
  const buckets = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const
  return {
    assignToWake: registry.histogram(
      'plane_bridge_wake_sent_seconds',
      'Time from an assignment being seen to its first wake being admitted by OpenClaw.',
      buckets
    ),
    wakeToCheckin: registry.histogram(
      'plane_bridge_wake_checkin_seconds',
      "Time from an assignment's first wake to the agent's check-in (its first tool call on the task).",
      buckets
    ),
    unanswered: registry.counter(
      'plane_bridge_wakes_unanswered_total',
      'Assignments whose every wake went unanswered, by agent (the human and the Concierge were told).'
    ),
    rewakes: registry.counter(
      'plane_bridge_wakes_repeated_total',
      'Wakes sent again because the agent had not checked in, by agent.'
    ),
    stale: registry.counter(
      'plane_bridge_runs_stale_total',
      'Active runs that went stale (no tool call, no comment for RUN_STALE_MINUTES), by agent.'
    ),
    unstarted: registry.counter(
      'plane_bridge_runs_unstarted_total',
      'Runs checked in (the task listed or read) and not started for RUN_STALE_MINUTES while their agent had nothing else under way, by agent (the human was told).'
    ),
    runs: registry.gauge(
      'plane_bridge_runs',
      'Agent runs under way by state (pending: woken, not checked in; seen: checked in, not started; active; awaiting; stale).'
    ),
  }
}
