/**
 * @module `npm run job -- check --send-test <agent>` (how a new operator sees one message reach the chat and one
 * wake reach an agent): one Telegram message to TELEGRAM_CHAT_ID and one OpenClaw agent run for the named
 * agent, sent directly (not through the outbox: the answer is the confirmation), each line ✓ with what confirmed it
 * (Telegram's message id, OpenClaw's run id) or ✗ with the fix.
 */
import type { AgentConfig } from '../agents/registry.ts'
import type { Config } from '../core/config.ts'
import { errorMessage } from '../observe/errors.ts'
import { createOpenClawClient } from '../openclaw/client.ts'
import { OpenClawError } from '../openclaw/errors.ts'
import { createTelegramClient, TelegramError } from '../telegram/index.ts'
import { type CheckResult, offResult } from './result.ts'

const SEND_TIMEOUT_MS = 15_000

const TEXT = {
  fr: {
    message: (at: string) =>
      `🔧 Message de test de plane-bridge (${at}) : les messages arrivent bien ici. Rien à faire.`,
    wake: (at: string) =>
      `Test de plane-bridge (${at}) : un réveil de vérification envoyé par l'opérateur. Aucune tâche, aucune action demandée ; ne réponds rien.`,
  },
  en: {
    message: (at: string) =>
      `🔧 plane-bridge test message (${at}): messages reach this chat. Nothing to do.`,
    wake: (at: string) =>
      `plane-bridge test (${at}): a check wake sent by the operator. No task, nothing to do; do not reply.`,
  },
} as const

export type SendTestOptions = {
  config: Config
  agents: readonly AgentConfig[]
  /** The agent to wake (its registry id or OpenClaw id), as named after `--send-test`; none: the wake is off. */
  agent: string | undefined
  now: () => number
  fetch?: typeof fetch
}

export async function sendTests(options: SendTestOptions): Promise<CheckResult[]> {
  return Promise.all([_message(options), _wake(options)])
}

/** The agent named after `--send-test` in a job's arguments, if any. */
export function sendTestAgentOf(args: readonly string[]): string | undefined {
  const at = args.indexOf('--send-test')
  const next = at >= 0 ? args[at + 1] : undefined
  return next && !next.startsWith('--') ? next : undefined
}

// --- Internal helpers ---

async function _message({ config, now, fetch }: SendTestOptions): Promise<CheckResult> {
  const name = 'test message'
  const { TELEGRAM_BOT_TOKEN: token, TELEGRAM_CHAT_ID: chat } = config
  if (!token || !chat)
    return offResult(name, _unset({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_CHAT_ID: chat }))
  const telegram = createTelegramClient({
    token,
    apiBase: config.TELEGRAM_API_BASE,
    timeoutMs: SEND_TIMEOUT_MS,
    ...(fetch ? { fetch } : {}),
  })
  try {
    const sent = await telegram.sendMessage({
      chat_id: chat,
      text: TEXT[config.LOCALE].message(new Date(now()).toISOString()),
    })
    return {
      name,
      status: 'ok',
      detail: `sent to ${chat}, confirmed by Telegram (message ${sent.message_id}): look for it in the chat`,
    }
  } catch (error) {
    const code = error instanceof TelegramError ? error.errorCode : undefined
    const fix =
      code === 401
        ? 'TELEGRAM_BOT_TOKEN refused (401): copy the bot token from @BotFather again'
        : code === 400 || code === 403
          ? `Telegram refused the chat (${code}): check TELEGRAM_CHAT_ID, and that the bot is in that chat (a group: add it; a user: write to the bot first)`
          : `${errorMessage(error)}: check that this machine reaches TELEGRAM_API_BASE`
    return { name, status: 'fail', detail: `not sent to ${chat}: ${fix}` }
  }
}

async function _wake({ config, agents, agent, now, fetch }: SendTestOptions): Promise<CheckResult> {
  const name = 'test wake'
  const { OPENCLAW_HOOKS_URL: hooksUrl, OPENCLAW_HOOKS_TOKEN: token } = config
  if (!hooksUrl || !token)
    return offResult(name, _unset({ OPENCLAW_HOOKS_URL: hooksUrl, OPENCLAW_HOOKS_TOKEN: token }))
  if (!agent)
    return {
      name,
      status: 'off',
      detail: `off (no agent named: npm run job -- check --send-test <agent id>, one of ${agents.map((a) => a.id).join(', ') || 'the registry (empty)'})`,
    }
  const target = agents.find((a) => a.id === agent || a.openclawAgentId === agent)
  if (!target)
    return {
      name,
      status: 'fail',
      detail: `no agent "${agent}" in the registry: name one of ${agents.map((a) => a.id).join(', ') || '(none: set AGENTS_FILE)'}`,
    }
  const openclaw = createOpenClawClient({
    hooksUrl,
    token,
    timeoutMs: SEND_TIMEOUT_MS,
    ...(fetch ? { fetch } : {}),
  })
  const at = new Date(now()).toISOString()
  try {
    const run = await openclaw.agent(
      {
        message: TEXT[config.LOCALE].wake(at),
        agentId: target.openclawAgentId,
        name: 'plane-bridge test',
        deliver: false,
      },
      { idempotencyKey: `test-wake:${target.id}:${at}` }
    )
    return {
      name,
      status: 'ok',
      detail: `${target.id} woken through OpenClaw (agent ${target.openclawAgentId}), confirmed by the Gateway (${run.runId ? `run ${run.runId}` : `answered ${run.status}`})`,
    }
  } catch (error) {
    const status = error instanceof OpenClawError ? error.status : undefined
    const fix: Record<number, string> = {
      400: `the Gateway refused the wake (400): is "${target.openclawAgentId}" in hooks.allowedAgentIds? (npm run job -- openclaw-config prints it)`,
      401: 'OPENCLAW_HOOKS_TOKEN refused (401): use hooks.token from the OpenClaw config',
      404: 'hooks not found (404): turn hooks on and make OPENCLAW_HOOKS_URL end with hooks.path (/hooks)',
    }
    return {
      name,
      status: 'fail',
      detail: `${target.id} not woken: ${(status && fix[status]) || `${errorMessage(error)}: see the Gateway's log`}`,
    }
  }
}

/** The names of the settings left unset, in order. */
function _unset(settings: Record<string, string | undefined>): string[] {
  return Object.entries(settings)
    .filter(([, value]) => !value)
    .map(([key]) => key)
}
