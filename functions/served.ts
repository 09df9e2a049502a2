/**
 * @module What both runtimes serve: the HTTP routes and the crons. The one-off jobs (functions/index.ts) run
 * from the Node CLI only, so the Worker imports this list and its bundle leaves them out (~5 KiB gzip).
 */
import type { CronFunction, HttpFunction } from '../shared/core/function.ts'
import { budgetFunction } from './budget/budget.ts'
import { digestFunction } from './digest/digest.ts'
import { notifyFunction } from './notify/notify.ts'
import { healthFunction } from './ops/health.ts'
import { metricsFunction } from './ops/metrics.ts'
import { readyFunction } from './ops/ready.ts'
import { pollFunction } from './poll/poll.ts'
import { telegramWebhookFunction } from './telegram/webhook.ts'
import { bridgeToolCallFunction, bridgeToolsListFunction } from './tools/http.ts'
import { mcpFunctions } from './tools/mcp.ts'
import { planeWebhookFunction } from './webhooks/plane.ts'

export const servedFunctions: readonly (HttpFunction | CronFunction)[] = [
  healthFunction,
  readyFunction,
  metricsFunction,
  planeWebhookFunction,
  notifyFunction,
  pollFunction,
  telegramWebhookFunction,
  digestFunction,
  budgetFunction,
  bridgeToolsListFunction,
  bridgeToolCallFunction,
  ...mcpFunctions,
]
