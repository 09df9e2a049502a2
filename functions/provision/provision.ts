/**
 * @module job `provision` — idempotent workspace set-up (PROV-01..04): agents as project members, `agent:<id>`
 * labels, a blocked state, the Telegram webhook and command, the `Onboarding` demo with `--demo`; says what
 * a human must still do, and goes on past what Plane fails on.
 */

import { defineJobFunction, type JobContext } from '../../shared/function.ts'
import type { PlaneClient } from '../../shared/plane/client.ts'
import { adviseOnWebhookTarget, webhookTargetOf } from '../../shared/plane/release.ts'
import type { PlaneProject } from '../../shared/plane/schemas.ts'
import {
  lastWebhookReceivedAt,
  signaturesRejectedSinceAccepted,
} from '../../shared/poll/webhook-health.ts'
import { applyProvisionPlan, failedItem } from '../../shared/provision/apply-plan.ts'
import {
  createDemoProject,
  demoPlanLines,
  ensureDemoTasks,
  findDemoProject,
  isDemoProject,
  notOursItem,
} from '../../shared/provision/demo.ts'
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
} from '../../shared/provision/report.ts'
import { setUpTelegram } from '../../shared/provision/telegram-setup.ts'
import { ensureProjectTopics } from '../../shared/provision/topics.ts'
import type { ProvisionAction, ProvisionItem } from '../../shared/provision/types.ts'

/** A planned write, named like the item its application reports. */
function _describe(action: ProvisionAction): string {
  switch (action.kind) {
    case 'invite':
      return `agent ${action.agentId}: invite ${action.email} to the workspace`
    case 'add-member':
      return `member ${action.project.identifier} ${action.agentId}: add to the project`
    case 'create-label':
      return `label ${action.project.identifier} ${action.name}: create`
    case 'create-state':
      return `state ${action.project.identifier} ${action.name}: create`
  }
}

/**
 * `--demo`, before the set-up so that it covers the new project too: the ONB project --demo made (or makes
 * now), and the items already settled (created, someone else's ONB).
 */
async function _demoProject(
  plane: PlaneClient,
  ctx: JobContext
): Promise<{ project: PlaneProject | null; items: ProvisionItem[] }> {
  const found = await findDemoProject(plane)
  if (found)
    return isDemoProject(found)
      ? { project: found, items: [] }
      : { project: null, items: [notOursItem(found)] }
  const created = await createDemoProject({ plane, locale: ctx.config.LOCALE })
  return { project: created.project, items: [created.item] }
}

export const provisionFunction = defineJobFunction({
  name: 'provision',
  usage: '[--dry-run] [--demo]',
  description:
    'Idempotent set-up: agents as project members, agent:<id> labels, blocked state, Telegram webhook; reports what needs a human. Goes on past what Plane fails on and lists it. --demo also creates, once, the Onboarding demo project (ONB) with three example tasks. --dry-run reads and prints the plan, writing nothing. Exit 0 done, 1 failed or blocked, 2 done but a person must act.',
  requires: ['PLANE_BASE_URL', 'PLANE_API_KEY', 'PLANE_WORKSPACE_SLUG'],
  maxDurationSeconds: 15 * 60,
  run: async function provision(ctx) {
    const { config, log } = ctx
    const bridge = ctx.bridge
    const plane = bridge.plane
    if (!plane) throw new ProvisionError('the Plane settings are missing')
    if (ctx.agents.length === 0) log.warn('provision: the agent registry is empty (AGENTS_FILE)')
    const dryRun = ctx.args.includes('--dry-run')
    const demo = ctx.args.includes('--demo')
    const progress = createProgress({ out: ctx.progress, now: ctx.now })

    if (dryRun) {
      // Reads only: what would be written, and what already needs a person.
      const demoLines = demo ? demoPlanLines(await findDemoProject(plane), config.LOCALE) : []
      const facts = await readPlaneFacts(plane, ctx.agents, { progress })
      const plan = planProvision(facts, ctx.agents, { locale: config.LOCALE })
      const report = buildProvisionReport([...facts.failed, ...plan.items])
      const planned = [
        ...plan.actions.map((a) => `[would change] ${_describe(a)}`),
        ...demoLines.filter((l) => l.startsWith('[would change]')),
      ]
      return {
        summary: `dry run, nothing written: ${planned.length} change(s) planned; ${report.summary}`,
        terminal: [
          ...planned,
          ...demoLines.filter((l) => !l.startsWith('[would change]')),
          ...report.lines,
        ],
        ...(report.human > 0 ? { exitCode: 2 as const } : {}),
      }
    }

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
      telegram: bridge.telegram,
      publicUrl: config.PUBLIC_URL,
      webhookSecret: config.TELEGRAM_WEBHOOK_SECRET,
      locale: config.LOCALE,
    }).catch((error: unknown) => [failedItem('telegram', error)])
    const url = webhookTargetOf(config)
    const webhook = planeWebhookItem({
      url,
      ...(url ? { advice: await adviseOnWebhookTarget(config, url) } : {}),
      secretSet: Boolean(config.PLANE_WEBHOOK_SECRET),
      lastReceivedAt: await lastWebhookReceivedAt(ctx),
      refusedSinceAccepted: await signaturesRejectedSinceAccepted(ctx),
      now: ctx.now(),
    })
    const topics = await ensureProjectTopics(bridge, facts.projects)
    const demoTasks = demoStart.project
      ? await ensureDemoTasks({
          plane,
          locale: config.LOCALE,
          projectId: demoStart.project.id,
          agents: plan.agents,
          runs: bridge.runs,
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
    // The report is for the person at the terminal; the log keeps what needs someone.
    for (const line of report.lines) if (/^\[(blocked|human|failed)\]/.test(line)) log.warn(line)
    const outcome = {
      summary: report.summary,
      terminal: report.lines,
      changed: report.changed,
      fine: report.fine,
      human: report.human,
      failed: report.failed.length,
      projects: facts.projects.length,
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
  },
})
