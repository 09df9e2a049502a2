/** @module Plane's session API, the web app's and god-mode's calls: wired onto the simulator's app. */

import type { SimApp } from '../routes/context.ts'
import { type AuthRouteDeps, registerAuthRoutes } from './auth-routes.ts'
import { registerTokenRoutes } from './token-routes.ts'
import { registerWebhookRoutes, type WebhookRouteDeps } from './webhook-routes.ts'
import { registerWorkspaceRoutes } from './workspace-routes.ts'

export type SessionRouteDeps = AuthRouteDeps & WebhookRouteDeps

export function registerSessionRoutes(app: SimApp, deps: SessionRouteDeps) {
  registerAuthRoutes(app, deps)
  registerWorkspaceRoutes(app, deps)
  registerTokenRoutes(app, deps)
  registerWebhookRoutes(app, deps)
}

export { createSessionState, type SessionState } from './state.ts'
