/**
 * @module `provision --demo` (PROV-02): the demo project's three example tasks, each created once (found again by
 * its external id), assigned, labelled, and the second one after the first.
 */

import { AGENT_LABEL_PREFIX, APPROVAL_LABEL } from '../agents/task-vocabulary.ts'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneUnsupportedError } from '../plane/errors.ts'
import { recordDependent } from '../runs/dependents.ts'
import { BRIDGE_EXTERNAL_SOURCE, type RunStore } from '../runs/records.ts'
import type { Store } from '../store/store.ts'
import { markdownToHtml } from '../text/markdown.ts'
import { failedItem } from './apply-plan.ts'
import { DEMO_SUBJECT, type DemoOptions } from './demo.ts'
import { DEMO_IDENTIFIER, type DemoTask, demoContent } from './demo-content.ts'
import type { ProvisionItem, ResolvedAgent } from './types.ts'

const LABEL_COLOR = '#6e56cf'

export type DemoTasksOptions = DemoOptions & {
  projectId: string
  /** The registry matched to Plane users (the provision plan's `agents`). */
  agents: readonly ResolvedAgent[]
  /** Run records, where the bridge keeps dependencies on every Plane version; null without Plane. */
  runs: RunStore | null
  store: Store
  now: () => number
}

/**
 * Create the example tasks the demo project lacks (found by their external id): a second run finds them
 * all and creates nothing. Runs after the provision plan, so the agents are project members and their
 * `agent:<id>` labels exist (Plane drops assignees who are not members, makeplane/plane#9517).
 */
export async function ensureDemoTasks(options: DemoTasksOptions): Promise<ProvisionItem[]> {
  const { plane, projectId } = options
  const found = new Map<string, { id: string; ref: string }>()
  const items: ProvisionItem[] = []
  const missing: DemoTask[] = []
  for (const task of demoContent(options.locale).tasks) {
    const existing = await plane.workItems.findByExternalId(projectId, {
      externalId: task.externalId,
      externalSource: BRIDGE_EXTERNAL_SOURCE,
    })
    if (existing) found.set(task.externalId, { id: existing.id, ref: _ref(existing.sequence_id) })
    else missing.push(task)
  }
  if (missing.length === 0)
    return [
      {
        subject: DEMO_SUBJECT,
        status: 'ok',
        changed: false,
        detail: `already there with its ${found.size} example tasks: nothing created`,
      },
    ]
  const todo = (await plane.states.list(projectId)).find((s) => s.group === 'unstarted')
  const labels = await plane.labels.list(projectId)
  for (const task of missing) {
    try {
      items.push(await _createTask(options, task, { todo: todo?.id, labels, found }))
    } catch (error) {
      items.push(failedItem(`${DEMO_SUBJECT} task "${task.name}"`, error))
    }
  }
  return items
}

// --- Internal helpers ---

type Known = {
  todo: string | undefined
  labels: Array<{ id: string; name: string }>
  found: Map<string, { id: string; ref: string }>
}

async function _createTask(
  options: DemoTasksOptions,
  spec: DemoTask,
  known: Known
): Promise<ProvisionItem> {
  const { plane, projectId, locale } = options
  const agent = _assignee(options.agents, spec)
  const first = spec.after ? known.found.get(spec.after) : undefined
  // The second task quotes the first one's real reference.
  const task = demoContent(locale, first?.ref).tasks.find((t) => t.externalId === spec.externalId)
  const labelNames = [
    ...(agent ? [`${AGENT_LABEL_PREFIX}${agent.agent.id}`] : []),
    ...(spec.approval ? [APPROVAL_LABEL] : []),
  ]
  const labelIds: string[] = []
  for (const name of labelNames) labelIds.push(await _labelId(plane, projectId, name, known))
  const created = await plane.workItems.create(projectId, {
    name: spec.name,
    description_html: markdownToHtml(task?.description ?? spec.description),
    ...(known.todo ? { state: known.todo } : {}),
    ...(agent ? { assignees: [agent.userId] } : {}),
    labels: labelIds,
    external_source: BRIDGE_EXTERNAL_SOURCE,
    external_id: spec.externalId,
  })
  const ref = _ref(created.sequence_id)
  known.found.set(spec.externalId, { id: created.id, ref })
  if (first) await _recordDependency(options, { id: created.id, ref }, first, agent)
  const who = agent
    ? `${agent.agent.name}${spec.assignee === 'concierge' ? ' (the Concierge)' : ''}`
    : `nobody (no ${spec.assignee === 'concierge' ? 'Concierge' : 'other agent'} in the workspace)`
  const extra = [
    ...(first ? [`after ${first.ref}`] : []),
    ...(spec.approval ? [`waiting for approval (${APPROVAL_LABEL})`] : []),
  ]
  const subject = `demo ${ref}`
  // Plane drops an assignee who is not a project member without a word (makeplane/plane#9517).
  const assigned = (created.assignees ?? []).map((a) => (typeof a === 'string' ? a : a.id))
  if (agent && !assigned.includes(agent.userId))
    return {
      subject,
      status: 'human',
      changed: true,
      detail: `"${spec.name}" created, but Plane dropped ${agent.agent.name} as assignee (not a member of ${DEMO_IDENTIFIER}, see the member lines): assign it in Plane once that is fixed.`,
    }
  return {
    subject,
    status: 'ok',
    changed: true,
    detail: `"${spec.name}" created, assigned to ${who}${extra.length ? `, ${extra.join(', ')}` : ''}`,
  }
}

/** The Concierge for its task, the first other agent (workspace Member or Admin) for the others. */
function _assignee(
  agents: readonly ResolvedAgent[],
  spec: DemoTask
): (ResolvedAgent & { userId: string }) | null {
  const usable = agents.filter(
    (r): r is ResolvedAgent & { userId: string } =>
      r.userId !== null && (r.workspaceRole ?? 0) >= 15
  )
  const wanted = (r: ResolvedAgent) =>
    spec.assignee === 'concierge' ? r.agent.role === 'concierge' : r.agent.role !== 'concierge'
  return usable.find(wanted) ?? null
}

async function _labelId(plane: PlaneClient, projectId: string, name: string, known: Known) {
  const found = known.labels.find((l) => l.name.toLowerCase() === name.toLowerCase())
  if (found) return found.id
  const label = await plane.labels.create(projectId, {
    name,
    color: LABEL_COLOR,
    external_source: BRIDGE_EXTERNAL_SOURCE,
    external_id: `label:${projectId}:${name.toLowerCase()}`,
  })
  known.labels.push({ id: label.id, name: label.name })
  return label.id
}

/** Kept by the bridge on every version (run record + reverse link); a `blocked_by` relation on v1.3+. */
async function _recordDependency(
  options: DemoTasksOptions,
  task: { id: string; ref: string },
  first: { id: string; ref: string },
  agent: ResolvedAgent | null
): Promise<void> {
  const { plane, projectId, runs, store, now } = options
  try {
    await plane.relations.create(projectId, task.id, {
      relation_type: 'blocked_by',
      issues: [first.id],
    })
  } catch (error) {
    // Plane v1.2 has no relations: the run record below holds the dependency alone.
    if (!(error instanceof PlaneUnsupportedError)) throw error
  }
  await runs?.update(
    { id: task.id, projectId, ref: task.ref },
    (r) => ({
      ...r,
      ref: task.ref,
      agentId: agent?.agent.id ?? null,
      dependencies: [first.ref],
      lastActivityAt: new Date(now()).toISOString(),
    }),
    { agentName: agent?.agent.name ?? null }
  )
  await recordDependent(store, first.id, task.id, now())
}

function _ref(sequence: number | null | undefined): string {
  return sequence == null ? DEMO_IDENTIFIER : `${DEMO_IDENTIFIER}-${sequence}`
}
