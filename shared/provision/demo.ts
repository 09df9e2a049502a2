/**
 * @module `provision --demo` (PROV-02): the `Onboarding` demo project (ONB), found, planned or created once, with
 * three example tasks (demo-tasks.ts) — one for the Concierge, one for an agent after it (a dependency), one
 * waiting for approval.
 */

import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import type { PlaneProject } from '../plane/schemas.ts'
import { BRIDGE_EXTERNAL_SOURCE } from '../runs/records.ts'
import { failedItem } from './apply-plan.ts'
import {
  DEMO_EXTERNAL_ID,
  DEMO_IDENTIFIER,
  DEMO_PROJECT_NAME,
  type DemoTask,
  demoContent,
} from './demo-content.ts'
import type { ProjectFacts, ProvisionItem } from './types.ts'

/** The subject of the report's lines about the demo. */
export const DEMO_SUBJECT = `demo ${DEMO_IDENTIFIER}`

export type DemoOptions = {
  plane: PlaneClient
  locale: 'fr' | 'en'
}

/** The project with identifier ONB, if any (archived ones too: Plane keeps their identifier taken). */
export async function findDemoProject(plane: PlaneClient): Promise<PlaneProject | null> {
  const projects = await plane.projects.list()
  return projects.find((p) => p.identifier.toUpperCase() === DEMO_IDENTIFIER) ?? null
}

/** Whether `--demo` created this project (else it is someone's own ONB and stays untouched). */
export function isDemoProject(project: PlaneProject): boolean {
  return (
    project.external_source === BRIDGE_EXTERNAL_SOURCE && project.external_id === DEMO_EXTERNAL_ID
  )
}

/** The states Plane gives a new project (Triage is hidden from the lists): what the plan of a new ONB starts from. */
const NEW_PROJECT_STATES = ['Backlog', 'Todo', 'In Progress', 'Done', 'Cancelled']

/**
 * `--dry-run --demo` (the plan is the run): the items the run would report about the demo — the project,
 * its missing tasks — and, when ONB would be created, its facts as the set-up will find them, so that its members,
 * labels and state are planned like any project's. Reads only.
 */
export async function planDemo(
  plane: PlaneClient,
  { locale, bridgeUserId }: { locale: 'fr' | 'en'; bridgeUserId: string }
): Promise<{ items: ProvisionItem[]; newProject: ProjectFacts | null }> {
  const found = await findDemoProject(plane)
  if (found && !isDemoProject(found)) return { items: [notOursItem(found)], newProject: null }
  const tasks = demoContent(locale).tasks
  const create = (task: DemoTask): ProvisionItem => ({
    subject: `${DEMO_SUBJECT} task`,
    status: 'ok',
    changed: true,
    detail: `create "${task.name}"`,
  })
  if (!found)
    return {
      items: [
        {
          subject: DEMO_SUBJECT,
          status: 'ok',
          changed: true,
          detail: `create project "${DEMO_PROJECT_NAME}" (${DEMO_IDENTIFIER})`,
        },
        ...tasks.map(create),
      ],
      newProject: {
        id: `new:${DEMO_IDENTIFIER}`,
        name: DEMO_PROJECT_NAME,
        identifier: DEMO_IDENTIFIER,
        // Its creator, the bridge, is its Admin.
        bridgeIsMember: true,
        memberIds: [bridgeUserId],
        labelNames: [],
        stateNames: NEW_PROJECT_STATES,
      },
    }
  const missing: DemoTask[] = []
  for (const task of tasks) {
    const existing = await plane.workItems.findByExternalId(found.id, {
      externalId: task.externalId,
      externalSource: BRIDGE_EXTERNAL_SOURCE,
    })
    if (!existing) missing.push(task)
  }
  if (missing.length === 0)
    return {
      items: [
        {
          subject: DEMO_SUBJECT,
          status: 'ok',
          changed: false,
          detail: `already there with its ${tasks.length} example tasks: nothing created`,
        },
      ],
      newProject: null,
    }
  return { items: missing.map(create), newProject: null }
}

/** Create the project when there is no ONB; the item says what happened. */
export async function createDemoProject({
  plane,
  locale,
}: DemoOptions): Promise<{ item: ProvisionItem; project: PlaneProject | null }> {
  try {
    const project = await plane.projects.create({
      name: DEMO_PROJECT_NAME,
      identifier: DEMO_IDENTIFIER,
      description: demoContent(locale).description,
      network: 0,
      external_source: BRIDGE_EXTERNAL_SOURCE,
      external_id: DEMO_EXTERNAL_ID,
    })
    const detail = `project "${project.name}" created`
    return { item: { subject: DEMO_SUBJECT, status: 'ok', changed: true, detail }, project }
  } catch (error) {
    // A taken name (or an ONB made meanwhile): 409 without an id (plane-api.md §3.3).
    if (error instanceof PlaneApiError && error.kind === 'conflict') {
      const detail = `not created: Plane refuses (${error.message}); rename the project holding the name "${DEMO_PROJECT_NAME}" or the identifier ${DEMO_IDENTIFIER}, then run provision --demo again.`
      return {
        item: { subject: DEMO_SUBJECT, status: 'skipped', changed: false, detail },
        project: null,
      }
    }
    return { item: failedItem(DEMO_SUBJECT, error), project: null }
  }
}

/** The project that exists is someone else's: leave it alone. */
export function notOursItem(project: PlaneProject): ProvisionItem {
  return { subject: DEMO_SUBJECT, status: 'skipped', changed: false, detail: _notOurs(project) }
}

// --- Internal helpers ---

function _notOurs(project: PlaneProject): string {
  return `a project ${project.identifier} ("${project.name}") exists and was not created by --demo: nothing created (rename its identifier to get the demo)`
}
