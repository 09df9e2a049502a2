/**
 * @module A runtime's root: its services, and its parts (runtime/parts.ts) built on the first call of
 * `parts()`, once. A runtime makes one root: every HTTP handler and every cron or job run gets the same parts, so
 * each key has one throttle; a job that declares no parts runs without building them (shared/core/run-job.ts).
 */

import type { Root, Services } from '../shared/core/function.ts'
import type { Parts } from '../shared/core/parts.ts'
import { buildParts, type PartsOptions } from './parts.ts'

export function createRoot(services: Services, options: PartsOptions = {}): Root {
  let built: Parts | undefined
  return {
    services,
    parts: function parts() {
      built ??= buildParts(services, options)
      return built
    },
  }
}
