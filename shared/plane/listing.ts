/** @module One listing per project per cycle: newest first, stopping at the checkpoint (v1 lists have no filters). */
import type { PlaneClient } from './client.ts'
import type { PlaneWorkItem } from './work-item-schemas.ts'

export type ListingOptions = {
  /** Oldest instant anyone still needs (ms); null: list everything (first cycle), within the page cap. */
  sinceMs: number | null
  /** Re-read a little before the checkpoint: two writes in the same instant, clocks a little apart. */
  overlapMs?: number
  /** `page=` is ignored and next_page_results may stay true (makeplane/plane#9340): never more pages than this. */
  pageCap?: number
  perPage?: number
}

export type ProjectListing = {
  items: PlaneWorkItem[]
  /** Newest `updated_at` seen (ms), the next checkpoint; null when the project has no work item. */
  newestMs: number | null
  pages: number
  /** The page cap stopped the listing before the checkpoint: the next cycle goes on from there. */
  truncated: boolean
  /**
   * Every work item id of the project, when the pages read held them all (the last one said there is no next): a
   * project smaller than a page shows which tasks are gone at no extra cost. Null otherwise.
   */
  allIds: ReadonlySet<string> | null
}

export const DEFAULT_OVERLAP_MS = 2 * 60 * 1000
export const POLL_PAGE_CAP = 20

/**
 * Items of one project changed since `sinceMs - overlapMs`, newest first.
 * @example const { items } = await listProjectChanges(plane, projectId, { sinceMs: checkpoint })
 */
export async function listProjectChanges(
  plane: PlaneClient,
  projectId: string,
  { sinceMs, overlapMs = DEFAULT_OVERLAP_MS, pageCap = POLL_PAGE_CAP, perPage }: ListingOptions
): Promise<ProjectListing> {
  const floor = sinceMs === null ? Number.NEGATIVE_INFINITY : sinceMs - overlapMs
  const items: PlaneWorkItem[] = []
  let newestMs: number | null = null
  let pages = 0
  let reachedFloor = false
  const ids = new Set<string>()
  let complete = false
  for await (const page of plane.workItems.pages(projectId, {
    orderBy: '-updated_at',
    expand: ['state', 'labels'],
    // A first cycle reads everything in Plane's largest pages; later ones need only the newest few.
    perPage: perPage ?? (sinceMs === null ? 1000 : 100),
    pageCap,
  })) {
    pages++
    for (const item of page.results) ids.add(item.id.toLowerCase())
    // Every page read, each id kept (even past the checkpoint), and the last one has no next: all of them.
    complete = !page.hasNext && (page.totalCount === null || ids.size >= page.totalCount)
    for (const item of page.results) {
      const at = Date.parse(item.updated_at ?? '')
      if (Number.isNaN(at)) continue
      newestMs = newestMs === null ? at : Math.max(newestMs, at)
      if (at < floor) {
        reachedFloor = true
        break
      }
      items.push(item)
    }
    if (reachedFloor) break
  }
  return {
    items,
    newestMs,
    pages,
    truncated: !reachedFloor && pages >= pageCap,
    allIds: complete ? ids : null,
  }
}
