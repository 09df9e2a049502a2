/** @module OpenClaw hooks simulator (re-exports only). See README.md for what it reproduces. */

export type { AgentRun, HookAnswer, WakeEvent } from './handlers.ts'
export {
  createOpenClawSim,
  type OpenClawSim,
  type OpenClawSimCall,
  type OpenClawSimOptions,
} from './sim.ts'
