/**
 * @module job `check` (INFRA-02): tries every integration once — Plane, its webhook, Telegram, OpenClaw,
 * the store, each agent's Plane key — and prints one line each, ✓ or ✗ with what to fix; unset ones are off.
 */
import { checkAgents } from '../../shared/check/agents.ts'
import { checkOpenClaw } from '../../shared/check/openclaw.ts'
import { checkPlane, planeClientForCheck } from '../../shared/check/plane.ts'
import { checkPlaneWebhook } from '../../shared/check/plane-webhook.ts'
import { type CheckResult, formatCheckLine, summarizeChecks } from '../../shared/check/result.ts'
import { sendTestAgentOf, sendTests } from '../../shared/check/send-test.ts'
import { checkTelegram } from '../../shared/check/telegram.ts'
import { defineJobFunction, type JobContext } from '../../shared/core/function.ts'
import {
  describeTemplateExamples,
  templateExamplesIn,
} from '../../shared/core/template-examples.ts'
import { createChatHolds } from '../../shared/notify/chat-holds.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { adviseOnWebhookTarget, webhookTargetOf } from '../../shared/plane/release.ts'
import type { SharedWindow } from '../../shared/plane/request-window.ts'
import {
  lastWebhookReceivedAt,
  signaturesRejectedSinceAccepted,
  unsignedRejectedSinceAccepted,
  webhookOffSince,
} from '../../shared/poll/webhook-health.ts'
import { webhookOffSteps, webhookSettingsUrl } from '../../shared/poll/webhook-off.ts'

const STORE_PING_TIMEOUT_MS = 2500

export const checkFunction = defineJobFunction({
  name: 'check',
  usage: '[--send-test <agent id>]',
  description:
    'Tries every integration once (Plane: URL, key, workspace and role; Plane webhook seen; Telegram bot, chat — known to Telegram, the bot in it and allowed to write, read without sending — and webhook; OpenClaw hooks token; the store; the agents against Plane\'s members, each with a bridge token and a Plane key; each agent Plane key) and prints one line each, ✓ or ✗ with the fix; unset settings are "off"; a setting left at a template\'s example value is ✗. Writes nothing. With --send-test <agent id>, also sends one test message to TELEGRAM_CHAT_ID and one test wake to that agent through OpenClaw, each confirmed. Exit 0 all ok, 1 otherwise.',
  maxDurationSeconds: 2 * 60,
  // It must run, and say so, when the store is what is broken: no lock, store reads may fail.
  needsStore: false,
  run: async function check(ctx) {
    const { config } = ctx
    const pinged = _store(ctx)
    // The check's Plane requests count in each key's window with every process on the store (at background work's
    // share), once the store has answered: a store that does not leaves the check its own window, not a wait.
    const keys = {
      config,
      window: _windowOnceAnswered(ctx, pinged),
      now: ctx.now,
      sleep: ctx.sleep,
    }
    // Independent integrations side by side; the lines keep a fixed order.
    // Each integration gives a line whatever happens: an unexpected throw is its ✗, never a crash.
    const [store, plane, telegram, openclaw, agents] = await Promise.all([
      pinged,
      _lines('plane', () =>
        checkPlane({ ...keys, agents: ctx.agents, agentTokens: ctx.agentTokens })
      ),
      _lines('telegram', () =>
        // A private chat's block shows in no read: the outbox's hold is what the bridge was told of it.
        checkTelegram({ config, now: ctx.now, holdOf: createChatHolds(ctx.store, ctx.now).get })
      ),
      _lines('openclaw', async () => [await checkOpenClaw({ config })]),
      // The registry held against Plane's members, each agent's token and key.
      _lines('agents', async () => [
        await checkAgents({
          plane: planeClientForCheck(keys),
          agents: ctx.agents,
          agentTokens: ctx.agentTokens,
        }),
      ]),
    ])
    const webhook = await _webhookLine(ctx, store.status === 'ok')
    const [planeApi, ...planeRest] = plane
    const workspace = planeRest.filter((r) => r.name === 'plane workspace')
    // A placeholder left from .env.example would have provision point webhooks at example.com.
    const examples = templateExamplesIn(config)
    const results: CheckResult[] = [
      ...(examples.length > 0
        ? [
            {
              name: 'settings',
              status: 'fail' as const,
              detail: describeTemplateExamples(examples),
            },
          ]
        : []),
      store,
      ...(planeApi ? [planeApi] : []),
      ...workspace,
      webhook,
      ...telegram,
      ...openclaw,
      ...agents,
      // Each agent's own key last: the longest part.
      ...planeRest.filter((r) => !workspace.includes(r)),
    ]
    // One message to the chat and one wake to a named agent, each confirmed by its service.
    if (ctx.args.includes('--send-test'))
      results.push(
        ...(await _lines('send test', () =>
          sendTests({
            config,
            agents: ctx.agents,
            agent: sendTestAgentOf(ctx.args),
            now: ctx.now,
          })
        ))
      )
    const { summary, failed } = summarizeChecks(results)
    return {
      summary,
      terminal: results.map(formatCheckLine),
      ...(failed.length > 0 ? { failure: `${summary}: ${failed.join(', ')}` } : {}),
    }
  },
})

async function _lines(name: string, run: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
  try {
    return await run()
  } catch (error) {
    const message = errorMessage(error)
    return [{ name, status: 'fail', detail: `the check itself failed: ${message}` }]
  }
}

/**
 * The Plane webhook's line: its setting and URL, what the store noted of its deliveries, and Plane's release advice.
 * The store is read only once it has answered (`storeAnswers`): unknown (none yet) otherwise, which its own line
 * says. A store that does not answer is not asked again (a down Redis made each read wait out its retries: 8 s).
 */
async function _webhookLine(ctx: JobContext, storeAnswers: boolean): Promise<CheckResult> {
  const { config } = ctx
  const url = webhookTargetOf(config)
  const stored = <T>(read: () => Promise<T>, unknown: T): Promise<T> =>
    storeAnswers ? read().catch(() => unknown) : Promise.resolve(unknown)
  // Advice only: Plane's release is unknown while Plane is down, which its own line says.
  const [advice, lastReceivedAt, refusedSinceAccepted, unsignedSinceAccepted, offSince] =
    await Promise.all([
      url ? adviseOnWebhookTarget(config, url).catch(() => undefined) : undefined,
      stored(() => lastWebhookReceivedAt(ctx), null),
      stored(() => signaturesRejectedSinceAccepted(ctx), 0),
      stored(() => unsignedRejectedSinceAccepted(ctx), 0),
      stored(() => webhookOffSince(ctx), null),
    ])
  return checkPlaneWebhook({
    secretSet: Boolean(config.PLANE_WEBHOOK_SECRET),
    url,
    ...(advice ? { advice } : {}),
    lastReceivedAt,
    refusedSinceAccepted,
    unsignedSinceAccepted,
    offSince,
    steps: webhookOffSteps({
      settingsUrl: webhookSettingsUrl(config.PLANE_BASE_URL, config.PLANE_WORKSPACE_SLUG),
      webhookUrl: url,
    }),
    now: ctx.now(),
  })
}

/** Whether the store answers, and how fast; its failure names the setting (runtime/node-store.ts). */
async function _store(ctx: JobContext): Promise<CheckResult> {
  const { store } = ctx
  const started = ctx.now()
  try {
    await _withTimeout(store.ping(), STORE_PING_TIMEOUT_MS)
    return {
      name: 'store',
      status: 'ok',
      detail: `${store.driver} at ${store.location} answers in ${ctx.now() - started} ms`,
    }
  } catch (error) {
    const message = errorMessage(error)
    // The Node store's failures already name the setting and the fix (runtime/node-store.ts).
    const named = /\b(REDIS_URL|DATA_DIR|STORE_DRIVER|REDIS_REST_URL)\b/.test(message)
    return {
      name: 'store',
      status: 'fail',
      detail: named
        ? message
        : `${store.driver} at ${store.location}: ${message}: check REDIS_URL and that Redis runs`,
    }
  }
}

/** The store's window for the keys' requests, once its ping answered; a failure otherwise (each key's own then). */
function _windowOnceAnswered(ctx: JobContext, pinged: Promise<CheckResult>): SharedWindow {
  return {
    async windowTake(key, options) {
      if ((await pinged).status !== 'ok') throw new Error('the store does not answer')
      return ctx.store.windowTake(key, options)
    },
  }
}

function _withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
