/**
 * @module Cycle starts and ends, told to the human by the poll (NOTIF-05): Plane fires no event when a
 * cycle's date arrives. Each project's cycles are read once an hour (kept in the store), and one cycle is
 * read again when it is announced, for its counts as they are then.
 */

import { localDate } from '../commands/render-parts.ts'
import type { Services } from '../core/function.ts'
import type { Parts } from '../core/parts.ts'
import type { ProjectRef } from '../notify/messages.ts'
import { telegramMessage } from '../notify/outbox.ts'
import { isProjectAllowed } from '../notify/policy.ts'
import { errorMessage } from '../observe/errors.ts'
import { PlaneApiError } from '../plane/errors.ts'
import type { PlaneCycle } from '../plane/schemas.ts'
import {
  buildCycleUrl,
  type CycleAnnouncement,
  type CycleCounts,
  renderCycleAnnouncement,
} from './cycle-messages.ts'
import {
  type CycleDates,
  cycleDay,
  cycleTransitionDue,
  type DueTransition,
} from './cycle-transitions.ts'

/** A project's cycles are listed at most this often: the key has 60 requests a minute for everything. */
export const CYCLE_LIST_REFRESH_MS = 60 * 60 * 1000
/** Only a start or an end this recent is announced: a cycle first seen long after its dates is not news. */
export const CYCLE_ANNOUNCE_LOOKBACK_MS = 24 * 60 * 60 * 1000
const CYCLE_LIST_TTL_S = 3 * 60 * 60
/** The record outlives the lookback; after it, the lookback alone keeps the transition from being said. */
const ANNOUNCED_TTL_S = 3 * 24 * 60 * 60

type CycleList = { fetchedAt: number; cycles: CycleDates[] }

export type CycleAnnouncementsReport = { announced: number; failedProjects: string[] }

/** What announcing cycles uses: the store, the clock, the settings, Plane, the policy, the outbox, the chat. */
export type CycleAnnouncementParts = Pick<Services, 'store' | 'log' | 'now' | 'config'> &
  Pick<Parts, 'plane' | 'policy' | 'outbox' | 'chatId'>

/** Announce every cycle that started or ended since the last poll, once per cycle and transition. */
export async function announceCycleTransitions(
  parts: CycleAnnouncementParts,
  projects: readonly ProjectRef[]
): Promise<CycleAnnouncementsReport> {
  const report: CycleAnnouncementsReport = { announced: 0, failedProjects: [] }
  const { chatId, policy, plane } = parts
  // Nobody to tell, or told nothing about cycles: not one request to Plane.
  if (!chatId || !plane) return report
  if (!policy.kinds.has('cycle.started') && !policy.kinds.has('cycle.completed')) return report
  for (const project of projects) {
    if (!isProjectAllowed(policy, project.id, project.identifier)) continue
    try {
      report.announced += await _announceProject(parts, project, chatId)
    } catch (error) {
      report.failedProjects.push(project.identifier ?? project.id)
      parts.log.warn('cycle announcements failed', {
        project: project.id,
        error: errorMessage(error),
      })
    }
  }
  return report
}

// --- Internal helpers ---

async function _announceProject(
  parts: CycleAnnouncementParts,
  project: ProjectRef,
  chatId: string
): Promise<number> {
  const { store, now, config, plane } = parts
  if (!plane) return 0
  const listKey = `poll:cycles:${project.id}`
  const timing = { timeZone: config.TIMEZONE, lookbackMs: CYCLE_ANNOUNCE_LOOKBACK_MS }
  const list = await _cycleList(parts, project.id, listKey)
  let announced = 0
  let stale = false
  // In the order they happened: the end of one sprint before the start of the next.
  const dues = list.cycles
    .map((cycle) => ({
      listed: cycle,
      due: cycleTransitionDue(cycle, { nowMs: now(), ...timing }),
    }))
    .filter((d): d is { listed: CycleDates; due: DueTransition } => d.due !== null)
    .sort((a, b) => a.due.atMs - b.due.atMs)
  for (const { listed, due } of dues) {
    if (!parts.policy.kinds.has(`cycle.${due.transition}`)) continue
    const doneKey = `poll:cycle-announced:${listed.id}:${due.transition}`
    if (await store.get<number>(doneKey)) continue
    // Read again: the dates may have moved since the hourly list, and the counts are the ones of now.
    const fresh = await plane.cycles.get(project.id, listed.id).catch((error: unknown) => {
      if (error instanceof PlaneApiError && error.kind === 'not_found') return null
      throw error
    })
    if (!fresh || fresh.archived_at) {
      // Deleted or archived since the list was read: nothing to say about it, ever.
      await store.set(doneKey, now(), { ttlSeconds: ANNOUNCED_TTL_S })
      continue
    }
    const freshDates = _datesOf(fresh)
    if (
      cycleTransitionDue(freshDates, { nowMs: now(), ...timing })?.transition !== due.transition
    ) {
      stale = true
      continue
    }
    const html = renderCycleAnnouncement(
      _announcement(freshDates, due.transition, _countsOf(fresh), now(), config.TIMEZONE),
      project,
      config.LOCALE,
      buildCycleUrl(config.PLANE_BASE_URL, config.PLANE_WORKSPACE_SLUG, project.id, listed.id)
    )
    // Enqueue first, then record: a crash in between enqueues again next poll, and the outbox's dedupe
    // (shared with the cycle webhook's announcement) drops the copy — never a lost announcement.
    const { enqueued } = await parts.outbox.enqueue(
      telegramMessage(chatId, html, `notify:cycle:${listed.id}:${due.transition}`, project.id)
    )
    await store.set(doneKey, now(), { ttlSeconds: ANNOUNCED_TTL_S })
    if (enqueued) announced++
  }
  // A cycle's dates moved since the list was read: read the list again next poll.
  if (stale) await store.set(listKey, { ...list, fetchedAt: 0 }, { ttlSeconds: CYCLE_LIST_TTL_S })
  return announced
}

/** The project's cycles from the store, or from Plane when the stored list is an hour old. */
async function _cycleList(
  { store, now, config, plane }: CycleAnnouncementParts,
  projectId: string,
  listKey: string
): Promise<CycleList> {
  const stored = await store.get<CycleList>(listKey)
  if (stored && now() - stored.fetchedAt < CYCLE_LIST_REFRESH_MS) return stored
  // `incomplete`: running, upcoming and draft cycles, not years of finished ones (plane-api.md §2).
  const listed = (await plane?.cycles.list(projectId, { view: 'incomplete' })) ?? []
  const cycles = listed.filter((c) => !c.archived_at).map(_datesOf)
  // A cycle that ended since the last read is no longer "incomplete": kept until its end is announced.
  const ids = new Set(cycles.map((c) => c.id))
  const timing = { nowMs: now(), timeZone: config.TIMEZONE, lookbackMs: CYCLE_ANNOUNCE_LOOKBACK_MS }
  for (const previous of stored?.cycles ?? [])
    if (!ids.has(previous.id) && cycleTransitionDue(previous, timing)?.transition === 'completed')
      cycles.push(previous)
  const list = { fetchedAt: now(), cycles }
  await store.set(listKey, list, { ttlSeconds: CYCLE_LIST_TTL_S })
  return list
}

function _datesOf(cycle: PlaneCycle): CycleDates {
  return {
    id: cycle.id,
    name: cycle.name,
    startDate: cycle.start_date ?? null,
    endDate: cycle.end_date ?? null,
  }
}

function _countsOf(cycle: PlaneCycle | null): CycleCounts | null {
  if (typeof cycle?.total_issues !== 'number') return null
  return {
    total: cycle.total_issues,
    completed: cycle.completed_issues ?? 0,
    cancelled: cycle.cancelled_issues ?? 0,
  }
}

function _announcement(
  cycle: CycleDates,
  transition: 'started' | 'completed',
  counts: CycleCounts | null,
  nowMs: number,
  timeZone: string
): CycleAnnouncement {
  if (transition === 'completed') return { transition, name: cycle.name, counts }
  const startDay = cycleDay(cycle.startDate ?? '', timeZone)
  return {
    transition,
    name: cycle.name,
    startDay,
    endDay: cycleDay(cycle.endDate ?? '', timeZone),
    today: startDay === localDate(nowMs, timeZone),
    counts,
  }
}
