/**
 * @module What one agent may send the human: past a few messages in a few minutes, the rest wait and go
 * together in one message at the end of the period, which counts them and links their tasks. Nothing is dropped:
 * each grouped message is kept (by its dedupe key, so a flush repeated after a crash keeps it once) until the grouped
 * message that carries it is sent. 60 `error` comments from one agent were 40 Telegram messages in 45 s.
 */

import { periodOpenedAt } from '../store/period.ts'
import type { Store } from '../store/store.ts'
import { escapeHtml } from '../telegram/html.ts'
import type { EnqueueInput } from './outbox.ts'

export type AgentQuotaOptions = {
  store: Store
  /** Messages of one agent sent on their own in a period; the rest are grouped. */
  perPeriod: number
  periodMs: number
  now?: () => number
}

/** The grouped message of one agent, as the Telegram lane sends it. */
export type GroupedMessages = { html: string; members: string[]; count: number }

export type AgentQuota = {
  /** One more message of this agent: true while it may go on its own in the current period. */
  admit(agentId: string): Promise<boolean>
  /**
   * Keep a message for the agent's grouped message; returns the outbox item that sends the group when the period
   * ends (one per agent and period: its dedupe key makes a second enqueue a no-op).
   */
  group(message: {
    agentId: string
    agentName: string
    chatId: string
    dedupeKey: string
    html: string
  }): Promise<EnqueueInput>
  /** What the agent's grouped message says now (null: nothing grouped), and the members it carries. */
  take(agentId: string, agentName: string, locale: 'fr' | 'en'): Promise<GroupedMessages | null>
  /** The grouped message carrying these members was sent: they are done. */
  sent(agentId: string, members: readonly string[]): Promise<void>
}

/** A grouped message is kept at most this long (the group goes at the end of its period, minutes later). */
const GROUPED_TTL_S = 7 * 24 * 60 * 60
/** Room kept under Telegram's 4,096 characters for the header and the closing line. */
const GROUP_TEXT_MAX = 3600
/** `notify:held:` is the stored format since the first version (messages grouped were first called held): kept. */
const groupedKey = (dedupeKey: string) => `notify:held:${dedupeKey}`
const groupedIndex = (agentId: string) => `notify:held:agent:${agentId}`

export function createAgentQuota({
  store,
  perPeriod,
  periodMs,
  now = Date.now,
}: AgentQuotaOptions): AgentQuota {
  const periodS = Math.max(1, Math.ceil(periodMs / 1000))
  /**
   * The agent's current period: it opens with the first message after the last one closed (a claim, so replicas
   * agree on it) and lasts `periodMs`. A period anchored on the agent's own first message, not on the clock, never
   * lets twice the share through across a boundary.
   */
  const periodOf = (agentId: string): Promise<number> =>
    // `notify:quota:window:` is the key's stored format since the first version: kept as it is.
    periodOpenedAt(store, `notify:quota:window:${agentId}`, periodS, now())
  return {
    async admit(agentId) {
      const start = await periodOf(agentId)
      const count = await store.increment(`notify:quota:${agentId}:${start}`, periodS * 2)
      return count <= perPeriod
    },
    async group({ agentId, agentName, chatId, dedupeKey, html }) {
      await store.set(groupedKey(dedupeKey), html, { ttlSeconds: GROUPED_TTL_S })
      await store.sortedAdd(groupedIndex(agentId), dedupeKey, now(), { ttlSeconds: GROUPED_TTL_S })
      const periodEnd = (await periodOf(agentId)) + periodMs
      return {
        channel: 'telegram',
        target: chatId,
        payload: { chat_id: chatId, grouped: agentId, agent_name: agentName },
        dedupeKey: `notify:grouped:${agentId}:${periodEnd}`,
        meta: { kind: 'grouped', agentId },
        notBefore: periodEnd,
      }
    },
    async take(agentId, agentName, locale) {
      const entries = await store.sortedRange(groupedIndex(agentId))
      if (entries.length === 0) return null
      const members = entries.map((e) => e.member)
      const htmls = await store.getMany<string>(members.map(groupedKey))
      const kept = members.flatMap((member, i) => {
        const html = htmls[i]
        return typeof html === 'string' ? [{ member, html }] : []
      })
      // Every grouped message is counted, and shown while the text has room; the rest are named by their count.
      const shown: string[] = []
      let length = 0
      for (const { html } of kept) {
        if (length + html.length > GROUP_TEXT_MAX) break
        shown.push(html)
        length += html.length + 2
      }
      const more = kept.length - shown.length
      const name = escapeHtml(agentName)
      const header =
        locale === 'en'
          ? `📦 <b>${name}</b>: ${kept.length} more message${kept.length > 1 ? 's' : ''} grouped (at most a few a window are sent on their own)`
          : `📦 <b>${name}</b> : ${kept.length} message${kept.length > 1 ? 's' : ''} de plus, regroupé${kept.length > 1 ? 's' : ''} (quelques-uns seulement partent seuls par fenêtre)`
      const tail =
        more === 0
          ? []
          : [
              locale === 'en'
                ? `… and ${more} more, in Plane on their tasks.`
                : `… et ${more} autre${more > 1 ? 's' : ''}, dans Plane sur leurs tâches.`,
            ]
      return {
        html: [header, ...shown, ...tail].join('\n\n'),
        // Members with their text gone (expired) are done too.
        members,
        count: kept.length,
      }
    },
    async sent(agentId, members) {
      for (const member of members) {
        await store.sortedRemove(groupedIndex(agentId), member)
        await store.delete(groupedKey(member))
      }
    },
  }
}
