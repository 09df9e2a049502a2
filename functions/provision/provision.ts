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
import type { ProvisionItem } from '../../shared/provision/types.ts'

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
  description:
    'Idempotent set-up: agents as project members, agent:<id> labels, blocked state, Telegram webhook; reports what needs a human.',
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
    for (const line of report.lines) {
      if (line.startsWith('[blocked]') || line.startsWith('[human]')) log.warn(line)
      else log.info(line)
    }
    // A blocked item means an agent's assignments would be dropped or never seen: fail, say why.
    if (report.blocking.length > 0)
      throw new ProvisionBlockedError(blockingMessage(report), report.blocking)
    return {
      summary: report.summary,
      changed: report.changed,
      fine: report.fine,
      human: report.human,
      projects: facts.projects.length,
    }
  },
})
