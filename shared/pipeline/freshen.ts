/**
 * @module Bring the index up to date before a read: a project listed within the poll interval, with
 * webhooks arriving, is fresh and costs nothing; a stale one gets one incremental listing (newest first, back to
 * what the bridge last read, never a full re-listing), its items through the pipeline as a poll's would go, so a
 * change webhooks missed is told as the poll would tell it. Concurrent reads of one process share one listing.
 */
import type { TaskSnapshot } from '../events.ts'
import type { WorkItemIndex } from '../index/work-items.ts'
import type { PlaneClient } from '../plane/client.ts'
import { listProjectChanges } from '../plane/listing.ts'
import { snapshotFromWorkItem } from '../plane/normalize.ts'
import type { Store } from '../store/store.ts'
import type { SightingResult } from './pipeline.ts'

/** The default poll interval (5 min) and a minute's slack: a project listed since is fresh. */
export const INDEX_FRESH_MS = 6 * 60_000

export type FreshenParts = {
  plane: PlaneClient
  store: Pick<Store, 'get' | 'has'>
  index: Pick<WorkItemIndex, 'listed' | 'listedAt' | 'listedAtMany'>
  pipeline: {
    sightTask(
      task: TaskSnapshot,
      meta: { source: 'poll'; description?: string | null }
    ): Promise<SightingResult>
  }
  /** Whether webhooks report edits as they happen (configured, and not known to be silent). */
  webhooksLive(): Promise<boolean>
  /**
   * A task this listing saw for the first time: a deploy's backlog already under way is adopted by its agents (no
   * wake), as the poll's first sight adopts it, whichever read comes first.
   */
  firstSeen(task: TaskSnapshot): Promise<void>
  now(): number
}

export type Freshness = {
  /** The oldest listing the answer stands on (ISO): what changed since may not be in it. */
  asOf: string
  /** Plane requests the freshening made. */
  requests: number
  /** Projects listed for it, or whose listing it waited on: 0 when the index was fresh and nothing was written. */
  listings: number
}

/** A runtime's freshening: its listings in flight are its own state (one per project at a time). */
export type Freshener = {
  /** Make each project fresh enough to answer from the index; returns how fresh the answer is. */
  freshen(parts: FreshenParts, projectIds: readonly string[]): Promise<Freshness>
}

/** Built once per runtime (the composition root): ten agents asking at once share one listing per project. */
export function createFreshener(): Freshener {
  const running = new Map<string, Promise<number>>()
  return {
    freshen: function freshenProjects(parts, projectIds) {
      return _freshenProjects(parts, projectIds, running)
    },
  }
}

// --- Internal helpers ---

async function _freshenProjects(
  parts: FreshenParts,
  projectIds: readonly string[],
  running: Map<string, Promise<number>>
): Promise<Freshness> {
  // Every project's last listing in one read, beside the webhooks' health: a fresh index costs one round trip,
  // not one per project, so a listing waits on the event loop once rather than eleven times.
  const [live, stored] = await Promise.all([
    parts.webhooksLive(),
    parts.index.listedAtMany(projectIds),
  ])
  let oldest = parts.now()
  let requests = 0
  let listings = 0
  for (const [i, projectId] of projectIds.entries()) {
    // Once a listing has run, another process may have listed the next project meanwhile: read it again.
    const listedAt = listings > 0 ? await parts.index.listedAt(projectId) : (stored[i] ?? null)
    if (live && listedAt !== null && parts.now() - listedAt <= INDEX_FRESH_MS) {
      oldest = Math.min(oldest, listedAt)
      continue
    }
    listings += 1
    const { at, pages } = await _listOnce(parts, projectId, listedAt, running)
    requests += pages
    oldest = Math.min(oldest, at)
  }
  return { asOf: new Date(oldest).toISOString(), requests, listings }
}

/** One listing per project at a time in this process: ten agents asking at once share it. */
async function _listOnce(
  parts: FreshenParts,
  projectId: string,
  listedAt: number | null,
  running: Map<string, Promise<number>>
): Promise<{ at: number; pages: number }> {
  const pending = running.get(projectId)
  if (pending) return { at: await pending, pages: 0 }
  const startedAt = parts.now()
  let pages = 0
  const listing = (async () => {
    // Back to what the bridge last read of the project: the poll's checkpoint, or the last listing.
    const checkpoint = await parts.store.get<number>(`poll:checkpoint:${projectId}`)
    const sinceMs = listedAt === null ? null : Math.min(checkpoint ?? listedAt, listedAt)
    const result = await listProjectChanges(parts.plane, projectId, { sinceMs })
    pages = result.pages
    for (const item of [...result.items].reverse()) {
      const task = snapshotFromWorkItem(item)
      if (!task) continue
      const seen = await parts.pipeline.sightTask(task, {
        source: 'poll',
        description: item.description_html ?? null,
      })
      if (seen === 'baseline') await parts.firstSeen(task)
    }
    if (!result.truncated) await parts.index.listed(projectId, startedAt)
    return startedAt
  })()
  running.set(projectId, listing)
  try {
    return { at: await listing, pages }
  } finally {
    running.delete(projectId)
  }
}
