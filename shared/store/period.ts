/**
 * @module A period anchored on its first event, not on the clock: "once in ten minutes" measured from the first time,
 * so that two events a second apart never fall in two periods because a clock mark lies between them (a 10-minute
 * bucket of the clock sent a double press's prompt twice across 02:30:00).
 */
import type { Store } from './types.ts'

/**
 * When the period at `key` opened: `now`, when this call opens it, else the time the call that opened it gave. It
 * is a claim, so replicas agree on it, and it lasts `seconds`; past them, the next call opens a new one.
 * @example const since = await windowOpenedAt(store, `tg:card:prompted:${id}`, 600, Date.now())
 */
export async function periodOpenedAt(
  store: Pick<Store, 'claim' | 'get'>,
  key: string,
  seconds: number,
  now: number
): Promise<number> {
  if (await store.claim(key, seconds, now)) return now
  // Gone between the two calls (it lapsed): a new period, opened by this event.
  return (await store.get<number>(key)) ?? now
}
