/** @module `/plane help`, also the answer to anything unknown (NOTIF-06). Pure. */
import { phrases, type RenderContext } from './render-parts.ts'

export function buildHelpReply(ctx: Pick<RenderContext, 'locale'>): { html: string; buttons: [] } {
  const p = phrases(ctx)
  return { html: [p.helpTitle, ...p.helpLines].join('\n'), buttons: [] }
}
