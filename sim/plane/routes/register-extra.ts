/** @module Wires the work-item sub-resources and the planning objects. */

import { registerAttachmentRoutes } from './attachments.ts'
import { registerCommentRoutes } from './comments.ts'
import type { RouteDeps, SimApp } from './context.ts'
import { registerCycleRoutes } from './cycles.ts'
import { registerInvitationRoutes } from './invitations.ts'
import { registerLinkRoutes } from './links.ts'
import { registerModuleRoutes } from './modules.ts'
import { registerRelationRoutes } from './relations.ts'

export function registerExtraRoutes(app: SimApp, deps: RouteDeps) {
  registerRelationRoutes(app, deps)
  registerCommentRoutes(app, deps)
  registerLinkRoutes(app, deps)
  registerAttachmentRoutes(app, deps)
  registerCycleRoutes(app, deps)
  registerModuleRoutes(app, deps)
  registerInvitationRoutes(app, deps)
}
