/**
 * The strict Telegram simulator behind the product's own client, for the hostile-content property tests (issue 44):
 * each message goes as delivery sends it (parse_mode HTML, its keyboard), then as its plain-text fallback, and any
 * refusal fails the run with the message kind, Telegram's words and the start of the text refused.
 */
import { expect } from 'vitest'
import type { Locale } from '../../shared/notify/i18n.ts'
import type { OutboxItem } from '../../shared/notify/outbox.ts'
import {
  readOutboxMessage,
  type TelegramEditPayload,
  type TelegramSendPayload,
} from '../../shared/notify/outbox-message.ts'
import type { AgentQuota } from '../../shared/notify/quota.ts'
import { createTelegramClient, type TelegramClient } from '../../shared/telegram/client.ts'
import { plainFallback } from '../../shared/telegram/plain.ts'
import { createTelegramSim, type TelegramSim } from '../../sim/telegram/index.ts'
import { compactRepeats } from './hostile-text.ts'

export const TOKEN = '123456:hostile-content-test-token'
/** A supergroup, as the bridge's chat usually is. */
export const CHAT = -1_001_234_567_890
export const CHAT_ID = String(CHAT)

export type HostileChat = {
  sim: TelegramSim
  /** The product's client, pointed at the simulator. */
  telegram: TelegramClient
  /** Send a message; its plain-text fallbacks too. Returns its message id. */
  send(kind: string, payload: TelegramSendPayload): Promise<number>
  /** Edit a message the simulator holds (its plain-text fallback goes as a new message). */
  edit(kind: string, payload: TelegramEditPayload): Promise<void>
  /**
   * Send what an outbox holds, in order, as delivery sends each kind (an agent's grouped message built from `quota`
   * when it goes); the message ids of the items sent.
   */
  deliver(
    kind: string,
    items: readonly OutboxItem[],
    grouped?: { quota: AgentQuota; locale: Locale }
  ): Promise<Map<string, number>>
  /** What was refused so far is expected (a message sent on purpose as Telegram refuses it): forgotten. */
  forgetRefusals(): void
  /** Fails with the kind if any call so far was refused (a toast the product sent, say, whose failure it logs). */
  expectNoRefusal(kind: string): void
}

export function createHostileChat(): HostileChat {
  const sim = createTelegramSim({ token: TOKEN })
  const refused: string[] = []
  /** Every refusal with Telegram's words: the product catches some (toasts) and logs them only. */
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const response = await sim.fetch(input, init)
    if (response.status >= 400) {
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { description?: string } | null
      const method = String(input).split('/').at(-1)
      refused.push(`${method} ${response.status} ${body?.description ?? ''}: ${_excerpt(init)}`)
    }
    return response
  }
  const telegram = createTelegramClient({ token: TOKEN, apiBase: sim.apiBase, fetch })

  const expectNoRefusal = (kind: string) => {
    expect(refused.splice(0), `${kind}: Telegram refused`).toEqual([])
  }
  const sendPlain = async (payload: TelegramSendPayload) => {
    // The refusal policy's promise: the plain text of any message goes, with or without its keyboard.
    await telegram.sendMessage(plainFallback(payload, 'entities')).catch(() => undefined)
    await telegram.sendMessage(plainFallback(payload, 'markup')).catch(() => undefined)
  }
  const chat: HostileChat = {
    sim,
    telegram,
    async send(kind, payload) {
      const sent = await telegram.sendMessage(payload).catch(() => null)
      expectNoRefusal(kind)
      await sendPlain(payload)
      expectNoRefusal(`${kind} (plain-text fallback)`)
      return sent?.message_id ?? 0
    },
    async edit(kind, payload) {
      await telegram.editMessageText(payload).catch(() => undefined)
      expectNoRefusal(`${kind} (edit)`)
      const { message_id: _id, inline_message_id: _inline, reply_markup, ...rest } = payload
      const keyboard = reply_markup && reply_markup.inline_keyboard.length > 0
      await sendPlain({
        ...(rest as TelegramSendPayload),
        ...(keyboard ? { reply_markup } : {}),
      })
      expectNoRefusal(`${kind} (edit's plain-text fallback)`)
    },
    async deliver(kind, items, grouped) {
      const ids = new Map<string, number>()
      for (const item of items) {
        const read = readOutboxMessage(item)
        if (read.kind === 'message') ids.set(item.id, await chat.send(kind, read.message.payload))
        else if (read.kind === 'edit') await chat.edit(kind, read.message.payload)
        else if (read.kind === 'grouped' && grouped) {
          const { grouped: agentId, agent_name: name } = read.message.payload
          const group = await grouped.quota.take(agentId, name, grouped.locale)
          if (!group) continue
          const text = group.html
          const payload = { chat_id: read.message.target, text, parse_mode: 'HTML' as const }
          ids.set(item.id, await chat.send(`${kind} (grouped)`, payload))
          await grouped.quota.sent(agentId, group.members)
        } else throw new Error(`${kind}: an outbox item this harness does not send (${read.kind})`)
      }
      return ids
    },
    expectNoRefusal,
    forgetRefusals: () => {
      refused.length = 0
    },
  }
  return chat
}

// --- Internal helpers ---

/** The start of what was refused, escaped so that the report shows every invisible character. */
function _excerpt(init: RequestInit | undefined): string {
  const body = typeof init?.body === 'string' ? init.body : ''
  const text = (JSON.parse(body || '{}') as { text?: unknown }).text
  const shown = typeof text === 'string' ? text : body
  const escaped = JSON.stringify(shown.slice(0, 600)).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
  return compactRepeats(escaped)
}
