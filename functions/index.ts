/** @module The registry: every function plane-bridge runs, with its route, schedule or job name. Both runtimes read it. */
import type { BridgeFunction } from '../shared/function.ts'
import { agentTokenFunction } from './bridge/agent-token.ts'
import { bridgeToolCallFunction, bridgeToolsListFunction } from './bridge/http.ts'
import { mcpFunctions } from './bridge/mcp.ts'
import { digestFunction } from './digest/digest.ts'
import { deadLettersFunction } from './notify/dead-letters.ts'
import { notifyFunction } from './notify/notify.ts'
import { checkFunction } from './ops/check.ts'
import { healthFunction } from './ops/health.ts'
import { metricsFunction } from './ops/metrics.ts'
import { readyFunction } from './ops/ready.ts'
import { pollFunction } from './poll/poll.ts'
import { provisionFunction } from './provision/provision.ts'
import { telegramWebhookFunction } from './telegram/webhook.ts'
import { planeWebhookFunction } from './webhooks/plane.ts'

export const functions: readonly BridgeFunction[] = [
  healthFunction,
  readyFunction,
  metricsFunction,
  planeWebhookFunction,
  notifyFunction,
  pollFunction,
  telegramWebhookFunction,
  digestFunction,
  provisionFunction,
  bridgeToolsListFunction,
  bridgeToolCallFunction,
  ...mcpFunctions,
  agentTokenFunction,
  deadLettersFunction,
  checkFunction,
]
