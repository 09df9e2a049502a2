/**
 * @module job `provision` — idempotent workspace set-up (PROV-01..04): agents as project members, `agent:<id>`
 * labels, a blocked state, the Telegram webhook and command; says what a human must still do.
 */

import { type Bridge, getBridge } from '../../shared/bridge.ts'
import { defineJobFunction } from '../../shared/function.ts'
import {
  lastWebhookReceivedAt,
  signaturesRejectedSinceAccepted,
} from '../../shared/poll/webhook-health.ts'
import { applyProvisionPlan } from '../../shared/provision/apply-plan.ts'
import { ProvisionBlockedError, ProvisionError } from '../../shared/provision/errors.ts'
import { planProvision } from '../../shared/provision/plan.ts'
import { planeWebhookItem } from '../../shared/provision/plane-webhook.ts'
import { markProjectsProvisioned } from '../../shared/provision/project.ts'
import { readPlaneFacts } from '../../shared/provision/read-plane.ts'
import { blockingMessage, buildProvisionReport } from '../../shared/provision/report.ts'
import { setUpTelegram } from '../../shared/provision/telegram-setup.ts'
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

/** TELEGRAM_TOPICS=per-project: each project's forum topic, created once (its id kept in the store). */
async function _topics(
  bridge: Bridge,
  projects: readonly { id: string; identifier: string }[]
): Promise<ProvisionItem[]> {
  if (!bridge.topics) return []
  const items: ProvisionItem[] = []
  for (const project of projects) {
    const subject = `telegram topic ${project.identifier}`
    try {
      const { threadId, created, error } = await bridge.topics.ensure(project.id)
      items.push(
        threadId === null
          ? {
              subject,
              status: 'human',
              changed: false,
              detail: `no topic (${error ?? 'unknown'}): turn Topics on in the group and let the bot manage topics, or set TELEGRAM_TOPICS=off`,
            }
          : {
              subject,
              status: 'ok',
              changed: created,
              detail: created ? `created (thread ${threadId})` : `exists (thread ${threadId})`,
            }
      )
    } catch (error) {
      items.push({
        subject,
        status: 'human',
        changed: false,
        detail: `not created: ${error instanceof Error ? error.message : String(error)}`,
      })
    }
  }
  return items
}

export const provisionFunction = defineJobFunction({
  name: 'provision',
  usage: '[--dry-run]',
  description:
    'Idempotent set-up: agents as project members, agent:<id> labels, blocked state, Telegram webhook; reports what needs a human. --dry-run reads and prints the plan, writing nothing. Exit 0 done, 1 failed or blocked, 2 done but a person must act.',
  requires: ['PLANE_BASE_URL', 'PLANE_API_KEY', 'PLANE_WORKSPACE_SLUG'],
  maxDurationSeconds: 15 * 60,
  run: async function provision(ctx) {
    const { config, log } = ctx
    const bridge = getBridge(ctx)
    if (!bridge.plane) throw new ProvisionError('the Plane settings are missing')
    if (ctx.agents.length === 0) log.warn('provision: the agent registry is empty (AGENTS_FILE)')

    // First what Plane has, then the plan (pure), then the writes, then the report.
    const facts = await readPlaneFacts(bridge.plane, ctx.agents)
    const plan = planProvision(facts, ctx.agents, { locale: config.LOCALE })
    if (ctx.args.includes('--dry-run')) {
      // Reads only: what would be written, and what already needs a person.
      const report = buildProvisionReport(plan.items)
      const planned = plan.actions.map((a) => `[would change] ${_describe(a)}`)
      return {
        summary: `dry run, nothing written: ${planned.length} change(s) planned; ${report.summary}`,
        terminal: [...planned, ...report.lines],
        ...(report.human > 0 ? { exitCode: 2 as const } : {}),
      }
    }
    const applied = await applyProvisionPlan(bridge.plane, plan.actions)
    const telegram = await setUpTelegram({
      telegram: bridge.telegram,
      publicUrl: config.PUBLIC_URL,
      webhookSecret: config.TELEGRAM_WEBHOOK_SECRET,
      locale: config.LOCALE,
    })
    const webhook = planeWebhookItem({
      publicUrl: config.PUBLIC_URL,
      secretSet: Boolean(config.PLANE_WEBHOOK_SECRET),
      lastReceivedAt: await lastWebhookReceivedAt(ctx),
      refusedSinceAccepted: await signaturesRejectedSinceAccepted(ctx),
      now: ctx.now(),
    })

    const topics = await _topics(bridge, facts.projects)

    const report = buildProvisionReport([
      ...plan.items,
      ...applied,
      ...telegram,
      ...topics,
      webhook,
    ])
    if (report.blocking.length === 0)
      await markProjectsProvisioned(
        ctx,
        facts.projects.map((p) => p.id)
      )
    // The report is for the person at the terminal; the log keeps what needs someone.
    for (const line of report.lines)
      if (line.startsWith('[blocked]') || line.startsWith('[human]')) log.warn(line)
    // A blocked item means an agent's assignments would be dropped or never seen: fail, say why.
    if (report.blocking.length > 0)
      throw new ProvisionBlockedError(blockingMessage(report), report.blocking)
    return {
      summary: report.summary,
      terminal: report.lines,
      changed: report.changed,
      fine: report.fine,
      human: report.human,
      projects: facts.projects.length,
      // Done, but a person must still act (the webhook to create in Plane, say): exit 2.
      ...(report.human > 0 ? { exitCode: 2 as const } : {}),
    }
  },
})
