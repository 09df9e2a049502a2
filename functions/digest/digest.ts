/**
 * @module cron 08:00 in TIMEZONE — the daily digest (NOTIF-08): one message a day to TELEGRAM_CHAT_ID, even with two
 * replicas or a restart (a per-day claim in the store), covering what happened since the previous digest. Tried
 * again every quarter hour until 11:45 while the day's has not gone out (Plane down at 08:00, a restart).
 */
import { buildDigest } from '../../shared/commands/digest.ts'
import { renderContextFor } from '../../shared/commands/render-context.ts'
import { enqueueReply } from '../../shared/commands/send-reply.ts'
import { defineCronFunction } from '../../shared/core/function.ts'
import { claimAndWrite } from '../../shared/store/store.ts'
import { createWorkspaceLoader } from '../../shared/workspace/workspace-loader.ts'

/** The day's claim outlives the day in every time zone. */
const SENT_CLAIM_TTL_S = 3 * 24 * 60 * 60
/** The first digest ever covers the last day. */
const FIRST_DIGEST_WINDOW_MS = 24 * 60 * 60 * 1000
const LAST_DIGEST_KEY = 'digest:last'

export const digestFunction = defineCronFunction({
  name: 'digest',
  usage: '[--preview]',
  description:
    "Sends the daily digest to TELEGRAM_CHAT_ID (once a day at 08:00; until it has gone out, each quarter hour until noon tries again: a run that failed, or an 08:00 missed because plane-bridge started later). Run by hand it counts as the day's digest: the 08:00 one is then not sent. --preview prints it here, sends nothing and marks nothing.",
  // 08:00, and the quarter hours after it until 11:45: a run that failed (Plane down, a crash, a restart at
  // 08:00) leaves the day open, and the next tick sends it; once sent, a tick costs one store read.
  schedule: '*/15 8-11 * * *',
  timezone: 'config',
  maxDurationSeconds: 300,
  requires: [
    'TELEGRAM_BOT_TOKEN',
    'TELEGRAM_CHAT_ID',
    'PLANE_BASE_URL',
    'PLANE_API_KEY',
    'PLANE_WORKSPACE_SLUG',
  ],
  parts: ['plane', 'directory', 'outbox', 'kick', 'snapshots', 'budget'],
  run: async function digest(ctx) {
    const { config, store, log } = ctx
    const now = ctx.now()
    const render = renderContextFor(config, now)
    const sentKey = `digest:sent:${render.today}`
    // A preview builds the digest from the same data and stops there: trying it must not spend the day's.
    const preview = ctx.args.includes('--preview')
    // Cheap early exit for a second run (CLI, restart): no Plane requests for a digest already sent.
    if (!preview && (await store.has(sentKey)))
      return {
        summary: `already sent for ${render.today}${ctx.trigger === 'cli' ? ' (--preview shows it again without sending)' : ''}`,
        idle: true,
      }

    if (!ctx.plane) throw new Error('Plane is not configured')
    const loader = createWorkspaceLoader({
      plane: ctx.plane,
      store,
      directory: ctx.directory,
      agents: ctx.agents,
      log,
      now: ctx.now,
      latest: ctx.snapshots.getMany,
      budget: ctx.budget,
    })
    const workspace = await loader.view()
    const last = await store.get<{ at: number }>(LAST_DIGEST_KEY)
    const since = last?.at ?? now - FIRST_DIGEST_WINDOW_MS
    const { html, quiet } = buildDigest(workspace, { since }, render)
    if (preview) {
      const sentAlready = await store.has(sentKey)
      return {
        summary: `preview of the digest for ${render.today}: nothing sent, nothing marked${quiet ? ', quiet day' : ''}${sentAlready ? ` (today's was sent already: this is what the next one holds so far)` : ''}`,
        terminal: [`To ${config.TELEGRAM_CHAT_ID} (Telegram HTML):`, '', ...html.split('\n')],
        quiet,
      }
    }

    // The claim comes after the slow part and right before the enqueue: a run that failed above leaves the
    // day open for the next try, and of two replicas exactly one gets past this line.
    const sent = await claimAndWrite(store, sentKey, SENT_CLAIM_TTL_S, () =>
      enqueueReply(ctx.outbox, {
        chatId: config.TELEGRAM_CHAT_ID as string,
        html,
        dedupeKey: `digest:${render.today}`,
      })
    )
    if (!sent.claimed) return { summary: `already sent for ${render.today}` }
    const messages = sent.value
    await store.set(LAST_DIGEST_KEY, { at: now })
    ctx.kick()
    // By hand it is the day's digest all the same (one a day): said, so that nobody waits for 08:00's.
    const manual =
      ctx.trigger === 'cli'
        ? ` — sent now, it counts as today's digest: the scheduled one will not be sent again today (--preview to look without sending)`
        : ''
    return {
      summary: `digest for ${render.today}: ${messages} message(s)${quiet ? ', quiet day' : ''}${manual}`,
      messages,
      quiet,
    }
  },
})
