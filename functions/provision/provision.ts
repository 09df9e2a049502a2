/**
 * @module job `provision` — idempotent workspace set-up (PROV-01..04): agents as project members, `agent:<id>`
 * labels, a blocked state, the Telegram webhook and command, the `Onboarding` demo with `--demo`; says what
 * a human must still do, and goes on past what Plane fails on.
 */

import { type AgentPlaneFacts, recordAgentsInPlane } from '../../shared/check/agents.ts'
import { defineJobFunction, type JobContext } from '../../shared/core/function.ts'
import type { PlaneClient } from '../../shared/plane/client.ts'
import { adviseOnWebhookTarget, webhookTargetOf } from '../../shared/plane/release.ts'
import type { PlaneProject } from '../../shared/plane/schemas.ts'
import {
  lastWebhookReceivedAt,
  signaturesRejectedSinceAccepted,
} from '../../shared/poll/webhook-health.ts'
import { applyProvisionPlan, failedItem, plannedItem } from '../../shared/provision/apply-plan.ts'
import {
  createDemoProject,
  findDemoProject,
  isDemoProject,
  notOursItem,
  planDemo,
} from '../../shared/provision/demo.ts'
import { ensureDemoTasks } from '../../shared/provision/demo-tasks.ts'
import { ProvisionError } from '../../shared/provision/errors.ts'
import { planProvision } from '../../shared/provision/plan.ts'
import { planeWebhookItem } from '../../shared/provision/plane-webhook.ts'
import { createProgress } from '../../shared/provision/progress.ts'
import { markProjectsProvisioned } from '../../shared/provision/project.ts'
import { readPlaneFacts } from '../../shared/provision/read-plane.ts'
import {
  blockingMessage,
  buildProvisionReport,
  failedMessage,
  type ProvisionReport,
} from '../../shared/provision/report.ts'
import { setUpTelegram } from '../../shared/provision/telegram-setup.ts'
import { ensureProjectTopics } from '../../shared/provision/topics.ts'
import type { ProjectFacts, ProvisionAction, ProvisionItem } from '../../shared/provision/types.ts'

/**
 * `--demo`, before the set-up so that it covers the new project too: the ONB project --demo made (or makes
 * now), and the items already settled (created, someone else's ONB).
 */
async function _demoProject(
  plane: PlaneClient,
  ctx: ProvisionContext
): Promise<{ project: PlaneProject | null; items: ProvisionItem[] }> {
  const found = await findDemoProject(plane)
  if (found)
    return isDemoProject(found)
      ? { project: found, items: [] }
      : { project: null, items: [notOursItem(found)] }
  const created = await createDemoProject({ plane, locale: ctx.config.LOCALE })
  return { project: created.project, items: [created.item] }
}

/** The parts the provision job reads: Plane, Telegram's set-up and topics, the run store. */
export type ProvisionPart = 'plane' | 'telegram' | 'topics' | 'runs'
export type ProvisionContext = JobContext<ProvisionPart>

/** What a caller settled before (bootstrap made the webhook: it says how it stands, not provision's guess). */
export type ProvisionOverrides = { webhookItem?: ProvisionItem }

export const provisionFunction = defineJobFunction<ProvisionPart>({
  name: 'provision',
  usage: '[--dry-run] [--demo]',
  description:
    'Idempotent set-up: agents as project members, agent:<id> labels, blocked state, Telegram webhook; reports what needs a human. Goes on past what Plane fails on and lists it. --demo also creates, once, the Onboarding demo project (ONB) with three example tasks. --dry-run reads and prints the plan, writing nothing. Exit 0 done, 1 failed or blocked, 2 done but a person must act.',
  requires: ['PLANE_BASE_URL', 'PLANE_API_KEY', 'PLANE_WORKSPACE_SLUG'],
  maxDurationSeconds: 15 * 60,
  parts: ['plane', 'telegram', 'topics', 'runs'],
  run: (ctx) => runProvision(ctx),
})

/** The provision job's run: bootstrap runs it too, with the key it just made. */
export async function runProvision(ctx: ProvisionContext, overrides: ProvisionOverrides = {}) {
  const { config, log } = ctx
  const plane = ctx.plane
  if (!plane) throw new ProvisionError('the Plane settings are missing')
  if (ctx.agents.length === 0) log.warn('provision: the agent registry is empty (AGENTS_FILE)')
  const dryRun = ctx.args.includes('--dry-run')
  const demo = ctx.args.includes('--demo')
  const progress = createProgress({ out: ctx.progress, now: ctx.now })

  if (dryRun) return _dryRun(ctx, plane, { demo, progress }, overrides)

  // First what Plane has (the key checked first), then the plan (pure), then the writes, then the report.
  let facts = await readPlaneFacts(plane, ctx.agents, { progress })
  const demoStart = demo
    ? await _demoProject(plane, ctx).catch((error: unknown) => ({
        project: null,
        items: [failedItem('demo ONB', error)],
      }))
    : { project: null, items: [] }
  // A demo project made just now is set up for the agents like the others.
  if (demoStart.project && !facts.projects.some((p) => p.id === demoStart.project?.id)) {
    const more = await readPlaneFacts(plane, ctx.agents, { projectIds: [demoStart.project.id] })
    facts = {
      ...facts,
      projects: [...facts.projects, ...more.projects],
      failed: [...facts.failed, ...more.failed],
    }
  }
  const plan = planProvision(facts, ctx.agents, { locale: config.LOCALE })
  const applied = await applyProvisionPlan(plane, plan.actions, { progress })
  const telegram = await setUpTelegram({
    telegram: ctx.telegram,
    publicUrl: config.PUBLIC_URL,
    webhookSecret: config.TELEGRAM_WEBHOOK_SECRET,
    locale: config.LOCALE,
  }).catch((error: unknown) => [failedItem('telegram', error)])
  const webhook = overrides.webhookItem ?? (await _webhookItem(ctx))
  const topics = await ensureProjectTopics(ctx, facts.projects)
  const demoTasks = demoStart.project
    ? await ensureDemoTasks({
        plane,
        locale: config.LOCALE,
        projectId: demoStart.project.id,
        agents: plan.agents,
        runs: ctx.runs,
        store: ctx.store,
        now: ctx.now,
      }).catch((error: unknown) => [failedItem('demo ONB', error)])
    : []

  const report = buildProvisionReport([
    ...facts.failed,
    ...plan.items,
    ...applied,
    ...telegram,
    ...topics,
    webhook,
    ...demoStart.items,
    ...demoTasks,
  ])
  if (report.blocking.length === 0 && report.failed.length === 0)
    await markProjectsProvisioned(
      ctx,
      facts.projects.map((p) => p.id)
    )
  // What the server's /ready says of the agents (noted at its start) follows what this run fixed: the
  // facts it read, with the memberships it added, recorded as the `agents` contact (with this run's settings:
  // readiness.ts). No request of its own: the key's minute is provision's already.
  if (!dryRun)
    recordAgentsInPlane(ctx, _agentFactsAfter(plane.workspaceSlug, facts, plan.actions, applied))
  // The report is for the person at the terminal, each line once; a scheduled or remote run has no
  // terminal, so its log keeps what needs someone.
  if (ctx.trigger !== 'cli')
    for (const line of report.lines) if (/^\[(blocked|human|failed)\]/.test(line)) log.warn(line)
  return _outcome(report, facts.projects.length)
}

// --- Internal helpers ---

/** Plane's webhook as both runs report it (Plane CE has no API for it: a person's job, checked by deliveries). */
async function _webhookItem(ctx: ProvisionContext): Promise<ProvisionItem> {
  const url = webhookTargetOf(ctx.config)
  return planeWebhookItem({
    url,
    ...(url ? { advice: await adviseOnWebhookTarget(ctx.config, url) } : {}),
    secretSet: Boolean(ctx.config.PLANE_WEBHOOK_SECRET),
    lastReceivedAt: await lastWebhookReceivedAt(ctx),
    refusedSinceAccepted: await signaturesRejectedSinceAccepted(ctx),
    now: ctx.now(),
  })
}

/** What a run that wrote answers: the report's lines and counts, failed (exit 1) or waiting for a person (exit 2). */
function _outcome(report: ProvisionReport, projects: number) {
  const outcome = {
    summary: report.summary,
    terminal: report.lines,
    changed: report.changed,
    fine: report.fine,
    human: report.human,
    failed: report.failed.length,
    projects,
  }
  // A blocked item means an agent's assignments would be dropped or never seen; a failed one was not
  // done: fail (exit 1), after everything else was done, and say why.
  const failures = [
    ...(report.blocking.length > 0 ? [blockingMessage(report)] : []),
    ...(report.failed.length > 0 ? [failedMessage(report)] : []),
  ]
  if (failures.length > 0) return { ...outcome, failure: failures.join(' — ') }
  // Done, but a person must still act (the webhook to create in Plane, say): exit 2.
  return { ...outcome, ...(report.human > 0 ? { exitCode: 2 as const } : {}) }
}

/**
 * `--dry-run`: reads only, and reports the items the run would, with the same statuses and count — each
 * write as `[would change]`, an invitation as the `[blocked]` it makes, the Telegram set-up, the topics, Plane's
 * webhook, the demo and the set-up of the project it would create.
 */
async function _dryRun(
  ctx: ProvisionContext,
  plane: PlaneClient,
  { demo, progress }: { demo: boolean; progress: ReturnType<typeof createProgress> },
  overrides: ProvisionOverrides
) {
  const { config } = ctx
  const read = await readPlaneFacts(plane, ctx.agents, { progress })
  const demoPlan = demo
    ? await planDemo(plane, { locale: config.LOCALE, bridgeUserId: read.bridge.id }).catch(
        (error: unknown) => ({ items: [failedItem('demo ONB', error)], newProject: null })
      )
    : { items: [], newProject: null }
  const facts = demoPlan.newProject
    ? { ...read, projects: [...read.projects, demoPlan.newProject] }
    : read
  const plan = planProvision(facts, ctx.agents, { locale: config.LOCALE })
  const telegram = await setUpTelegram({
    telegram: ctx.telegram,
    publicUrl: config.PUBLIC_URL,
    webhookSecret: config.TELEGRAM_WEBHOOK_SECRET,
    locale: config.LOCALE,
    dryRun: true,
  }).catch((error: unknown) => [failedItem('telegram', error)])
  const report = buildProvisionReport(
    [
      ...facts.failed,
      ...plan.items,
      ...plan.actions.map(plannedItem),
      ...telegram,
      ...(await ensureProjectTopics(ctx, facts.projects, { dryRun: true })),
      overrides.webhookItem ?? (await _webhookItem(ctx)),
      ...demoPlan.items,
    ],
    { dryRun: true }
  )
  return {
    summary: `dry run, nothing written: ${report.summary}`,
    terminal: report.lines,
    // Nothing failed (nothing was tried); a person will have to act: exit 2, as a run that is done but waits.
    ...(report.human > 0 ? { exitCode: 2 as const } : {}),
  }
}

/** Workspace and project members as provision read them, with the memberships its run added (items align with actions). */
function _agentFactsAfter(
  slug: string,
  facts: { members: AgentPlaneFacts['members']; projects: readonly ProjectFacts[] },
  actions: readonly ProvisionAction[],
  applied: readonly ProvisionItem[]
): AgentPlaneFacts {
  const added = new Map<string, string[]>()
  for (const [i, action] of actions.entries())
    if (action.kind === 'add-member' && applied[i]?.status === 'ok')
      added.set(action.project.id, [...(added.get(action.project.id) ?? []), action.userId])
  return {
    slug,
    members: facts.members,
    // Projects the bridge is not in are not read (their members answer 403): not held against.
    projects: facts.projects
      .filter((p) => p.bridgeIsMember)
      .map((p) => ({
        identifier: p.identifier,
        memberIds: [...p.memberIds, ...(added.get(p.id) ?? [])],
      })),
  }
}
