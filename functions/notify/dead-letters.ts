/**
 * @module job `dead-letters [--retry [id]]`: what the outbox gave up on, and sending it again; and the signed Plane
 * deliveries that could not be read, kept apart (never processed, so never sent again).
 */
import { defineJobFunction } from '../../shared/core/function.ts'
import type { OutboxItem } from '../../shared/notify/outbox.ts'
import { listUnreadable, unreadableLine } from '../../shared/poll/webhook-unreadable.ts'

export const deadLettersFunction = defineJobFunction({
  name: 'dead-letters',
  usage: '[--retry [id]]',
  description:
    'Lists the messages and wake-ups the outbox gave up on (id, channel, target, attempts, last error) and the signed Plane deliveries that could not be read (id, when, event, delivery id, size, why); --retry sends the messages all again, --retry <id> one.',
  parts: ['outbox'],
  run: async function deadLetters(ctx) {
    const { outbox } = ctx
    const dead = await outbox.deadLetters()
    const at = ctx.args.indexOf('--retry')
    if (at < 0) {
      const unreadable = await listUnreadable(ctx.store, ctx.now)
      const letters = dead.length === 0 ? 'no dead letter' : `${dead.length} dead letter(s)`
      return {
        summary:
          unreadable.length === 0
            ? letters
            : `${letters}; ${unreadable.length} unreadable Plane deliveries (last 7 days)`,
        terminal: [
          ...dead.map(_line),
          ...(unreadable.length === 0 ? [] : ['unreadable Plane deliveries, newest first:']),
          ...unreadable.map(unreadableLine),
        ],
      }
    }
    const id = ctx.args[at + 1]
    const chosen = id ? dead.filter((d) => d.id === id) : dead
    if (id && chosen.length === 0)
      throw new Error(`no dead letter ${id} (npm run job -- dead-letters lists them)`)
    const revived: OutboxItem[] = []
    for (const item of chosen) {
      const back = await outbox.revive(item.id)
      if (back) revived.push(back)
    }
    ctx.log.info('dead letters sent again', { count: revived.length })
    return {
      summary: `${revived.length} dead letter(s) queued again`,
      terminal: revived.map((r) => `queued again: ${r.id} ${r.channel} → ${r.target}`),
    }
  },
})

/** One line per dead letter, content left out (it may quote people's messages). */
function _line(item: OutboxItem): string {
  const when = new Date(item.createdAt).toISOString()
  return [
    item.id,
    item.channel,
    item.target,
    `${item.attempts} attempts`,
    when,
    item.lastError ?? '',
  ].join('\t')
}
