/**
 * @module The workspace's webhook to the bridge (NOTIF-01): made when missing, with every event the bridge reads;
 * made active again when Plane turned it off; its secret (which Plane returns on every read of it) written to the
 * secrets file as PLANE_WEBHOOK_SECRET. A URL Plane refuses is said with Plane's words and the fix for its release.
 */

import { planeMessage } from '../plane/session/calls.ts'
import type { PlaneSession } from '../plane/session/client.ts'
import { createWebhook, listWebhooks, updateWebhook } from '../plane/session/webhooks.ts'
import { adviseWebhookTarget } from '../plane/webhook-target.ts'
import { type BootstrapContext, done, failed, fine, human, type Item } from './context.ts'
import { planWebhook, WEBHOOK_EVENTS } from './plan.ts'

const SUBJECT = 'plane webhook'
const EVENTS = 'projects, work items, cycles, modules, work item comments'

export async function setUpWebhook(
  ctx: BootstrapContext,
  admin: PlaneSession | null,
  release: string | null
): Promise<Item> {
  const { webhookUrl: url, slug } = ctx.settings
  if (!url)
    return human(
      SUBJECT,
      'no URL to give Plane: set PUBLIC_URL (the webhook goes to PUBLIC_URL/webhooks/plane) or PLANE_WEBHOOK_URL, then run bootstrap again.'
    )
  if (!admin) return done(SUBJECT, `would create it: ${url}, events ${EVENTS}`)
  try {
    const plan = planWebhook(
      url,
      await listWebhooks(admin, slug),
      ctx.ledger.get('PLANE_WEBHOOK_SECRET')
    )
    if (plan.kind === 'create') {
      if (ctx.dryRun) return done(SUBJECT, `would create it: ${url}, events ${EVENTS}`)
      const made = await createWebhook(admin, slug, url, WEBHOOK_EVENTS)
      if (made.webhook) {
        await ctx.ledger.remember({ PLANE_WEBHOOK_SECRET: made.webhook.secret })
        return done(
          SUBJECT,
          `created: ${url}, events ${EVENTS}; its secret is in ${ctx.ledger.where}`
        )
      }
      // 409: it appeared since the list (another run): the next run reads it.
      if (made.status === 409)
        return failed(
          SUBJECT,
          new Error(`Plane has a webhook to ${url} it did not list a moment ago`)
        )
      return human(SUBJECT, _refused(url, made.status, planeMessage(made.body), ctx, release))
    }
    const changes: string[] = []
    if (Object.keys(plan.patch).length > 0) {
      if (!ctx.dryRun) await updateWebhook(admin, slug, plan.webhook.id, plan.patch)
      changes.push(plan.patch.is_active ? 'made active again' : 'every event turned on')
    }
    if (plan.adoptSecret) {
      await ctx.ledger.remember({ PLANE_WEBHOOK_SECRET: plan.webhook.secret })
      changes.push(`its secret written to ${ctx.ledger.where}`)
    }
    if (changes.length === 0)
      return fine(SUBJECT, `${url}: active, events ${EVENTS}, its secret in ${ctx.ledger.where}`)
    return done(SUBJECT, `${url}: ${ctx.dryRun ? 'would be ' : ''}${changes.join(', ')}`)
  } catch (error) {
    return failed(SUBJECT, error)
  }
}

function _refused(
  url: string,
  status: number,
  message: string,
  ctx: BootstrapContext,
  release: string | null
): string {
  const advice = adviseWebhookTarget({ url, planeHost: ctx.settings.planeHost, release })
  const fix = advice.lines.length
    ? advice.lines.join(' ')
    : 'Give Plane a URL it can reach that is not on its own host: PUBLIC_URL/webhooks/plane on a public name (docs/deploy.md, step 6).'
  return `Plane ${release ?? ''} refuses ${url} (${status}: ${message}). ${fix} Then run bootstrap again.`.replace(
    'Plane  ',
    'Plane '
  )
}
