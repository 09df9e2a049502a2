/**
 * @module A poll cycle's listings (OPENCLAW-09): one listing per project shared by every agent, reaching back to the
 * oldest checkpoint anyone still needs, each task read put through the pipeline as a webhook's would be, then the
 * project's checkpoint moved.
 */

import type { Services } from '../core/function.ts'
import type { Parts } from '../core/parts.ts'
import type { TaskSnapshot } from '../events.ts'
import type { AgentRef } from '../notify/directory.ts'
import type { ProjectRef } from '../notify/messages.ts'
import { errorMessage } from '../observe/errors.ts'
import type { SightingResult } from '../pipeline/pipeline.ts'
import type { PlaneClient } from '../plane/client.ts'
import { DEFAULT_OVERLAP_MS, listProjectChanges } from '../plane/listing.ts'
import { snapshotFromWorkItem, updatedByOf } from '../plane/normalize.ts'
import { ensureProjectProvisioned, type ProjectSetupParts } from '../provision/project.ts'

/** What reading the listings uses: a project's set-up, the pipeline, the index and the tracker's first sightings. */
export type ProjectListingParts = Pick<Services, 'store' | 'log' | 'status'> &
  Pick<Parts, 'pipeline' | 'index' | 'tracker'> &
  ProjectSetupParts

export type ProjectListingInput = {
  projects: readonly ProjectRef[]
  agents: readonly AgentRef[]
  /** Each agent's checkpoint, in the order of `agents` (null: never ticked). */
  agentSince: readonly (number | null)[]
  /** When the cycle started (ms). */
  cycleStart: number
}

/** A task as a listing read it, what the pipeline made of it, and who last changed it in Plane. */
export type Sighting = { task: TaskSnapshot; result: SightingResult; updatedBy: string | null }

export type ProjectListings = {
  /** Every task the listings read, oldest change first within a project. */
  sightings: Sighting[]
  /** Each project's checkpoint before this cycle (ms; null on its first cycle). */
  previousCheckpoints: Map<string, number | null>
  /** Each listed project's task ids as its listing saw them all (null: not all seen). */
  allIds: Map<string, ReadonlySet<string> | null>
}

/** What the cycle's report counts of its listings. */
export type ListingCounts = { projects: number; truncated: string[]; failedProjects: string[] }

/** Read every project's listing in turn; a project that fails is counted and the others go on. */
export async function readProjectListings(
  parts: ProjectListingParts,
  plane: PlaneClient,
  { projects, agents, agentSince, cycleStart }: ProjectListingInput,
  report: ListingCounts
): Promise<ProjectListings> {
  const { store, log, status } = parts
  const sightings: Sighting[] = []
  const previousCheckpoints = new Map<string, number | null>()
  const allIds = new Map<string, ReadonlySet<string> | null>()
  for (const project of projects) {
    report.projects++
    // A project created since provisioning (its webhook missed) is set up before its tasks are read.
    await ensureProjectProvisioned(parts, project.id).catch((error: unknown) =>
      log.warn('new project not set up', { project: project.id, error: errorMessage(error) })
    )
    try {
      const checkpoint = await store.get<number>(`poll:checkpoint:${project.id}`)
      previousCheckpoints.set(project.id, checkpoint)
      // One listing serves every agent: it reaches back to the oldest checkpoint anyone still needs.
      const needs = [checkpoint, ...agentSince]
      const sinceMs = needs.some((x) => x === null) ? null : Math.min(...(needs as number[]))
      const listing = await listProjectChanges(plane, project.id, { sinceMs })
      if (listing.truncated) {
        report.truncated.push(project.identifier ?? project.id)
        log.warn('poll listing stopped at the page cap', {
          project: project.id,
          pages: listing.pages,
        })
      }
      for (const item of [...listing.items].reverse()) {
        const task = snapshotFromWorkItem(item)
        if (!task) continue
        const created = checkpoint !== null && Date.parse(item.created_at ?? '') > checkpoint
        const result = await parts.pipeline.sightTask(task, {
          source: 'poll',
          created,
          description: item.description_html ?? null,
        })
        sightings.push({ task, result, updatedBy: updatedByOf(item) })
        // Before any tick: what an agent's check-in claimed before this first sighting and the task ends, ends.
        if (result === 'baseline') await parts.tracker.firstSeen(task, agents)
      }
      if (listing.newestMs !== null)
        await store.set(
          `poll:checkpoint:${project.id}`,
          Math.max(listing.newestMs, checkpoint ?? 0)
        )
      // A project with no work item at its first listing (new, or every task deleted) is listed all the same: its
      // checkpoint is this cycle's start, less the listing's overlap (the bridge's clock, Plane's a little apart).
      // Without one, every later cycle took it for its first: a task that appeared in it was a first sighting, not
      // a creation, and the comments a lost delivery left on it were never read.
      else if (checkpoint === null)
        await store.set(`poll:checkpoint:${project.id}`, cycleStart - DEFAULT_OVERLAP_MS)
      // Read back to its checkpoint: the index holds the project as of this cycle.
      if (!listing.truncated) await parts.index.listed(project.id, cycleStart)
      allIds.set(project.id, listing.allIds)
      status.contact(`project:${project.identifier ?? project.id}`, true)
    } catch (error) {
      report.failedProjects.push(project.identifier ?? project.id)
      status.contact(`project:${project.identifier ?? project.id}`, false, errorMessage(error))
      log.error('poll listing failed', { project: project.id, error: errorMessage(error) })
    }
  }
  return { sightings, previousCheckpoints, allIds }
}
