/** @module Webhook secret token: format check and constant-time verification (§1.2 setWebhook). */
import { secretEquals } from '../hash.ts'

/** §1.2: "1-256 characters. Only characters A-Z, a-z, 0-9, _ and - are allowed." */
const SECRET_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,256}$/

/** Whether Telegram's `setWebhook` would accept `secret` as `secret_token`. */
export function isValidSecretToken(secret: string): boolean {
  return SECRET_TOKEN_PATTERN.test(secret)
}

/**
 * Compare the `X-Telegram-Bot-Api-Secret-Token` header with the configured secret in constant time.
 * Both sides are hashed first (like Hono's `utils/buffer`), so the comparison always runs over 32 bytes
 * and leaks neither content nor length. Fails closed: a missing header or an unset secret is `false`.
 * @example if (!(await verifyTelegramSecret(c.req.header('X-Telegram-Bot-Api-Secret-Token'), env.SECRET))) return c.text('', 401)
 */
export async function verifyTelegramSecret(
  header: string | null | undefined,
  expected: string
): Promise<boolean> {
  return secretEquals(header, expected)
}
