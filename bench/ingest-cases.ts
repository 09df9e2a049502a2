/**
 * @module The ingest bench's cases: what each server is, what it is sent, and the issue-14 goal it is held to;
 * the state a case carries through the run; and the per-round ratios computed at the end.
 */
import type { ServerProcess } from './ingest-children.ts'
import type { CaseOutcome } from './ingest-report.ts'
import type { StoreChoice } from './ingest-servers.ts'

const UNRELATED_KEYS = 500_000
export const BASELINE = 'bare hono POST+HMAC'
export const FLOOR = 'floor: parse + 1 Redis write'
export const DISTINCT_REDIS = 'plane-bridge distinct, redis'
/** Issue 46: p99 at this fixed rate, plane-bridge's distinct deliveries against the floor's (ingest-report.ts). */
export const FIXED_RATE = 1000

export type Spec = {
  name: string
  /** `bare`: the baseline; `floor`: the least durable ingest (no goal: a reference); `bridge`: plane-bridge. */
  server: CaseOutcome['server']
  store: 'redis' | 'fs' | null
  bodies: 'distinct' | 'duplicate'
  unrelatedKeys: number
  goal: CaseOutcome['goal']
  /** Also loaded at FIXED_RATE once the rounds are done, for its p99 (the floor and plane-bridge distinct). */
  fixedRate?: boolean
}

export const SPECS: readonly Spec[] = [
  { name: BASELINE, server: 'bare', store: null, bodies: 'distinct', unrelatedKeys: 0, goal: null },
  {
    name: FLOOR,
    server: 'floor',
    store: 'redis',
    bodies: 'distinct',
    unrelatedKeys: 0,
    goal: null,
    fixedRate: true,
  },
  // Issue 46's goals: distinct deliveries against the floor (what keeping a delivery costs at the least), duplicates
  // (one read) against the bare server.
  {
    name: DISTINCT_REDIS,
    server: 'bridge',
    store: 'redis',
    bodies: 'distinct',
    unrelatedKeys: 0,
    goal: { min: 0.5, against: FLOOR, label: 'floor' },
    fixedRate: true,
  },
  {
    name: 'plane-bridge duplicates, redis',
    server: 'bridge',
    store: 'redis',
    bodies: 'duplicate',
    unrelatedKeys: 0,
    goal: { min: 0.6, against: BASELINE, label: 'base' },
  },
  {
    name: 'plane-bridge distinct, fs',
    server: 'bridge',
    store: 'fs',
    bodies: 'distinct',
    unrelatedKeys: 0,
    goal: { min: 0.2, against: BASELINE, label: 'base' },
  },
  {
    name: 'plane-bridge distinct, redis + 500k keys',
    server: 'bridge',
    store: 'redis',
    bodies: 'distinct',
    unrelatedKeys: UNRELATED_KEYS,
    goal: { min: 0.9, against: DISTINCT_REDIS, label: 'empty redis' },
  },
]

export type Live = {
  spec: Spec
  outcome: CaseOutcome
  server: ServerProcess | null
  store: StoreChoice | null
  /** The next distinct delivery's index: every segment continues where the last one stopped. */
  nextIndex: number
}

export function liveCase(spec: Spec): Live {
  return {
    spec,
    outcome: {
      name: spec.name,
      goal: spec.goal,
      server: spec.server,
      rounds: [],
      ratios: [],
      goalRatios: [],
      drains: [],
      memory: null,
      fixedRate: null,
    },
    server: null,
    store: null,
    nextIndex: 0,
  }
}

/** Ratios per round against the baseline and against each goal's reference, from the same round. */
export function computeRatios(outcomes: CaseOutcome[]): void {
  const byName = new Map(outcomes.map((o) => [o.name, o]))
  const base = byName.get(BASELINE)
  const per = (o: CaseOutcome, ref: CaseOutcome | undefined) =>
    ref?.skipped === undefined && ref
      ? o.rounds.flatMap((r, i) => {
          const other = ref.rounds[i]
          return other && other.reqPerSec > 0 ? [r.reqPerSec / other.reqPerSec] : []
        })
      : []
  for (const o of outcomes) {
    if (o.skipped !== undefined) continue
    o.ratios = per(o, base)
    o.goalRatios = o.goal ? per(o, byName.get(o.goal.against)) : []
  }
}
