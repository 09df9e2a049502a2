/** @module Test helper: a Telegram sim plus a raw Bot API caller that returns status and JSON body. */

import { createTelegramSim, type TelegramSimOptions } from './index.ts'

export const SIM_TOKEN = '42:sim-token_ABC'

export type Reply = { status: number; body: Record<string, unknown> }

export function setupSimApi(options: Partial<TelegramSimOptions> = {}) {
  const sim = createTelegramSim({ token: SIM_TOKEN, ...options })
  const api = async (method: string, params?: unknown, token = SIM_TOKEN): Promise<Reply> => {
    const response = await sim.fetch(`${sim.apiBase}/bot${token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params ?? {}),
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  return { sim, api }
}

export const badRequest = (description: string): Reply => ({
  status: 400,
  body: { ok: false, error_code: 400, description: `Bad Request: ${description}` },
})
