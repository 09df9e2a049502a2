/**
 * @module A project that appears after provisioning (webhook, poll, the Concierge's create_project) is set
 * up at once: agents as members (Plane silently drops assignees who are not, makeplane/plane#9517), their
 * `agent:<id>` labels, the Blocked state. Once per project; a failed set-up is tried again next sighting.
 */

import type { Services } from '../core/function.ts'
import type { Parts } from '../core/parts.ts'
import type { PlaneClient } from '../plane/client.ts'
import { applyProvisionPlan } from './apply-plan.ts'
import { planProvision } from './plan.ts'
import { readPlaneFacts } from './read-plane.ts'
import { buildProvisionReport, type ProvisionReport } from './report.ts'

const DONE_TTL_S = 400 * 24 * 60 * 60
/** Until a human lets the bridge in (or accepts an invitation), the poll looks again this often. */
export const PROJECT_RETRY_S = 5 * 60
const doneKey = (projectId: string) => `provision:project:${projectId}`

/** What setting a project up uses: the agents, the locale, the store, a log, and Plane. */
export type ProjectSetupParts = Pick<Services, 'agents' | 'config' | 'store' | 'log'> &
  Pick<Parts, 'plane'>

/** What a caller that has just made the project knows: the project read back, and the agents' own keys. */
export type ProjectSetupOptions = {
  /** The project as the caller read it back: the set-up does not list the workspace's projects to find it. */
  project?: { id: string; name: string; identifier: string; archived_at?: string | null }
  /** An agent's own client, for its label (apply-plan.ts `labelsBy`). */
  labelsBy?: (agentId: string) => PlaneClient | null
  /** The variable of the key `services.plane` uses, when it is not the bridge's (the Concierge's own). */
  keyVariable?: string
}

/**
 * Set the project up for the agents now; the report says what changed and what needs a human. Throws
 * when Plane failed on part of it (what could be done is done; the next sighting after a few minutes retries).
 */
export async function provisionProject(
  services: ProjectSetupParts,
  projectId: string,
  { project, labelsBy, keyVariable }: ProjectSetupOptions = {}
): Promise<ProvisionReport> {
  const { plane } = services
  if (!plane) throw new Error('Plane is not configured')
  const key = keyVariable ? { keyVariable } : {}
  const facts = await readPlaneFacts(plane, services.agents, {
    projectIds: [projectId],
    ...(project ? { projects: [project] } : {}),
    ...key,
  })
  const plan = planProvision(facts, services.agents, { locale: services.config.LOCALE })
  const applied = await applyProvisionPlan(plane, plan.actions, {
    ...(labelsBy ? { labelsBy } : {}),
    ...key,
  })
  const report = buildProvisionReport([...facts.failed, ...plan.items, ...applied])
  // Something blocked (the bridge not in the project yet) or failed (Plane down): look again in a few
  // minutes, not every sighting.
  const settled = report.blocking.length === 0 && report.failed.length === 0
  await services.store.set(doneKey(projectId), true, {
    ttlSeconds: settled ? DONE_TTL_S : PROJECT_RETRY_S,
  })
  // Callers on sight (webhook, poll, create_project) treat a Plane failure as "not set up yet".
  const failure = report.failed[0]
  if (failure) throw new Error(`${failure.subject}: ${failure.detail}`)
  const changed = applied.filter((i) => i.changed).length
  if (changed > 0)
    services.log.info('project set up for the agents', { project: projectId, changed })
  return report
}

/**
 * Set the project up unless that was done already (or is under way: create_project). Returns the report when it
 * ran, null when the project was done before (or there are no agents to set up). `first` runs only when it will
 * run (a webhook's listing of the directory: none for a project create_project is setting up).
 */
export async function ensureProjectProvisioned(
  services: ProjectSetupParts,
  projectId: string,
  { first }: { first?: () => Promise<unknown> } = {}
): Promise<ProvisionReport | null> {
  if (services.agents.length === 0 || !services.plane) return null
  if (await services.store.has(doneKey(projectId))) return null
  await first?.()
  return provisionProject(services, projectId)
}

/**
 * A caller is setting the project up now (create_project, right after Plane made it): the sighting of the same
 * project (its `project.created` delivery, a poll) does not set it up a second time alongside, each write then met
 * by Plane's "already there" (twice the requests, on the bridge's key for the second). `provisionProject`
 * writes the outcome over it; a caller that dies first leaves it to lapse, and the next sighting sets the project up.
 */
export async function markProjectSettingUp(
  services: Pick<Services, 'store'>,
  projectId: string
): Promise<void> {
  await services.store.set(doneKey(projectId), true, { ttlSeconds: PROJECT_RETRY_S })
}

/** The provision job covered every project: none of them needs a set-up on sight. */
export async function markProjectsProvisioned(
  services: Pick<Services, 'store'>,
  projectIds: readonly string[]
): Promise<void> {
  for (const id of projectIds)
    await services.store.set(doneKey(id), true, { ttlSeconds: DONE_TTL_S })
}
