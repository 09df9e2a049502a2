/** @module OpenClaw hooks client and errors (re-exports only). */

export {
  createOpenClawClient,
  type OpenClawAgentParams,
  type OpenClawAgentResult,
  type OpenClawClient,
  type OpenClawClientOptions,
  type OpenClawWakeMode,
  type OpenClawWakeParams,
  type OpenClawWakeResult,
} from './client.ts'
export {
  classifyOpenClawError,
  kindOfStatus,
  OpenClawError,
  type OpenClawErrorInit,
  type OpenClawErrorKind,
  openClawFailure,
} from './errors.ts'
