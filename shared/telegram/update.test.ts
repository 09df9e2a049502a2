import { describe, expect, it } from 'vitest'
import { createTelegramSim } from '../../sim/telegram/index.ts'
import { isChatAllowed, readUpdate } from './update.ts'

const sim = createTelegramSim({ token: '1:abc' })

describe('readUpdate', () => {
  it('should read a private message and a group message', () => {
    expect(readUpdate(sim.makeMessageUpdate({ text: '/plane status' }))).toMatchObject({
      kind: 'message',
      chatId: '1001',
      text: '/plane status',
      threadId: null,
    })
    expect(
      readUpdate(sim.makeMessageUpdate({ text: '/plane@plane_bridge_bot status', chatId: -100123 }))
    ).toMatchObject({ kind: 'message', chatId: '-100123' })
  })

  it('should mark an edited message as such (§1.1: never re-run a command)', () => {
    const update = sim.makeMessageUpdate({ text: '/plane status', edited: true })
    expect(readUpdate(update)).toEqual({ kind: 'edited', updateId: update.update_id })
  })

  it('should read a button press with its chat', () => {
    const update = sim.makeCallbackUpdate({ data: 's', chatId: -100123 })
    expect(readUpdate(update)).toMatchObject({ kind: 'callback', chatId: '-100123', data: 's' })
  })

  it('should cut a long name between characters, never inside an emoji', () => {
    const first_name = `${'a'.repeat(62)}👩‍💻 Lovelace`
    const update = sim.makeCallbackUpdate({ data: 's', from: { first_name } })
    const read = readUpdate(update)
    expect(read).toMatchObject({ kind: 'callback', fromName: `${'a'.repeat(62)}…` })
  })

  it('should call anything else other, without throwing', () => {
    for (const body of [null, 'x', {}, { update_id: 'a' }, { update_id: 5, message: { chat: {} } }])
      expect(readUpdate(body).kind).toBe('other')
    expect(readUpdate({ update_id: 7, my_chat_member: {} })).toEqual({ kind: 'other', updateId: 7 })
  })
})

describe('isChatAllowed', () => {
  it('should allow listed ids and @usernames only', () => {
    expect(isChatAllowed({ chatId: '-100123', chatUsername: null }, ['-100123'])).toBe(true)
    expect(isChatAllowed({ chatId: '-100124', chatUsername: null }, ['-100123'])).toBe(false)
    expect(isChatAllowed({ chatId: '-1', chatUsername: 'Team_Chan' }, ['@team_chan'])).toBe(true)
    expect(isChatAllowed({ chatId: '5', chatUsername: null }, [])).toBe(false)
  })
})
