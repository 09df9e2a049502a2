/** Settings the workers test project binds (vitest.config.ts): stub origins for Plane and Telegram, fast coalescing. */

export const PLANE_ORIGIN = 'https://plane.test'
export const TELEGRAM_ORIGIN = 'https://telegram.test'
export const WEBHOOK_SECRET = 'plane_wh_workers0123456789abcdef01234567'
export const BOT_TOKEN = '654321:WORKERS-token_for-tests'
export const CHAT_ID = '-1009876543210'
export const TELEGRAM_SECRET = 'telegram-secret-for-workers-tests'
/** /ready and /metrics are closed on Workers without it. */
export const OPS_TOKEN = 'ops-token-for-workers-tests-0123456789'

/** Imhotep's bridge token; the registry below holds its SHA-256. */
export const IMHOTEP_BRIDGE_TOKEN = 'pbt_workers_imhotep_0123456789abcdefghijklmnop'

export const WORKER_TEST_AGENTS = {
  agents: [
    {
      id: 'imhotep',
      name: 'Imhotep',
      role: 'member',
      planeUser: 'imhotep@javisi.local',
      openclawAgentId: 'imhotep',
      bridgeTokenSha256: 'c127f75415c6a6659572a45f7838c87c414a61a9772b16976eb10ae28b45637f',
    },
  ],
}

export const WORKER_TEST_BINDINGS: Record<string, string> = {
  PLANE_BASE_URL: PLANE_ORIGIN,
  PLANE_API_KEY: `plane_api_${'b'.repeat(32)}`,
  PLANE_WORKSPACE_SLUG: 'javisi',
  PLANE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  TELEGRAM_BOT_TOKEN: BOT_TOKEN,
  TELEGRAM_CHAT_ID: CHAT_ID,
  TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
  TELEGRAM_API_BASE: TELEGRAM_ORIGIN,
  AGENTS_JSON: JSON.stringify(WORKER_TEST_AGENTS),
  OPS_TOKEN,
  // Every function on, the budget's too: its ledger then runs on workerd and the KV store (OPENCLAW-11).
  BUDGET_MONTHLY_USD: '500',
  // No coalescing wait: the test's event settles as soon as the message is out.
  NOTIFY_COALESCE_MS: '0',
  // The tests call /mcp as https://bridge.test (DNS-rebinding protection checks Host).
  MCP_ALLOWED_HOSTS: 'bridge.test',
  LOG_LEVEL: 'error',
}
