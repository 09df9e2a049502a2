/**
 * @module What the human hears of Telegram's refusals (none silent): a chat back after blocking the bot gets
 * what waited (past a few, a summary and the important ones); a message given up is told; a group that became a
 * supergroup is told to the operator once.
 */

import type { Logger } from '../observe/log.ts'
import { periodOpenedAt } from '../store/period.ts'
import type { Store } from '../store/store.ts'
import { escapeHtml } from '../telegram/html.ts'
import { capText } from '../text/cap.ts'
import type { ChatHold, ChatHolds } from './chat-holds.ts'
import type { Locale } from './i18n.ts'
import { type Outbox, type OutboxItem, telegramMessage } from './outbox.ts'

export type HeldChatsOptions = {
  outbox: Outbox
  /** Where a chat's last notice of a message given up is marked (its ten minutes). */
  store: Pick<Store, 'claim' | 'get'>
  holds: ChatHolds
  locale: Locale
  log: Logger
  now?: () => number
  /** Starts the Telegram lane's drain (what waited goes at once). */
  kick?: () => void
}

export type HeldChats = {
  /**
   * The chat wrote to the bot (or a try went through): its hold ends, and what waited goes — all of it when it is a
   * few messages, else a summary and the ones the human acts on (cards, prompts, replies), the rest being in Plane.
   * Returns the hold there was (null: the chat was not held, or is in a flood wait, which only time ends).
   */
  back(chatId: string): Promise<ChatHold | null>
  /**
   * A held chat took a message (the hold is released already; `went`, the message that went through, not acked yet):
   * what waited goes, as `back` sends it.
   */
  resumed(chatId: string, hold: ChatHold, went?: OutboxItem): Promise<void>
  /** A message given up (a dead letter): one word to the same chat, at most once in ten minutes. */
  gaveUp(item: OutboxItem, reason: string): Promise<void>
  /** The group is a supergroup now: the operator is told once, in the new chat and in the log. */
  migrated(fromChatId: string, toChatId: string): Promise<void>
}

/** Up to this many messages that waited go as they are; past it, the human gets a summary and the important ones. */
export const SUMMARY_AFTER = 10
/** One word about messages given up per chat in this long. */
const GAVE_UP_WINDOW_S = 10 * 60
/** Notices of this module are never themselves the subject of one (a notice refused is not told again). */
const NOTICE_KEY = 'notice:'

export function createHeldChats({
  outbox,
  store,
  holds,
  locale,
  log,
  now = Date.now,
  kick,
}: HeldChatsOptions): HeldChats {
  const say = locale === 'en' ? EN : FR
  const care: HeldChats = {
    async back(chatId) {
      // Every update from a chat comes here: a chat with no hold costs a read and the mark that it wrote (which keeps
      // a refusal already on its way back from holding the chat again).
      const hold = await holds.present(chatId)
      if (hold) await care.resumed(chatId, hold)
      return hold
    },
    async resumed(chatId, hold, went) {
      if (hold.why === 'flood') return
      const noticeKey = `${NOTICE_KEY}back:${chatId}:`
      // The message that went through is the notice of an earlier return: told, and what it announced follows it.
      if (went?.dedupeKey?.startsWith(noticeKey)) return kick?.()
      const mine = (await outbox.pending('telegram')).filter(
        (item) => item.target === chatId && item.id !== went?.id
      )
      // The notice of an earlier return, refused (the chat was not back yet) and so never shown: this return's words
      // are written on it, in its place; a drain that read it before goes on sending one notice, not two.
      const [told, ...extra] = mine.filter((item) => item.dedupeKey?.startsWith(noticeKey))
      // A live message is no message that waited: it is edited to what is true now, after the notice.
      const waiting = mine.filter(
        (item) => !item.dedupeKey?.startsWith(NOTICE_KEY) && item.meta?.kind !== 'live'
      )
      // What it summed up left the lane: counted again.
      const summedBefore = told ? _summed(told) : 0
      const total = waiting.length + summedBefore
      log.info('telegram chat back; what waited goes', {
        target: chatId,
        waiting: total,
        heldForMs: now() - hold.since,
      })
      if (total > 0) {
        const important = waiting.filter(_important)
        const summary = total > SUMMARY_AFTER || summedBefore > 0
        const summed = summary ? waiting.filter((i) => !_important(i)) : []
        // What the summary stands for is in Plane and in /plane status: it leaves the lane.
        for (const item of summed) await outbox.ack(item)
        // An item whose own retry is still ahead (a backoff; a refusal an earlier version recorded on the item as the
        // hold's hourly try) goes now, in its place: the chat is there.
        const gone = new Set(summed.map((i) => i.id))
        for (const item of waiting)
          if (!gone.has(item.id) && item.lastError !== null && item.notBefore > now())
            await outbox.update({ ...item, notBefore: 0 })
        const html = summary ? say.summary(total, important.length) : say.back(total)
        const meta = { kind: 'back' as const, summed: summedBefore + summed.length }
        if (told)
          await outbox.update({
            ...told,
            payload: telegramMessage(chatId, html).payload,
            meta,
            notBefore: 0,
          })
        else
          await outbox.enqueue({
            ...telegramMessage(chatId, html, `${noticeKey}${hold.since}`),
            meta,
            first: true,
          })
      }
      // A notice that stands for nothing now, or a second one (two returns at once): one is enough.
      for (const item of total > 0 ? extra : [told, ...extra]) if (item) await outbox.ack(item)
      kick?.()
    },
    async gaveUp(item, reason) {
      if (item.channel !== 'telegram' || item.dedupeKey?.startsWith(NOTICE_KEY)) return
      // The first message given up marks when it was told; those in the next ten minutes name the same notice,
      // which the outbox keeps once.
      const since = await periodOpenedAt(
        store,
        `outbox:gave-up-told:${item.target}`,
        GAVE_UP_WINDOW_S,
        now()
      )
      await outbox.enqueue(
        telegramMessage(
          item.target,
          say.gaveUp(escapeHtml(capText(reason, 300))),
          `${NOTICE_KEY}gave-up:${item.target}:${since}`
        )
      )
      kick?.()
    },
    async migrated(fromChatId, toChatId) {
      log.warn(
        'telegram group became a supergroup: messages go to the new id; set TELEGRAM_CHAT_ID (and TELEGRAM_ALLOWED_CHAT_IDS) to it',
        { from: fromChatId, to: toChatId }
      )
      await outbox.enqueue(
        telegramMessage(
          toChatId,
          say.migrated(escapeHtml(fromChatId), escapeHtml(toChatId)),
          `${NOTICE_KEY}migrated:${fromChatId}:${toChatId}`
        )
      )
      kick?.()
    },
  }
  return care
}

// --- Internal helpers ---

/** How many messages a notice of a chat back stood for that left the lane (its summary's). */
function _summed(item: OutboxItem): number {
  const summed = item.meta?.kind === 'back' ? item.meta.summed : 0
  return typeof summed === 'number' && summed > 0 ? summed : 0
}

/** What the human acts on or asked for: a card (its buttons), the prompt for an action's text, a command's reply. */
function _important(item: OutboxItem): boolean {
  const kind = item.meta?.kind
  return kind === 'card' || kind === 'prompt' || kind === 'edit' || item.first === true
}

type Words = {
  back(n: number): string
  summary(n: number, kept: number): string
  gaveUp(reason: string): string
  migrated(from: string, to: string): string
}

const FR: Words = {
  back: (n) =>
    `📬 ${n === 1 ? '1 message attendait' : `${n} messages attendaient`} pendant votre absence : ${n === 1 ? 'le voici' : 'les voici'}.`,
  summary: (n, kept) =>
    `📬 ${n} messages pendant votre absence. ${kept === 0 ? 'Aucun n’attend votre action' : kept === 1 ? 'Voici celui qui attend votre action' : `Voici les ${kept} qui attendent votre action`} ; le reste est dans Plane, et <code>/plane status</code> fait le point.`,
  gaveUp: (reason) =>
    `⚠️ Telegram a refusé un message de plane-bridge (« ${reason} ») : il n’a pas pu être livré. <code>npm run job -- dead-letters</code> le montre, <code>--retry</code> le renvoie.`,
  migrated: (from, to) =>
    `ℹ️ Ce groupe est devenu un supergroupe : les messages arrivent désormais ici (<code>${to}</code> au lieu de <code>${from}</code>). Mettez <code>TELEGRAM_CHAT_ID=${to}</code> (et <code>TELEGRAM_ALLOWED_CHAT_IDS</code>) à jour dans la configuration de plane-bridge.`,
}

const EN: Words = {
  back: (n) =>
    `📬 ${n === 1 ? '1 message was' : `${n} messages were`} waiting while you were away: here ${n === 1 ? 'it is' : 'they are'}.`,
  summary: (n, kept) =>
    `📬 ${n} messages while you were away. ${kept === 0 ? 'None waits for you' : kept === 1 ? 'Here is the one waiting for you' : `Here are the ${kept} waiting for you`}; the rest is in Plane, and <code>/plane status</code> sums it up.`,
  gaveUp: (reason) =>
    `⚠️ Telegram refused a message from plane-bridge ("${reason}"): it could not be delivered. <code>npm run job -- dead-letters</code> shows it, <code>--retry</code> sends it again.`,
  migrated: (from, to) =>
    `ℹ️ This group became a supergroup: messages now arrive here (<code>${to}</code> instead of <code>${from}</code>). Set <code>TELEGRAM_CHAT_ID=${to}</code> (and <code>TELEGRAM_ALLOWED_CHAT_IDS</code>) in plane-bridge's configuration.`,
}
