import { describe, expect, it } from 'vitest'
import { readOutboxMessage } from './outbox-message.ts'

const CHAT = '-1001234567890'

describe('readOutboxMessage', () => {
  it('should read a plain message with its project, and a card or a prompt with what links it', () => {
    const payload = { chat_id: CHAT, text: 'Bonjour', parse_mode: 'HTML' }
    expect(
      readOutboxMessage({ channel: 'telegram', target: CHAT, payload, meta: { projectId: 'p1' } })
    ).toEqual({
      kind: 'message',
      message: { channel: 'telegram', target: CHAT, payload, meta: { projectId: 'p1' } },
    })
    expect(readOutboxMessage({ channel: 'telegram', target: CHAT, payload })).toEqual({
      kind: 'message',
      message: { channel: 'telegram', target: CHAT, payload },
    })
    const card = readOutboxMessage({
      channel: 'telegram',
      target: CHAT,
      payload,
      meta: { kind: 'card', cardId: 'c1', projectId: 'p1' },
    })
    expect(card).toMatchObject({
      kind: 'message',
      message: { meta: { kind: 'card', cardId: 'c1' } },
    })
    const prompt = readOutboxMessage({
      channel: 'telegram',
      target: CHAT,
      payload,
      meta: { kind: 'prompt', cardId: 'c1', action: 'sendback', projectId: 'p1' },
    })
    expect(prompt).toMatchObject({ message: { meta: { kind: 'prompt', action: 'sendback' } } })
  })

  it('should tell an edit, a grouped message and a wake apart', () => {
    const edit = { chat_id: CHAT, message_id: 7, text: 'Validée' }
    expect(
      readOutboxMessage({
        channel: 'telegram',
        target: CHAT,
        payload: edit,
        meta: { kind: 'edit' },
      })
    ).toMatchObject({ kind: 'edit', message: { payload: edit } })
    const grouped = { chat_id: CHAT, grouped: 'imhotep', agent_name: 'Imhotep' }
    expect(
      readOutboxMessage({
        channel: 'telegram',
        target: CHAT,
        payload: grouped,
        meta: { kind: 'grouped', agentId: 'imhotep' },
      })
    ).toMatchObject({ kind: 'grouped', message: { payload: grouped } })
    const live = { chat_id: CHAT, live: 'task:t1', gen: 3 }
    expect(
      readOutboxMessage({
        channel: 'telegram',
        target: CHAT,
        payload: live,
        meta: { kind: 'live', projectId: 'p1' },
      })
    ).toEqual({
      kind: 'live',
      message: {
        channel: 'telegram',
        target: CHAT,
        payload: live,
        meta: { kind: 'live', projectId: 'p1' },
      },
    })
    const wake = { message: 'Réveil', agentId: 'thot', name: 'plane-bridge', deliver: false }
    const meta = { kind: 'wake', taskId: 't1', agentId: 'thot', attempt: 2 }
    expect(readOutboxMessage({ channel: 'openclaw', target: 'thot', payload: wake, meta })).toEqual(
      {
        kind: 'wake',
        message: { channel: 'openclaw', target: 'thot', payload: wake, meta },
      }
    )
    // An alert's wake to the Concierge carries no run to report on.
    expect(
      readOutboxMessage({ channel: 'openclaw', target: 'ra', payload: { message: 'Alerte' } })
    ).toEqual({
      kind: 'wake',
      message: { channel: 'openclaw', target: 'ra', payload: { message: 'Alerte' } },
    })
  })

  it('should name what is missing from an item no message reads', () => {
    const reasons = [
      { channel: 'telegram', target: CHAT, payload: { chat_id: CHAT } },
      { channel: 'telegram', target: CHAT, payload: { text: 'x' }, meta: { kind: 'edit' } },
      { channel: 'telegram', target: CHAT, payload: { chat_id: CHAT }, meta: { kind: 'grouped' } },
      { channel: 'telegram', target: CHAT, payload: { chat_id: CHAT }, meta: { kind: 'live' } },
      { channel: 'openclaw', target: 'thot', payload: { agentId: 'thot' } },
      { channel: 'email', target: 'ada', payload: { text: 'x' } },
    ].map((item) => {
      const read = readOutboxMessage(item)
      return read.kind === 'unreadable' ? read.reason : read.kind
    })
    expect(reasons).toEqual([
      'unreadable outbox item: a Telegram message without its chat and text',
      'unreadable outbox item: a Telegram edit without its chat, message id and text',
      "unreadable outbox item: an agent's grouped message without its agent",
      'unreadable outbox item: a live message without its chat, key and generation',
      'unreadable outbox item: an OpenClaw wake without a message',
      'unreadable outbox item: an item for an unknown channel (email)',
    ])
  })
})
