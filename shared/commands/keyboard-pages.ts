/**
 * @module A reply's buttons in pages: Telegram refuses a keyboard of more than 100 buttons or about 10 kB
 * (reference §1.7b: `reply markup is too long`), and 101 projects give `/plane status` 111. Past PAGE_BUTTONS, the
 * buttons are kept in the store and shown a page at a time, with "◂" / "▸" buttons that turn the page in place.
 */
import { sha256Hex } from '../hash.ts'
import type { Locale } from '../notify/i18n.ts'
import type { Store } from '../store/store.ts'
import { KEYBOARD_MAX_BUTTONS } from '../telegram/limits.ts'
import type { InlineButton } from './render-parts.ts'

/**
 * Buttons on one page, the page's two turning buttons aside: far below 100, and at 28 characters of text and 64 bytes
 * of data each, below the ~10 kB of markup Telegram takes; a page a person can read on a phone.
 */
export const PAGE_BUTTONS = 40
/** A list longer than this keeps its first pages only (fifty pages of projects is past any use). */
const MAX_KEPT_BUTTONS = 2_000
/** Long enough to page through a reply from last week; past it, the press says to ask again. */
const PAGES_TTL_S = 7 * 24 * 60 * 60

/** What is kept of a paged reply: its buttons, and the text of the message they sit under (a page edits it). */
export type PagedKeyboard = { html: string; buttons: InlineButton[]; perRow: number }

const pagesKey = (id: string) => `tg:pages:${id}`

/** `k:<id>:<page>`: ≤ 24 bytes. */
export function encodePageTurn(id: string, page: number): string {
  return `k:${id}:${page}`
}

/** Null for anything that is not a page turn of this bot. */
export function decodePageTurn(data: string): { id: string; page: number } | null {
  const match = /^k:([0-9a-f]{16}):(\d{1,3})$/.exec(data)
  return match?.[1] && match[2] ? { id: match[1], page: Number(match[2]) } : null
}

/**
 * The rows to send under `html`: all of them when they fit one page; else the first page and its turning button, the
 * whole list kept under an id made from `key` (a replayed reply writes the same entry).
 */
export async function firstPage(
  store: Store,
  key: string,
  { html, buttons, perRow }: PagedKeyboard,
  locale: Locale
): Promise<InlineButton[][]> {
  if (buttons.length <= PAGE_BUTTONS) return _rows(buttons, perRow)
  const id = (await sha256Hex(key)).slice(0, 16)
  const kept: PagedKeyboard = { html, buttons: buttons.slice(0, MAX_KEPT_BUTTONS), perRow }
  await store.set(pagesKey(id), kept, { ttlSeconds: PAGES_TTL_S })
  return pageRows(id, kept, 0, locale)
}

/** The kept list of a paged reply, or null once it expired. */
export function readPages(store: Store, id: string): Promise<PagedKeyboard | null> {
  return store.get<PagedKeyboard>(pagesKey(id))
}

/** Page `page` of a kept list: its buttons, then "◂ 41–80 / 111" turning buttons. */
export function pageRows(
  id: string,
  kept: PagedKeyboard,
  page: number,
  locale: Locale
): InlineButton[][] {
  const pages = Math.max(1, Math.ceil(kept.buttons.length / PAGE_BUTTONS))
  const at = Math.min(Math.max(0, page), pages - 1)
  const shown = kept.buttons.slice(at * PAGE_BUTTONS, (at + 1) * PAGE_BUTTONS)
  const nav: InlineButton[] = []
  const say =
    locale === 'en'
      ? { back: '◂ Previous', next: 'Next ▸' }
      : { back: '◂ Précédents', next: 'Suivants ▸' }
  if (at > 0) nav.push({ text: say.back, callback_data: encodePageTurn(id, at - 1) })
  if (at < pages - 1) nav.push({ text: say.next, callback_data: encodePageTurn(id, at + 1) })
  const rows = [..._rows(shown, kept.perRow), ...(nav.length > 0 ? [nav] : [])]
  if (rows.flat().length > KEYBOARD_MAX_BUTTONS)
    throw new RangeError('a page holds more than 100 buttons')
  return rows
}

// --- Internal helpers ---

function _rows(buttons: readonly InlineButton[], perRow: number): InlineButton[][] {
  const rows: InlineButton[][] = []
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow))
  return rows
}
