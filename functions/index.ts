/** @module The registry: every function plane-bridge runs, with its route, schedule or job name. Node reads it all; the Worker reads functions/served.ts. */
import type { AppFunction } from '../shared/core/function.ts'
import { bootstrapFunction } from './bootstrap/bootstrap.ts'
import { deadLettersFunction } from './notify/dead-letters.ts'
import { checkFunction } from './ops/check.ts'
import { provisionFunction } from './provision/provision.ts'
import { servedFunctions } from './served.ts'
import { agentTokenFunction } from './tools/agent-token.ts'
import { openclawConfigFunction } from './tools/openclaw-config.ts'

export const functions: readonly AppFunction[] = [
  ...servedFunctions,
  // One-off jobs: `npm run job -- <name>` on Node (docs/workers.md: the exceptions).
  bootstrapFunction,
  provisionFunction,
  agentTokenFunction,
  openclawConfigFunction,
  deadLettersFunction,
  checkFunction,
]
