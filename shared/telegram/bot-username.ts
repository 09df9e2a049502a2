/** @module The bot's own username (§1.8: `/plane@OurBot` in groups), from getMe, cached in the store for an hour. */
import type { Store } from '../store/store.ts'
import type { TelegramClient } from './client.ts'

export const BOT_USERNAME_TTL_S = 60 * 60

/** Throws when getMe fails and nothing is cached: the caller cannot tell whose command it is. */
export async function getBotUsername(
  store: Store,
  telegram: Pick<TelegramClient, 'getMe'>,
  ttlSeconds = BOT_USERNAME_TTL_S
): Promise<string> {
  const cached = await store.get<{ username: string }>('telegram:me').catch(() => null)
  if (cached?.username) return cached.username
  const me = await telegram.getMe()
  const username = me.username ?? ''
  await store.set('telegram:me', { username }, { ttlSeconds }).catch(() => undefined)
  return username
}
