import { describe, expect, it } from 'vitest'
import { createTelegramSim } from '../../sim/telegram/index.ts'
import { createMemoryStore } from '../store/store.ts'
import { createTelegramClient } from '../telegram/client.ts'
import {
  decodePageTurn,
  encodePageTurn,
  firstPage,
  PAGE_BUTTONS,
  pageRows,
  readPages,
} from './keyboard-pages.ts'

const buttons = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    // Long names and the longest data the bridge writes: the ~10 kB markup bound matters as much as the count.
    text: `📁 ${'Projet très long nommé '.repeat(2).slice(0, 26)}${i}`,
    callback_data: `p:${crypto.randomUUID()}`,
  }))

describe('keyboard pages', () => {
  it('should keep a short keyboard as it is', async () => {
    const store = createMemoryStore()
    const rows = await firstPage(store, 'k', { html: 'x', buttons: buttons(4), perRow: 2 }, 'fr')
    expect(rows).toHaveLength(2)
    expect(rows.flat().every((b) => !b.callback_data.startsWith('k:'))).toBe(true)
  })

  it('should page 111 buttons so that Telegram takes every page, and reach each button once', async () => {
    const store = createMemoryStore()
    const all = buttons(111)
    const sim = createTelegramSim({ token: '1:t' })
    const telegram = createTelegramClient({ token: '1:t', apiBase: sim.apiBase, fetch: sim.fetch })
    const first = await firstPage(
      store,
      'reply:1',
      { html: '<b>Statut</b>', buttons: all, perRow: 2 },
      'fr'
    )
    const seen: string[] = []
    let rows = first
    for (let page = 0; ; page++) {
      await telegram.sendMessage({ chat_id: 1, text: 'x', reply_markup: { inline_keyboard: rows } })
      const flat = rows.flat()
      seen.push(
        ...flat.filter((b) => !b.callback_data.startsWith('k:')).map((b) => b.callback_data)
      )
      const next = flat.find((b) => b.text === 'Suivants ▸')
      if (!next) break
      const turn = decodePageTurn(next.callback_data)
      expect(turn).toMatchObject({ page: page + 1 })
      const kept = await readPages(store, turn?.id ?? '')
      expect(kept?.html).toBe('<b>Statut</b>')
      rows = pageRows(
        turn?.id ?? '',
        kept ?? { html: '', buttons: [], perRow: 2 },
        turn?.page ?? 0,
        'fr'
      )
      expect(rows.flat().some((b) => b.text === '◂ Précédents')).toBe(true)
    }
    expect(seen).toEqual(all.map((b) => b.callback_data))
    expect(first.flat().length).toBe(PAGE_BUTTONS + 1)
  })

  it('should read only its own page turns', () => {
    const data = encodePageTurn('0123456789abcdef', 3)
    expect(new TextEncoder().encode(data).length).toBeLessThanOrEqual(64)
    expect(decodePageTurn(data)).toEqual({ id: '0123456789abcdef', page: 3 })
    for (const other of ['s', 'k:xyz:1', 'k:0123456789abcdef:1000', 'x:0123456789abcdef:v'])
      expect(decodePageTurn(other)).toBeNull()
  })
})
