/**
 * @module Capability probe: which optional Plane endpoints this instance has (CE vs Pro, v1.2 vs v1.3).
 *
 * Cost: at most 5 requests of the key's request window an hour (the answer is kept an hour in memory and,
 * with a `cache`, an hour in the store, so a fresh process or Workers isolate does not probe again; an
 * upgrade to v1.3 is seen within two hours at most; `refresh: true` probes now; a failed probe is not kept):
 *   1. `GET projects/?per_page=1`            a project to probe under (skipped requests below use a nil UUID)
 *   2. `GET …/work-items/?per_page=1`        a real work item, whose keys also hint the description field
 *   3. `GET …/work-items/{id}/relations/`    v1.3.0+ (PR #8763)
 *   4. `GET …/work-items/{id}/worklogs/`     Pro only (plane-python-sdk paths)
 *   5. `GET …/projects/{id}/work-item-types/` Pro only (custom properties hang off work item types)
 * A probe reads the 404 body: Django's URL resolver answers `{"error":"Page not found."}` when the route
 * does not exist, whereas a route that exists answers 200, 403 or a 404 with another body. That holds
 * even with nil UUIDs (an empty workspace), because the URL is resolved before any permission check.
 */

import * as z from 'zod'
import type { PlaneEndpointContext } from './endpoints/context.ts'
import { isRouteMissing, PlaneApiError } from './errors.ts'
import { planePath } from './paths.ts'

export type PlaneDescriptionField = 'description_json' | 'description' | 'unknown'

export type PlaneCapabilities = {
  /** v1 `work-items/{id}/relations/` (CE v1.3.0+). */
  relations: boolean
  /** Time tracking endpoints (Pro/Cloud only). */
  worklogs: boolean
  /** Work item types and custom properties (Pro/Cloud only). */
  customProperties: boolean
  /**
   * Where the rich-text JSON lives on this version: `description` up to v1.2.1, `description_json` from
   * v1.2.2 (PR #8230). The v1 API serializer hides both, so this is `unknown` on v1.2.x unless a response
   * shows the key; v1.3 (detected through relations) implies `description_json`.
   */
  descriptionField: PlaneDescriptionField
}

export type CapabilitiesOptions = { refresh?: boolean }

/** Where an answer outlives the process (the store, with its own expiry). */
export type CapabilitiesCache = {
  read(): Promise<PlaneCapabilities | null>
  write(capabilities: PlaneCapabilities): Promise<void>
}

export type CapabilitiesProbeOptions = {
  cache?: CapabilitiesCache
  /** How long an answer is trusted before Plane is probed again. */
  maxAgeMs?: number
  now?: () => number
}

/** An hour: a Plane upgrade is noticed within the hour, at 5 requests an hour at most. */
export const CAPABILITIES_MAX_AGE_MS = 60 * 60 * 1000

const NIL_UUID = '00000000-0000-0000-0000-000000000000'

const firstIdPageSchema = z.looseObject({
  results: z.array(z.looseObject({ id: z.string() })),
})

export function createCapabilitiesProbe(
  context: PlaneEndpointContext,
  { cache, maxAgeMs = CAPABILITIES_MAX_AGE_MS, now = Date.now }: CapabilitiesProbeOptions = {}
) {
  const { transport, workspaceSlug: slug } = context
  let cached: { at: number; answer: Promise<PlaneCapabilities> } | undefined

  async function routeExists(path: string): Promise<boolean> {
    try {
      await transport.request('GET', path, z.unknown())
      return true
    } catch (error) {
      if (isRouteMissing(error)) return false
      // The view ran and refused (no such object, not a member, bad params): the route exists.
      if (
        error instanceof PlaneApiError &&
        ['not_found', 'forbidden', 'validation'].includes(error.kind)
      )
        return true
      throw error
    }
  }

  async function firstOf(path: string): Promise<Record<string, unknown> | undefined> {
    const page = await transport.request('GET', path, firstIdPageSchema, {
      query: { per_page: 1, cursor: '1:0:0' },
    })
    return page.results[0]
  }

  async function probe(): Promise<PlaneCapabilities> {
    const project = await firstOf(planePath('workspaces', slug, 'projects'))
    const projectId = typeof project?.id === 'string' ? project.id : NIL_UUID
    const item =
      projectId === NIL_UUID
        ? undefined
        : await firstOf(planePath('workspaces', slug, 'projects', projectId, 'work-items'))
    const itemId = typeof item?.id === 'string' ? item.id : NIL_UUID
    const itemPath = (leaf: string) =>
      planePath('workspaces', slug, 'projects', projectId, 'work-items', itemId, leaf)

    const relations = await routeExists(itemPath('relations'))
    const worklogs = await routeExists(itemPath('worklogs'))
    const customProperties = await routeExists(
      planePath('workspaces', slug, 'projects', projectId, 'work-item-types')
    )
    return {
      relations,
      worklogs,
      customProperties,
      descriptionField: _descriptionField(item, relations),
    }
  }

  async function stored(refresh: boolean): Promise<PlaneCapabilities> {
    if (!refresh) {
      const kept = await cache?.read().catch(() => null)
      if (kept) return kept
    }
    const fresh = await probe()
    // A store that cannot keep it costs a probe next time, nothing more.
    await cache?.write(fresh).catch(() => undefined)
    return fresh
  }

  return function capabilities({
    refresh = false,
  }: CapabilitiesOptions = {}): Promise<PlaneCapabilities> {
    if (refresh || !cached || now() - cached.at >= maxAgeMs) {
      const attempt = { at: now(), answer: stored(refresh) }
      cached = attempt
      // A probe that failed (rate limit, outage) must not be remembered as the answer.
      attempt.answer.catch(() => {
        if (cached === attempt) cached = undefined
      })
    }
    return cached.answer
  }
}

// --- Internal helpers ---

function _descriptionField(
  item: Record<string, unknown> | undefined,
  relations: boolean
): PlaneDescriptionField {
  if (item && 'description_json' in item) return 'description_json'
  if (item && 'description' in item && typeof item.description !== 'string') return 'description'
  return relations ? 'description_json' : 'unknown'
}
